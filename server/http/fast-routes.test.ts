import type { NextConfig } from "next";
import { describe, expect, it } from "vitest";
import { SECURITY_HEADERS } from "./fast-routes";

describe("the fast path's security headers", () => {
  it("are the ones next.config.js gives every answer of Next's, so a trigger answered either way carries the same", async () => {
    const { default: nextConfig } = (await import(new URL("../../next.config.js", import.meta.url).href)) as { default: NextConfig };
    const rules = (await nextConfig.headers?.()) ?? [];
    const everyPath = rules.find((rule) => rule.source === "/:path*");
    expect(everyPath?.headers.map(({ key, value }) => [key, value])).toEqual(SECURITY_HEADERS.map(([name, value]) => [name, value]));
  });
});
