// What server/http/json-guard.ts refuses, checked against the real Postgres: each problem it
// names is one jsonb really rejects (or one we must not send), and what it lets through is
// stored and read back unchanged.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findJsonProblem, MAX_JSON_DEPTH } from "../server/http/json-guard";

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error("DATABASE_URL is not set: run through `npm test` or `npm run test:integration`");

let client: pg.Client;

beforeAll(async () => {
  client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
});

afterAll(async () => {
  await client.end();
});

/** The statement Prisma and `jsonText` amount to for a Json column: JSON text cast to jsonb. */
async function storeAsJsonb(text: string): Promise<{ ok: true; value: unknown } | { ok: false; code: string; message: string }> {
  try {
    const result = await client.query<{ v: unknown }>("SELECT $1::jsonb AS v", [text]);
    return { ok: true, value: result.rows[0]?.v };
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { ok: false, code, message };
  }
}

function nestedText(levels: number): string {
  return `${"[".repeat(levels)}1${"]".repeat(levels)}`;
}

describe("json-guard against Postgres jsonb", () => {
  it.each([
    { name: "U+0000 in a value", value: { input: { a: "x\u0000y" } }, kind: "nul", path: "input.a", code: "22P05" },
    { name: "U+0000 in a key", value: { ["k\u0000"]: 1 }, kind: "nul", path: '["k\\u0000"]', code: "22P05" },
    { name: "a lone high surrogate", value: { a: "x\ud800y" }, kind: "lone-surrogate", path: "a", code: "22P02" },
    { name: "a lone low surrogate", value: ["\udc00"], kind: "lone-surrogate", path: "[0]", code: "22P02" },
    { name: "a lone surrogate in a key", value: { ["k\ud83d"]: 1 }, kind: "lone-surrogate", path: '["k\\ud83d"]', code: "22P02" },
  ])("refuses $name, which jsonb rejects ($code)", async ({ value, kind, path, code }) => {
    expect(findJsonProblem(value)).toMatchObject({ kind, path });
    const stored = await storeAsJsonb(JSON.stringify(value));
    expect(stored).toMatchObject({ ok: false, code });
  });

  it("lets through what jsonb stores and gives back unchanged", async () => {
    const value = JSON.parse(
      `{"__proto__":{"x":1},"constructor":{"prototype":"p"},"emoji":"😀 \\ud83d\\ude00","deep":${nestedText(MAX_JSON_DEPTH - 1)},"n":-1.5e300}`,
    ) as unknown;
    expect(findJsonProblem(value)).toBeNull();
    const stored = await storeAsJsonb(JSON.stringify(value));
    expect(stored.ok).toBe(true);
    if (stored.ok) {
      // jsonb keeps its own key order, so compare as values.
      expect(stored.value).toEqual(value);
      expect(JSON.stringify(stored.value)).toHaveLength(JSON.stringify(value).length);
      expect(Object.keys(stored.value as object)).toContain("__proto__");
    }
  });

  it("bounds depth itself: jsonb takes 10,000 levels and only fails near 100,000, but Node cannot stringify 10,000", async () => {
    expect(await storeAsJsonb(nestedText(10_000))).toMatchObject({ ok: true });
    expect(await storeAsJsonb(nestedText(100_000))).toMatchObject({ ok: false, code: "54001" }); // stack depth limit exceeded
    const parsed = JSON.parse(nestedText(10_000)) as unknown;
    expect(() => JSON.stringify(parsed)).toThrow(RangeError);
    expect(findJsonProblem(parsed, "input")).toMatchObject({ kind: "too-deep" });
  });

  it("refuses a number JSON.parse made infinite, which would be stored as null", async () => {
    const parsed = JSON.parse('{"n":1e400}') as unknown;
    expect(findJsonProblem(parsed)).toMatchObject({ kind: "number-out-of-range", path: "n" });
    expect(await storeAsJsonb(JSON.stringify(parsed))).toMatchObject({ ok: true, value: { n: null } });
  });
});
