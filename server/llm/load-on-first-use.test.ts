import { describe, expect, it } from "vitest";
import { loadOnFirstUse } from "./load-on-first-use";

describe("loadOnFirstUse", () => {
  it("imports nothing until the first load, then the same package every time", async () => {
    let imports = 0;
    const sdk = loadOnFirstUse(async () => ({ n: ++imports }));
    expect(imports).toBe(0);
    expect(sdk.loaded()).toBeUndefined();
    const first = await sdk.load();
    expect(await sdk.load()).toBe(first);
    expect(sdk.loaded()).toBe(first);
    expect(imports).toBe(1);
  });
});
