import { describe, expect, it } from "vitest";
import { UserInputError } from "../errors";
import { nulCharacterPath } from "../json";
import { assertSafeJson, findJsonProblem, MAX_JSON_DEPTH, MAX_JSON_VALUES } from "./json-guard";

function nestedArrays(levels: number): unknown {
  let value: unknown = "leaf";
  for (let level = 0; level < levels; level++) value = [value];
  return value;
}

describe("findJsonProblem", () => {
  it("accepts ordinary JSON, paired surrogates (emoji) and keys like __proto__ and constructor", () => {
    const value = JSON.parse('{"__proto__":{"x":1},"constructor":{"prototype":"😀"},"items":[1,2.5,true,null,"ok",{}]}') as unknown;
    expect(findJsonProblem(value, "input")).toBeNull();
    expect(findJsonProblem("😀 \ud83d\ude00")).toBeNull();
    expect(findJsonProblem(null)).toBeNull();
  });

  it("names the first string holding U+0000, in nulCharacterPath's style", () => {
    const value = { items: [{ name: "ok" }, { name: "ok" }, { name: "a\u0000b" }], later: "\u0000" };
    expect(findJsonProblem(value, "input")).toMatchObject({ path: "input.items[2].name", kind: "nul" });
    expect(findJsonProblem(value, "input")?.path).toBe(nulCharacterPath(value, "input"));
    expect(findJsonProblem(["\u0000"])).toMatchObject({ path: "[0]", kind: "nul" });
  });

  it("finds lone surrogates, high or low, in values and keys", () => {
    expect(findJsonProblem({ a: ["x", "bad \ud800 here"] }, "input")).toMatchObject({ path: "input.a[1]", kind: "lone-surrogate" });
    expect(findJsonProblem({ a: "\udc00" })).toMatchObject({ path: "a", kind: "lone-surrogate" });
    // A pair split by JSON text: "\ud83d" alone, then "\ude00" alone.
    expect(findJsonProblem(JSON.parse('["\\ud83d", "\\ude00"]'))).toMatchObject({ path: "[0]", kind: "lone-surrogate" });
  });

  it("reports a bad key at the key itself, written so the path is safe to show and store", () => {
    const found = findJsonProblem({ ok: 1, nested: { ["bad\u0000key"]: 1 } }, "input");
    expect(found).toMatchObject({ path: 'input.nested["bad\\u0000key"]', kind: "nul" });
    expect(found?.reason).toMatch(/^is a key that contains the NUL character/);
    const surrogate = findJsonProblem({ ["k\ud800"]: 1 }, "input");
    expect(surrogate?.path).toBe('input["k\\ud800"]');
    // Escaped to printable ASCII: no NUL, no surrogate, safe to store in a text column.
    expect(found?.path).toMatch(/^[\x20-\x7e]+$/);
    expect(surrogate?.path).toMatch(/^[\x20-\x7e]+$/);
  });

  it("reports problems in document order: a bad key before a bad value that comes later", () => {
    expect(findJsonProblem({ a: { b: "fine" }, ["c\u0000"]: "fine", d: "\u0000" })?.path).toBe('["c\\u0000"]');
    expect(findJsonProblem({ a: { b: "\u0000" }, ["c\u0000"]: "fine" })?.path).toBe("a.b");
  });

  it(`allows ${MAX_JSON_DEPTH} levels and refuses one more, at the container that is too deep`, () => {
    expect(findJsonProblem(nestedArrays(MAX_JSON_DEPTH), "input")).toBeNull();
    const found = findJsonProblem(nestedArrays(MAX_JSON_DEPTH + 1), "input");
    expect(found).toMatchObject({ kind: "too-deep", path: `input${"[0]".repeat(MAX_JSON_DEPTH)}` });
    expect(findJsonProblem({ a: { b: { c: 1 } } }, "", { maxDepth: 2 })).toMatchObject({ kind: "too-deep", path: "a.b" });
  });

  it("walks 100,000-level and 1,000,000-level nesting without overflowing the stack", () => {
    const text = `${"[".repeat(1_000_000)}${"]".repeat(1_000_000)}`;
    expect(findJsonProblem(JSON.parse(text) as unknown)).toMatchObject({ kind: "too-deep" });
    expect(findJsonProblem(nestedArrays(100_000), "", { maxDepth: 200_000, maxValues: 200_000 })).toBeNull();
  });

  it(`refuses more than ${MAX_JSON_VALUES} values at once, without walking a huge flat array`, () => {
    expect(findJsonProblem(new Array<number>(MAX_JSON_VALUES - 1).fill(0))).toBeNull();
    // Counts reads of its elements: the guard must refuse it from its length alone.
    let elementReads = 0;
    const huge = new Proxy(new Array<number>(5_000_000).fill(0), {
      get(target, property, receiver) {
        if (typeof property === "string" && /^\d+$/.test(property)) elementReads += 1;
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    expect(findJsonProblem({ huge }, "input")).toMatchObject({ kind: "too-many-values", path: "input.huge" });
    expect(elementReads).toBe(0);
    const wide = Object.fromEntries(Array.from({ length: 20 }, (_, index) => [`k${index}`, index]));
    expect(findJsonProblem({ wide }, "", { maxValues: 20 })).toMatchObject({ kind: "too-many-values", path: "wide" });
  });

  it("refuses numbers JSON cannot carry and values that are not JSON", () => {
    expect(findJsonProblem(JSON.parse('{"n":1e400}') as unknown, "input")).toMatchObject({ path: "input.n", kind: "number-out-of-range" });
    expect(findJsonProblem({ a: [1, 2n] })).toMatchObject({ path: "a[1]", kind: "not-json" });
    expect(findJsonProblem({ when: new Date(0) })).toMatchObject({ path: "when", kind: "not-json" });
    expect(findJsonProblem(undefined, "input")).toMatchObject({ path: "input", kind: "not-json" });
  });

  it("writes odd and very long keys in brackets, cut to 100 characters", () => {
    expect(findJsonProblem({ "a.b": { "with space": "\u0000" } })?.path).toBe('["a.b"]["with space"]');
    const longKey = "k".repeat(5_000);
    expect(findJsonProblem({ [longKey]: "\u0000" })?.path).toBe(`[${JSON.stringify(`${"k".repeat(100)}…`)}]`);
  });
});

describe("assertSafeJson", () => {
  it("throws a UserInputError whose message names the path and the reason", () => {
    const run = () => assertSafeJson({ items: [{}, {}, { name: "\ud800" }] }, "input");
    expect(run).toThrow(UserInputError);
    expect(run).toThrow("input.items[2].name contains a lone UTF-16 surrogate");
    try {
      run();
    } catch (error) {
      expect((error as UserInputError).path).toBe("input.items[2].name");
    }
    expect(() => assertSafeJson({ fine: ["yes"] }, "input")).not.toThrow();
    expect(() => assertSafeJson("\u0000", "")).toThrow("The data contains the NUL character");
  });
});
