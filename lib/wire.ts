import type { CombinedDataTransformer } from "@trpc/server";

/**
 * The tRPC data transformer (client and server both import it, so it is pure: no Node APIs).
 *
 * Input (browser → server) is plain JSON and nothing else. superjson, which this replaces,
 * let the caller send `meta` that the server obeyed (BigInts, references that build cycles);
 * here the server takes the parsed JSON as it is, and the routers' zod schemas do the rest.
 * Our inputs never carry Dates.
 *
 * Output (server → browser) is plain JSON plus Dates: the server copies the value with an
 * explicit stack (never recursion: stored run data can be deep), writes each Date as its ISO
 * string and records where it was; the browser turns exactly those strings back into Dates.
 *
 *   { json: { items: [{ createdAt: "2026-01-02T03:04:05.000Z" }] }, dates: [["items", 0, "createdAt"]] }
 *
 * Keys are data, whatever they are: `__proto__`, `constructor` and `prototype` round-trip as
 * own properties (superjson refuses them and so broke the run page of any run whose input
 * had one), and restoring a value only ever writes an own property found by its path.
 */

export type WirePath = (string | number)[];

/**
 * What the server sends for one result; no `json` means `undefined` (a query may return
 * nothing). `deep` lists places holding the JSON text of a subtree nested too deep to inline.
 */
export type WireOutput = { json?: unknown; dates?: WirePath[]; deep?: WirePath[] };

/**
 * Containers deeper than this are sent as JSON text, written here without recursion, and
 * parsed back by the browser (JSON.parse does not recurse). tRPC writes the response with
 * JSON.stringify, which does recurse and throws RangeError at a few thousand levels (between
 * 3,000 and 5,000 in Node 20); a run's data — a `run_code` result, say — can be deeper, and
 * failing its response would make that run's page fail on every load.
 */
export const MAX_INLINE_DEPTH = 1_000;

/** The server was asked to send something JSON cannot carry faithfully (a BigInt, a Map, a cycle). */
export class WireEncodeError extends Error {
  constructor(
    message: string,
    readonly path: WirePath,
  ) {
    super(message);
    this.name = "WireEncodeError";
  }
}

/** The browser received something our server does not send. */
export class WireDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WireDecodeError";
  }
}

type Container = Record<string, unknown> | unknown[];

/** A path as a chain from the value up to the root, so nothing is copied per value. */
type PathLink = { readonly parent: PathLink | null; readonly key: string | number } | null;

type Task = { source: unknown; target: Container; key: string | number; path: PathLink; depth: number };

/** A container being written as text by `deepText`, and how far through it the writer is. */
type TextFrame = { container: object; keys: string[] | null; length: number; next: number; wrote: boolean; path: PathLink };

const ROOT = "json";
/** What JSON leaves out of objects (undefined, functions, symbols). */
const SKIP = Symbol("skip");

export function encodeOutput(value: unknown): WireOutput {
  const envelope: Record<string, unknown> = {};
  const dates: WirePath[] = [];
  const deep: WirePath[] = [];
  const stack: Task[] = [{ source: value, target: envelope, key: ROOT, path: null, depth: 0 }];
  for (let task = stack.pop(); task !== undefined; task = stack.pop()) {
    const { target, key, path, depth } = task;
    const source = resolve(task.source, key, path, dates);
    if (source === SKIP) {
      // As in JSON: dropped from objects, null in arrays; at the top, the envelope has no `json`.
      if (Array.isArray(target)) put(target, key, null);
      continue;
    }
    if (typeof source !== "object" || source === null) {
      put(target, key, source);
      continue;
    }
    if (depth + 1 > MAX_INLINE_DEPTH) {
      put(target, key, deepText(source, path, dates));
      deep.push(toArray(path));
      continue;
    }
    if (Array.isArray(source)) {
      const copy: unknown[] = new Array<unknown>(source.length);
      put(target, key, copy);
      for (let index = source.length - 1; index >= 0; index--) {
        stack.push({ source: source[index], target: copy, key: index, path: { parent: path, key: index }, depth: depth + 1 });
      }
      continue;
    }
    const record = source as Record<string, unknown>;
    const copy: Record<string, unknown> = {};
    put(target, key, copy);
    // Children are popped in key order, so the copy keeps the original key order.
    const keys = Object.keys(record);
    for (let index = keys.length - 1; index >= 0; index--) {
      const childKey = keys[index] as string;
      stack.push({ source: record[childKey], target: copy, key: childKey, path: { parent: path, key: childKey }, depth: depth + 1 });
    }
  }
  const output: WireOutput = envelope;
  if (dates.length > 0) output.dates = dates;
  if (deep.length > 0) output.deep = deep;
  return output;
}

/**
 * What JSON.stringify would write for `value`, except that a Date is recorded at `path`:
 * a string, number (non-finite → null), boolean, null, container, or SKIP for what JSON
 * leaves out (undefined, functions, symbols). BigInt, Map and Set are refused, not mangled.
 */
function resolve(value: unknown, key: string | number, path: PathLink, dates: WirePath[]): unknown {
  if (isDate(value)) {
    // An invalid Date is `null` in JSON (its toJSON says so) and stays null.
    if (Number.isNaN(value.getTime())) return null;
    dates.push(toArray(path));
    return value.toISOString();
  }
  let current = value;
  if (typeof current === "object" && current !== null && "toJSON" in current && typeof current.toJSON === "function") {
    // e.g. a Decimal; JSON.stringify passes "" for the top-level value.
    current = (current.toJSON as (key: string) => unknown).call(current, path === null ? "" : String(key));
  }
  switch (typeof current) {
    case "string":
    case "boolean":
      return current;
    case "number":
      return Number.isFinite(current) ? current : null;
    case "bigint":
      throw new WireEncodeError(`Cannot send a BigInt (at ${describe(path)}): convert it to a number or string first`, toArray(path));
    case "undefined":
    case "function":
    case "symbol":
      return SKIP;
  }
  if (current instanceof Map || current instanceof Set) {
    throw new WireEncodeError(`Cannot send a ${current instanceof Map ? "Map" : "Set"} (at ${describe(path)}): JSON would turn it into {}`, toArray(path));
  }
  return current;
}

/** JSON text of a container of any depth, written with an explicit stack; Dates are recorded as above. */
function deepText(root: object, rootPath: PathLink, dates: WirePath[]): string {
  const parts: string[] = [];
  const frames: TextFrame[] = [];
  const open = new Set<object>(); // the containers being written, to refuse a cycle
  const begin = (container: object, path: PathLink) => {
    if (open.has(container)) {
      throw new WireEncodeError(`Cannot send cyclic data (at ${describe(path)})`, toArray(path));
    }
    const keys = Array.isArray(container) ? null : Object.keys(container);
    open.add(container);
    frames.push({ container, keys, length: keys ? keys.length : (container as unknown[]).length, next: 0, wrote: false, path });
    parts.push(keys ? "{" : "[");
  };
  begin(root, rootPath);
  for (let frame = frames.at(-1); frame !== undefined; frame = frames.at(-1)) {
    if (frame.next >= frame.length) {
      parts.push(frame.keys ? "}" : "]");
      open.delete(frame.container);
      frames.pop();
      continue;
    }
    const key: string | number = frame.keys ? (frame.keys[frame.next] as string) : frame.next;
    frame.next += 1;
    const path = { parent: frame.path, key };
    const value = resolve((frame.container as Record<string | number, unknown>)[key], key, path, dates);
    if (value === SKIP && frame.keys) continue;
    if (frame.wrote) parts.push(",");
    frame.wrote = true;
    if (frame.keys) parts.push(JSON.stringify(key), ":");
    if (typeof value === "object" && value !== null) begin(value, path);
    else parts.push(value === SKIP ? "null" : JSON.stringify(value));
  }
  return parts.join("");
}

export function decodeOutput(payload: unknown): unknown {
  if (!isPlainRecord(payload)) throw new WireDecodeError("Malformed response: expected an object");
  if (!Object.hasOwn(payload, ROOT)) return undefined;
  let root = payload[ROOT];
  // Deep subtrees first: some dates lie inside them.
  for (const listName of ["deep", "dates"] as const) {
    const paths = Object.hasOwn(payload, listName) ? payload[listName] : undefined;
    if (paths === undefined) continue;
    if (!Array.isArray(paths)) throw new WireDecodeError(`Malformed response: \`${listName}\` is not a list`);
    const revive = listName === "deep" ? parseText : toDate;
    for (const path of paths) {
      if (!isWirePath(path)) throw new WireDecodeError(`Malformed response: a path in \`${listName}\` is not a list of keys`);
      root = replaceAt(root, path, revive);
    }
  }
  return root;
}

/**
 * Replaces the string at `path` with what `revive` makes of it. Every step must be an own
 * property (or an index) of what is there, so a path through `__proto__` reaches a
 * `__proto__` key the data really has and never a prototype; the write defines an own
 * property and so never runs a setter.
 */
function replaceAt(root: unknown, path: WirePath, revive: (text: string, path: WirePath) => unknown): unknown {
  if (path.length === 0) return revive(expectString(root, path), path);
  let parent: unknown = root;
  for (let index = 0; index < path.length - 1; index++) parent = child(parent, path[index] as string | number, path);
  const last = path[path.length - 1] as string | number;
  const value = revive(expectString(child(parent, last, path), path), path);
  Object.defineProperty(parent, last, { value, writable: true, enumerable: true, configurable: true });
  return root;
}

function child(parent: unknown, key: string | number, path: WirePath): unknown {
  if (Array.isArray(parent)) {
    if (typeof key === "number" && Number.isInteger(key) && key >= 0 && key < parent.length) return parent[key];
  } else if (isPlainRecord(parent) && typeof key === "string" && Object.hasOwn(parent, key)) {
    return parent[key];
  }
  throw new WireDecodeError(`Malformed response: nothing at ${describePath(path)}`);
}

function expectString(value: unknown, path: WirePath): string {
  if (typeof value !== "string") throw new WireDecodeError(`Malformed response: the value at ${describePath(path)} is not a string`);
  return value;
}

const toDate = (text: string): Date => new Date(text);

function parseText(text: string, path: WirePath): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new WireDecodeError(`Malformed response: the text at ${describePath(path)} is not JSON`);
  }
}

/** tRPC's combined transformer: `input` runs client → server, `output` server → client. */
export const wire = {
  input: {
    // The link JSON-encodes the value; the server receives what JSON.parse made of it.
    serialize: (value: unknown) => value,
    deserialize: (value: unknown) => value,
  },
  output: { serialize: encodeOutput, deserialize: decodeOutput },
} satisfies CombinedDataTransformer;

function put(target: Container, key: string | number, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else (target as Record<string | number, unknown>)[key] = value;
}

function isDate(value: unknown): value is Date {
  return Object.prototype.toString.call(value) === "[object Date]";
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isWirePath(value: unknown): value is WirePath {
  return Array.isArray(value) && value.every((key) => typeof key === "string" || typeof key === "number");
}

function toArray(path: PathLink): WirePath {
  const keys: WirePath = [];
  for (let link = path; link !== null; link = link.parent) keys.push(link.key);
  return keys.reverse();
}

/** `items[0].createdAt`, for messages (only built when something fails). */
function describe(path: PathLink): string {
  return describePath(toArray(path));
}

function describePath(keys: WirePath): string {
  if (keys.length === 0) return "the top level";
  const text = keys.map((key, index) => (typeof key === "number" ? `[${key}]` : index === 0 ? key : `.${key}`)).join("");
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
