import fc from "fast-check";

/**
 * fast-check arbitraries for the fuzz test (tests/fuzz.test.ts): hostile JSON values, hostile
 * strings, bad ids, and mutations of a valid input (a field deleted, retyped, replaced, an
 * unknown field added, an id swapped for a bad one).
 */

/** Strings a careless handler chokes on: NUL, lone surrogates, huge, deep unicode, injection-looking. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "a\u0000b",
    "\uD800",
    "x\uDFFFy",
    "\u202Eevil",
    "👩‍👩‍👧‍👦".repeat(50),
    "' OR 1=1 --",
    "$(reboot)",
    "../../etc/passwd",
    "%00",
    "null",
    "undefined",
    "NaN",
    "-1",
    "1e309",
    "__proto__",
    "constructor",
    "<script>alert(1)</script>",
    "0x7fffffff",
  ),
  fc.integer({ min: 1, max: 4 }).map((n) => "x".repeat(10 ** n * 7)), // 70 … 70,000 characters
);

export const badId: fc.Arbitrary<string> = fc.oneof(
  hostileString,
  fc.constantFrom("run_doesnotexist", "wf_doesnotexist", "ht_nope", "a".repeat(101), "a b", "a/b", "..", "%2F", "run_" + "z".repeat(30)),
  fc.uuid(),
);

/** Any JSON value, with hostile leaves now and then. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, -0, -1, 1.5, 2 ** 31, 2 ** 53 + 1, -1e308, 1e308),
    hostileString,
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(fc.oneof(hostileString, fc.constantFrom("__proto__", "constructor", "input", "id", "name")), tie("value"), { maxKeys: 5 }),
  ),
})).value;

/** An array or object nested far beyond what any input needs. */
export const deepJson: fc.Arbitrary<unknown> = fc.record({ depth: fc.integer({ min: 50, max: 1_000 }), asObject: fc.boolean() }).map(({ depth, asObject }) => {
  let value: unknown = "leaf";
  for (let i = 0; i < depth; i += 1) value = asObject ? { a: value } : [value];
  return value;
});

/** A wide value: many keys or a long array (size limits, not depth). */
export const wideJson: fc.Arbitrary<unknown> = fc.record({ count: fc.integer({ min: 100, max: 30_000 }), asObject: fc.boolean() }).map(({ count, asObject }) =>
  asObject ? Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, i])) : Array.from({ length: count }, (_, i) => i),
);

export const anyJson: fc.Arbitrary<unknown> = fc.oneof({ weight: 8, arbitrary: hostileJson }, { weight: 1, arbitrary: deepJson }, { weight: 1, arbitrary: wideJson });

/** A request body that is not what its content type says, or not JSON at all. */
export const rawBody: fc.Arbitrary<string> = fc.oneof(
  anyJson.map((value) => JSON.stringify(value) ?? "null"),
  fc.constantFrom("", "{", "[1,", "{\"a\":}", "nul", "\u0000", "{\"__proto__\":{\"admin\":true}}", "1e999999", "[" .repeat(10_000), "\uFEFF{}"),
  fc.string({ unit: "binary", maxLength: 200 }),
);

export type Mutation =
  | { kind: "delete"; at: number }
  | { kind: "replace"; at: number; value: unknown }
  | { kind: "retype"; at: number }
  | { kind: "addField"; at: number; key: string; value: unknown }
  | { kind: "badId"; at: number; value: string }
  | { kind: "whole"; value: unknown };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("replace" as const), at: fc.nat(), value: anyJson }),
  fc.record({ kind: fc.constant("retype" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("addField" as const), at: fc.nat(), key: fc.oneof(hostileString, fc.constantFrom("workspaceId", "id", "__proto__", "role")), value: hostileJson }),
  fc.record({ kind: fc.constant("badId" as const), at: fc.nat(), value: badId }),
  fc.record({ kind: fc.constant("whole" as const), value: anyJson }),
);

type Path = (string | number)[];

function paths(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (out.length > 200) return out;
  if (Array.isArray(value)) value.forEach((item, index) => paths(item, [...prefix, index], out));
  else if (value !== null && typeof value === "object") for (const [key, item] of Object.entries(value)) paths(item, [...prefix, key], out);
  return out;
}

function retyped(value: unknown): unknown {
  if (typeof value === "string") return value.length;
  if (typeof value === "number") return String(value);
  if (typeof value === "boolean") return value ? "true" : 0;
  if (Array.isArray(value)) return Object.fromEntries(value.map((item, index) => [index, item]));
  if (value === null) return {};
  return [value];
}

/** Applies a mutation to a deep copy of a valid input (at = which of its paths, modulo their count). */
export function applyMutation(sample: unknown, change: Mutation): unknown {
  if (change.kind === "whole") return change.value;
  const root: { value: unknown } = { value: sample === undefined ? undefined : structuredClone(sample) };
  const all = paths(root.value);
  const path = all[change.at % all.length] ?? [];
  const parentPath = path.slice(0, -1);
  const key = path.at(-1);
  let parent: unknown = root.value;
  for (const step of parentPath) parent = (parent as Record<string | number, unknown>)[step];
  const set = (value: unknown) => {
    if (key === undefined) root.value = value;
    else (parent as Record<string | number, unknown>)[key] = value;
  };
  const current = key === undefined ? root.value : (parent as Record<string | number, unknown>)[key];
  switch (change.kind) {
    case "delete":
      if (key === undefined) root.value = undefined;
      else if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete (parent as Record<string, unknown>)[key];
      break;
    case "replace":
      set(change.value);
      break;
    case "retype":
      set(retyped(current));
      break;
    case "badId":
      set(change.value);
      break;
    case "addField":
      if (current !== null && typeof current === "object" && !Array.isArray(current)) (current as Record<string, unknown>)[change.key] = change.value;
      else set({ [change.key]: change.value });
      break;
  }
  return root.value;
}

/** Headers a client might send wrong: content types, accept, idempotency keys, bearer garbage. */
export const headerNoise: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    "content-type": fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=utf-16", "", "*/*"),
    accept: fc.constantFrom("application/json", "text/event-stream", "*/*", "text/html", "application/xml"),
    "idempotency-key": fc.oneof(fc.uuid(), fc.constantFrom("", " ", "x".repeat(300), "ключ", "a\tb")),
    prefer: fc.constantFrom("wait=1", "wait=0", "wait=-1", "wait=abc", "wait=99999", "respond-async", "wait=1, wait=2"),
    "last-event-id": fc.constantFrom("0", "-1", "abc", "99999999999999999999", "1.5", ""),
  },
  { requiredKeys: [] },
);

/** Query strings: known parameter names with bad values, unknown names, repeats, encodings. */
export function queryNoise(known: readonly string[]): fc.Arbitrary<string> {
  const name = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known, "unknown", "__proto__", "") }, { weight: 1, arbitrary: fc.string({ maxLength: 10 }) });
  const value = fc.oneof(
    fc.constantFrom("", "0", "-1", "1", "200", "201", "1000", "1001", "99999999999", "1.5", "true", "false", "yes", "null", "2026-13-45", "2026-11-01", "running,failed", "nope", "%", "%00", "%E0%A4%A"),
    hostileString.map((s) => encodeURIComponent(wellFormed(s.slice(0, 300)))),
  );
  return fc.array(fc.tuple(name, value), { maxLength: 5 }).map((pairs) => pairs.map(([n, v]) => `${encodeURIComponent(wellFormed(n))}=${v}`).join("&"));
}

/** Text as a client can send it: a lone surrogate cannot be UTF-8 encoded, so it becomes U+FFFD. */
export function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}
