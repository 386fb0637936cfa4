import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import { initTRPC } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { decodeOutput, encodeOutput, MAX_INLINE_DEPTH, wire, WireDecodeError, WireEncodeError } from "./wire";

/** What the browser gets: the envelope goes through JSON text, as over HTTP. */
const overTheWire = (value: unknown) => decodeOutput(JSON.parse(JSON.stringify(encodeOutput(value))));

function nested(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let level = 0; level < depth; level++) value = [value];
  return value;
}

/** Arrays, `{ k }` and `{ __proto__ }` (an own key, as JSON.parse makes it) in turn, `depth` deep. */
function mixedChain(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let level = 0; level < depth; level++) {
    if (level % 3 === 0) value = [value];
    else if (level % 3 === 1) value = { k: value, n: level };
    else {
      const holder: Record<string, unknown> = { n: level };
      Object.defineProperty(holder, "__proto__", { value, enumerable: true, writable: true, configurable: true });
      value = holder;
    }
  }
  return value;
}

/** Walks a mixedChain down without recursion (toEqual would overflow); returns its depth and leaf. */
function walkChain(value: unknown): { depth: number; leaf: unknown } {
  let depth = 0;
  let current = value;
  for (;;) {
    if (Array.isArray(current) && current.length === 1) current = current[0];
    else if (current !== null && typeof current === "object" && Object.hasOwn(current, "k")) current = (current as { k: unknown }).k;
    else if (current !== null && typeof current === "object" && Object.hasOwn(current, "__proto__")) {
      expect(Object.getPrototypeOf(current)).toBe(Object.prototype);
      current = Object.getOwnPropertyDescriptor(current, "__proto__")?.value;
    } else return { depth, leaf: current };
    depth += 1;
  }
}

const prototypeKeysBefore = Object.getOwnPropertyNames(Object.prototype).sort();
afterEach(() => {
  // Nothing in this file may ever reach Object.prototype.
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeysBefore);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

describe("output: JSON plus Dates", () => {
  it("restores Dates at the recorded paths and leaves look-alike strings alone", () => {
    const createdAt = new Date("2026-01-02T03:04:05.678Z");
    const value = { items: [{ createdAt, note: "2026-01-02T03:04:05.678Z" }], finishedAt: null, at: createdAt };
    const encoded = encodeOutput(value);
    expect(encoded.dates).toEqual([["items", 0, "createdAt"], ["at"]]);
    const decoded = overTheWire(value) as typeof value;
    expect(decoded).toEqual(value);
    expect(decoded.items[0]?.createdAt).toBeInstanceOf(Date);
    expect(decoded.items[0]?.note).toBe("2026-01-02T03:04:05.678Z");
    expect(decoded.at).toBeInstanceOf(Date);
  });

  it("round-trips a top-level Date, undefined and null", () => {
    const date = new Date(0);
    expect(overTheWire(date)).toEqual(date);
    expect(encodeOutput(undefined)).toEqual({});
    expect(overTheWire(undefined)).toBeUndefined();
    expect(overTheWire(null)).toBeNull();
  });

  it("follows JSON for what JSON drops: undefined, functions, non-finite numbers, invalid Dates", () => {
    const value = { a: undefined, f: () => 1, list: [undefined, Number.NaN, Infinity], bad: new Date(Number.NaN), n: 1.5 };
    expect(overTheWire(value)).toEqual(JSON.parse(JSON.stringify(value)));
    expect(overTheWire(value)).toEqual({ list: [null, null, null], bad: null, n: 1.5 });
  });

  it("keeps key order", () => {
    const value = { b: 1, a: { z: 1, y: new Date(1) }, c: 3 };
    expect(JSON.stringify(overTheWire(value))).toBe(JSON.stringify(value));
  });

  it("round-trips __proto__, constructor and prototype keys as ordinary data, Dates inside them included", () => {
    // What Prisma hands us for a run input `{"__proto__": …}`: JSON.parse makes it an own key.
    const input = JSON.parse('{"__proto__":{"polluted":true,"x":[1]},"constructor":{"prototype":{"polluted":true}},"prototype":"p"}') as Record<string, unknown>;
    const when = new Date("2026-05-06T07:08:09.000Z");
    const value = { input, nested: JSON.parse('{"__proto__":{}}') as Record<string, unknown>, at: when };
    Object.defineProperty(value.nested, "__proto__", { value: { at: when }, enumerable: true, writable: true, configurable: true });

    const encoded = encodeOutput(value);
    expect(encoded.dates).toEqual([["nested", "__proto__", "at"], ["at"]]);
    const text = JSON.stringify(encoded);
    expect(text).toContain('"__proto__":{"polluted":true');

    const decoded = decodeOutput(JSON.parse(text)) as typeof value;
    expect(Object.getPrototypeOf(decoded.input)).toBe(Object.prototype);
    expect(Object.keys(decoded.input)).toEqual(["__proto__", "constructor", "prototype"]);
    expect(Object.getOwnPropertyDescriptor(decoded.input, "__proto__")?.value).toEqual({ polluted: true, x: [1] });
    expect(decoded.input.constructor).toEqual({ prototype: { polluted: true } });
    expect(decoded.input.prototype).toBe("p");
    const nestedProto = Object.getOwnPropertyDescriptor(decoded.nested, "__proto__")?.value as { at: unknown };
    expect(nestedProto.at).toBeInstanceOf(Date);
    expect(nestedProto.at).toEqual(when);
    expect(Object.getPrototypeOf(decoded.nested)).toBe(Object.prototype);
  });

  it("refuses date paths that are not own data, so a bad response cannot write to a prototype", () => {
    for (const dates of [[["__proto__", "polluted"]], [["constructor", "prototype", "polluted"]], [["a", "__proto__"]], [["list", 5]], [["list", "0"]]]) {
      expect(() => decodeOutput({ json: { a: "x", list: ["2026-01-01T00:00:00.000Z"] }, dates })).toThrow(WireDecodeError);
    }
    expect(() => decodeOutput({ json: { a: 1 }, dates: [["a"]] })).toThrow(/not a string/);
    // A real own `__proto__` key holding a date becomes an own Date property; the prototype stays.
    const decoded = decodeOutput(JSON.parse('{"json":{"__proto__":"2026-01-01T00:00:00.000Z"},"dates":[["__proto__"]]}')) as object;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(decoded, "__proto__")?.value).toEqual(new Date("2026-01-01T00:00:00.000Z"));
    expect(() => decodeOutput({ json: {}, dates: "x" })).toThrow(WireDecodeError);
    expect(() => decodeOutput({ json: { a: "{" }, deep: [["a"]] })).toThrow(/not JSON/);
    expect(() => decodeOutput({ json: {}, deep: [["__proto__"]] })).toThrow(WireDecodeError);
    expect(() => decodeOutput("nope")).toThrow(WireDecodeError);
  });

  it(`inlines ${MAX_INLINE_DEPTH} levels as they are`, () => {
    const encoded = encodeOutput(nested(MAX_INLINE_DEPTH, new Date(5)));
    expect(encoded.deep).toBeUndefined();
    expect(decodeOutput(JSON.parse(JSON.stringify(encoded)))).toEqual(nested(MAX_INLINE_DEPTH, new Date(5)));
  });

  it("sends 10,000 and 100,000 levels without overflowing any stack, and the browser gets them back whole", () => {
    for (const depth of [10_000, 100_000]) {
      const when = new Date("2026-02-03T04:05:06.000Z");
      const encoded = encodeOutput({ state: mixedChain(depth, when) });
      // Below the inline part the subtree travels as JSON text, so tRPC's JSON.stringify stays shallow.
      expect(encoded.deep).toHaveLength(1);
      expect(encoded.deep?.[0]).toHaveLength(MAX_INLINE_DEPTH);
      expect(encoded.dates?.[0]).toHaveLength(depth + 1);
      const text = JSON.stringify(encoded);
      const decoded = decodeOutput(JSON.parse(text)) as { state: unknown };
      const { depth: decodedDepth, leaf } = walkChain(decoded.state);
      expect(decodedDepth).toBe(depth);
      expect(leaf).toBeInstanceOf(Date);
      expect(leaf).toEqual(when);
    }
  });

  it("writes deep subtrees exactly as JSON.stringify would", () => {
    const rich = {
      text: 'quote " backslash \\ newline \n emoji 😀 nul \u0000',
      numbers: [0, -0, 1.5, 1e21, -2e-7, Number.NaN, Infinity],
      flags: [true, false, null],
      skipped: undefined,
      fn: () => 1,
      holes: [undefined, () => 1, Symbol("s")],
      money: { toJSON: (key: string) => `12.50 for ${key}` },
      at: new Date("2026-01-01T00:00:00.000Z"),
      invalid: new Date(Number.NaN),
      empty: { a: {}, b: [] },
      constructor: { prototype: 1 },
    };
    const encoded = encodeOutput(nested(MAX_INLINE_DEPTH, rich));
    let inline: unknown = encoded.json;
    for (let level = 0; level < MAX_INLINE_DEPTH; level++) inline = (inline as unknown[])[0];
    expect(inline).toBe(JSON.stringify(rich));
    const decoded = decodeOutput(JSON.parse(JSON.stringify(encoded)));
    let leaf: unknown = decoded;
    for (let level = 0; level < MAX_INLINE_DEPTH; level++) leaf = (leaf as unknown[])[0];
    expect(leaf).toEqual({ ...(JSON.parse(JSON.stringify(rich)) as object), at: rich.at });
  });

  it("refuses cyclic data with a clear error, however it is reached", () => {
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    expect(() => encodeOutput(cyclic)).toThrow(WireEncodeError);
    expect(() => encodeOutput({ list: [cyclic] })).toThrow(/^Cannot send cyclic data \(at list\[0\]\.self/);
    // Shared but not cyclic is fine, as in JSON.
    const shared = { x: 1 };
    expect(overTheWire({ a: shared, b: shared })).toEqual({ a: { x: 1 }, b: { x: 1 } });
  });

  it("refuses what JSON would silently mangle: BigInt, Map, Set", () => {
    expect(() => encodeOutput({ stats: [{ calls: 3n }] })).toThrow("Cannot send a BigInt (at stats[0].calls)");
    expect(() => encodeOutput({ byId: new Map() })).toThrow(/Map \(at byId\)/);
    expect(() => encodeOutput(new Set())).toThrow(/Set \(at the top level\)/);
  });

  it("uses toJSON like JSON.stringify for other objects", () => {
    const money = { toJSON: () => "12.50" };
    expect(overTheWire({ cost: money })).toEqual({ cost: "12.50" });
  });
});

describe("input: plain JSON only", () => {
  it("passes the parsed JSON through untouched, superjson-style meta included (no BigInts, no cycles)", () => {
    const raw = JSON.parse(
      '{"json":{"a":"1","b":{},"c":{}},"meta":{"values":{"a":["bigint"]},"referentialEqualities":{"b":["c"],"c":["b.x"]}}}',
    ) as unknown;
    const copy = structuredClone(raw);
    expect(wire.input.deserialize(raw)).toBe(raw);
    expect(raw).toEqual(copy);
    expect(wire.input.serialize({ workflowId: "w1" })).toEqual({ workflowId: "w1" });
  });
});

describe("through tRPC", () => {
  const t = initTRPC.create({ transformer: wire });
  const router = t.router({
    run: t.procedure.input(z.object({ runId: z.string() })).query(({ input }) => ({
      id: input.runId,
      createdAt: new Date("2026-03-04T05:06:07.000Z"),
      input: JSON.parse('{"__proto__":{"polluted":true},"constructor":"c"}') as unknown,
      events: [{ at: new Date("2026-03-04T05:06:08.000Z"), payload: { prototype: 1 } }],
    })),
    nothing: t.procedure.query(() => undefined),
    deep: t.procedure.query(() => ({ state: mixedChain(10_000, "leaf") })),
    bigint: t.procedure.query(() => ({ calls: 3n })),
    echo: t.procedure.input(z.unknown()).mutation(({ input }) => ({ input })),
  });
  const handle = (request: Request) => fetchRequestHandler({ endpoint: "/api/trpc", req: request, router, createContext: () => ({}) });
  const client = createTRPCClient<typeof router>({
    links: [httpBatchLink({ url: "http://app.test/api/trpc", transformer: wire, fetch: (url, init) => handle(new Request(url, init)) })],
  });

  it("delivers Dates as Dates and odd keys as data", async () => {
    const run = await client.run.query({ runId: "r1" });
    expect(run.createdAt).toBeInstanceOf(Date);
    expect(run.events[0]?.at).toEqual(new Date("2026-03-04T05:06:08.000Z"));
    expect(Object.keys(run.input as object)).toEqual(["__proto__", "constructor"]);
    expect(Object.getPrototypeOf(run.input)).toBe(Object.prototype);
  });

  it("returns undefined from a query that returns nothing", async () => {
    await expect(client.nothing.query()).resolves.toBeUndefined();
  });

  it("sends mutation input as plain JSON and takes back exactly that", async () => {
    const input = { json: { a: "1" }, meta: { values: { a: ["bigint"] } } };
    await expect(client.echo.mutate(input)).resolves.toEqual({ input });
  });

  it("delivers 10,000-level data whole", async () => {
    const result = await client.deep.query();
    expect(walkChain(result.state)).toEqual({ depth: 10_000, leaf: "leaf" });
  });

  it("answers output JSON cannot carry with a 500 whose message says why", async () => {
    const response = await handle(new Request("http://app.test/api/trpc/bigint"));
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: unknown };
    const error = decodeOutput(body.error) as { message: string; data: { code: string } };
    expect(error.data.code).toBe("INTERNAL_SERVER_ERROR");
    expect(error.message).toBe("Cannot send a BigInt (at calls): convert it to a number or string first");
    await expect(client.bigint.query()).rejects.toBeInstanceOf(TRPCClientError);
  });
});
