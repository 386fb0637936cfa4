import { UserInputError } from "../errors";

/**
 * Checks untrusted JSON (a request body, a run input, a graph) before anything stores it or
 * walks it recursively. Postgres refuses, in jsonb, both U+0000 ("unsupported Unicode escape
 * sequence", 22P05) and a lone UTF-16 surrogate ("invalid input syntax for type json", 22P02)
 * — JSON.stringify writes a lone surrogate as `\udXXX`, which jsonb rejects — so either one
 * would surface as a 500 deep inside a save. Depth and size are bounded too: recursive code
 * (JSON.stringify, our own walkers, React) overflows the stack at a few thousand levels, and
 * a huge flat array would hold the event loop. The walk itself is iterative.
 */

/** No workflow, input or event of ours comes near this; a graph is about 5 levels deep. */
export const MAX_JSON_DEPTH = 64;

/**
 * Values (every string, number, array, object… counted once) in one body. 100,000 is well
 * above a real run input; a full-size graph (5,000 nodes, 10,000 edges) can hold a few hundred
 * thousand, so graph-carrying calls pass `{ maxValues: MAX_GRAPH_JSON_VALUES }`.
 */
export const MAX_JSON_VALUES = 100_000;
export const MAX_GRAPH_JSON_VALUES = 1_000_000;

export type JsonGuardLimits = { maxDepth?: number; maxValues?: number };

export type JsonProblemKind = "nul" | "lone-surrogate" | "too-deep" | "too-many-values" | "number-out-of-range" | "not-json";

export type JsonProblem = { path: string; kind: JsonProblemKind; reason: string };

const NUL_REASON = "contains the NUL character (\\u0000), which cannot be stored";
const SURROGATE_REASON = "contains a lone UTF-16 surrogate (not valid Unicode), which cannot be stored";

/** A value to look at, with the way back to the root (paths are built only for a problem). */
type Frame = { value: unknown; parent: Frame | null; key: string | number | null; depth: number };

/**
 * The first problem in document order, or null. `rootPath` prefixes every path: with
 * `"input"`, a bad string at `items[2].name` is reported as `input.items[2].name`.
 */
export function findJsonProblem(value: unknown, rootPath = "", limits: JsonGuardLimits = {}): JsonProblem | null {
  const maxDepth = limits.maxDepth ?? MAX_JSON_DEPTH;
  const maxValues = limits.maxValues ?? MAX_JSON_VALUES;
  const problem = (frame: Frame, kind: JsonProblemKind, reason: string): JsonProblem => ({ path: pathOf(frame, rootPath), kind, reason });

  let seen = 1;
  const stack: Frame[] = [{ value, parent: null, key: null, depth: 0 }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    // A key is checked when its value is reached, so problems come out in document order.
    if (typeof frame.key === "string") {
      const keyProblem = textProblem(frame.key);
      if (keyProblem) return problem(frame, keyProblem, `is a key that ${keyProblem === "nul" ? NUL_REASON : SURROGATE_REASON}`);
    }
    const current = frame.value;
    switch (typeof current) {
      case "string": {
        const kind = textProblem(current);
        if (kind) return problem(frame, kind, kind === "nul" ? NUL_REASON : SURROGATE_REASON);
        continue;
      }
      case "number":
        // JSON.parse turns 1e400 into Infinity, which would be stored as null.
        if (!Number.isFinite(current)) return problem(frame, "number-out-of-range", "is a number too large to store");
        continue;
      case "boolean":
        continue;
      case "object":
        if (current === null) continue;
        break;
      default:
        return problem(frame, "not-json", "is not a JSON value");
    }
    if (!Array.isArray(current) && !isPlainObject(current)) return problem(frame, "not-json", "is not a JSON value");
    const depth = frame.depth + 1;
    if (depth > maxDepth) return problem(frame, "too-deep", `is nested deeper than ${maxDepth} levels`);
    // Counted before anything is pushed, so a huge flat array is refused without walking it.
    if (Array.isArray(current)) {
      seen += current.length;
      if (seen > maxValues) return problem(frame, "too-many-values", `makes the data hold more than ${maxValues} values`);
      for (let index = current.length - 1; index >= 0; index--) stack.push({ value: current[index], parent: frame, key: index, depth });
    } else {
      const record = current as Record<string, unknown>;
      const keys = Object.keys(record);
      seen += keys.length;
      if (seen > maxValues) return problem(frame, "too-many-values", `makes the data hold more than ${maxValues} values`);
      // Own keys only: a `__proto__` key from JSON.parse is an own property and just data here.
      for (let index = keys.length - 1; index >= 0; index--) {
        const key = keys[index] as string;
        stack.push({ value: record[key], parent: frame, key, depth });
      }
    }
  }
  return null;
}

/** Refuses JSON we must not store or walk, naming where and why (a 400 with that path). */
export function assertSafeJson(value: unknown, rootPath: string, limits?: JsonGuardLimits): void {
  const found = findJsonProblem(value, rootPath, limits);
  if (found) throw new UserInputError(`${found.path || "The data"} ${found.reason}`, found.path || undefined);
}

function textProblem(text: string): "nul" | "lone-surrogate" | null {
  if (text.includes("\u0000")) return "nul";
  if (!isWellFormed(text)) return "lone-surrogate";
  return null;
}

// ES2024 (Node 20 has it); tsconfig's lib stops at ES2023.
const isWellFormed = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * `input.items[2].name`, like `nulCharacterPath` in server/json.ts. A key that is not a plain
 * word (the bad key itself, a dot, a space, a very long key) is written `["…"]` with JSON
 * escapes, so the path in the error message is itself safe to show, log and store.
 */
function pathOf(frame: Frame, rootPath: string): string {
  const keys: (string | number)[] = [];
  for (let at: Frame | null = frame; at !== null && at.key !== null; at = at.parent) keys.push(at.key);
  let path = rootPath;
  for (let index = keys.length - 1; index >= 0; index--) {
    const key = keys[index] as string | number;
    if (typeof key === "number") path += `[${key}]`;
    else if (PLAIN_KEY.test(key)) path += path === "" ? key : `.${key}`;
    else path += `[${JSON.stringify(key.length > MAX_KEY_IN_PATH ? `${key.slice(0, MAX_KEY_IN_PATH)}…` : key)}]`;
  }
  return path;
}

const MAX_KEY_IN_PATH = 100;
const PLAIN_KEY = /^[\p{L}\p{N}_$-]{1,100}$/u;
