import { describe, expect, it } from "vitest";
import { UserInputError } from "./errors";
import { assertStorable, jsonText, nulCharacterPath, storableText, toJson } from "./json";

describe("storing JSON in Postgres", () => {
  it("replaces U+0000 in model and tool data, and keeps a literal backslash-u0000 text as it is", () => {
    const value = { content: "a\u0000b", literal: "\\u0000", both: ["\\\u0000"] };
    const text = jsonText(value);
    expect(JSON.parse(text)).toEqual({ content: "a\ufffdb", literal: "\\u0000", both: ["\\\ufffd"] });
    expect(toJson(value)).toEqual({ content: "a\ufffdb", literal: "\\u0000", both: ["\\\ufffd"] });
    expect(storableText("tool failed: \u0000")).toBe("tool failed: \ufffd");
  });

  it("leaves values without U+0000 untouched, and null for nothing", () => {
    const value = { a: [1, "two", { three: true }] };
    expect(toJson(value)).toBe(value);
    expect(jsonText(undefined)).toBe("null");
    expect(storableText(null)).toBeNull();
  });

  it("refuses a user's data holding U+0000, naming where", () => {
    expect(nulCharacterPath({ topic: "ok", items: ["fine", { note: "x\u0000" }] }, "input")).toBe("input.items[1].note");
    expect(nulCharacterPath({ ok: "yes" }, "input")).toBeNull();
    expect(() => assertStorable({ topic: "a\u0000b" }, "input")).toThrow(UserInputError);
    expect(() => assertStorable({ topic: "a\u0000b" }, "input")).toThrow("input.topic contains the NUL character");
    expect(() => assertStorable("fine", "name")).not.toThrow();
  });
});
