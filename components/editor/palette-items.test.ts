import { describe, expect, it } from "vitest";
import { PALETTE_ITEMS, searchPaletteItems } from "./palette-items";

const keysFor = (query: string) => searchPaletteItems(PALETTE_ITEMS, query).map((item) => item.key);

describe("palette search", () => {
  it("finds tools by their name", () => {
    expect(keysFor("http")).toContain("tool:http_request");
    expect(keysFor("http_request")).toEqual(["tool:http_request"]);
    expect(keysFor("HTTP request")).toContain("tool:http_request");
    expect(keysFor("write_file")).toEqual(["tool:write_file"]);
  });

  it("finds tools by words of their description", () => {
    expect(keysFor("python")).toEqual(["tool:run_code"]);
    expect(keysFor("javascript")).toEqual(["tool:run_code"]);
    expect(keysFor("api")).toContain("tool:http_request");
  });

  it("needs every word to match, and shows everything for an empty query", () => {
    expect(keysFor("run python")).toEqual(["tool:run_code"]);
    expect(keysFor("python http")).toEqual([]);
    expect(keysFor("   ")).toHaveLength(PALETTE_ITEMS.length);
  });

  it("still finds node kinds", () => {
    expect(keysFor("approve")).toContain("human");
    expect(keysFor("loop")).toContain("loop");
  });

  it("gives a tool item a tool node set to that tool", () => {
    const http = PALETTE_ITEMS.find((item) => item.key === "tool:http_request");
    expect(http).toMatchObject({ kind: "tool", data: { tool: "http_request" } });
  });
});
