/**
 * JSON text for run data that may be nested arbitrarily deep. JSON.parse accepts any depth,
 * but V8's JSON.stringify recurses and throws RangeError a few thousand levels down (fewer on
 * a smaller stack), which would stop the engine on a run's input or a tool's result. Values
 * deeper than NATIVE_DEPTH_LIMIT are therefore written with an explicit stack, and compactly:
 * indenting thousands of levels would make the text grow with the square of the depth.
 *
 * Shallower values get exactly JSON.stringify's text, so rendering does not depend on how
 * much stack is left, and the engine stays deterministic.
 */

const NATIVE_DEPTH_LIMIT = 256;

/** Like `JSON.stringify(value, null, pretty ? 2 : undefined)`, for JSON data of any depth. */
export function toJsonText(value: unknown, { pretty = false }: { pretty?: boolean } = {}): string | undefined {
  if (!nestedDeeperThan(value, NATIVE_DEPTH_LIMIT)) return JSON.stringify(value, null, pretty ? 2 : undefined);
  return compactJson(value);
}

/** An array or an object: what JSON nests. */
export function isContainer(value: unknown): value is object {
  return value !== null && typeof value === "object";
}

/** Stops at the first path longer than `limit`; walks the whole value only when it is shallow. */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    if (!isContainer(item.value)) continue;
    if (item.depth >= limit) return true;
    for (const child of Object.values(item.value)) if (isContainer(child)) stack.push({ value: child, depth: item.depth + 1 });
  }
  return false;
}

/** An array or object being written, and how far through its entries the writer is. */
type Frame = { container: object; isArray: boolean; entries: [string, unknown][]; next: number; written: number };

/** JSON.stringify's compact output (undefined members skipped, `null` in arrays, `toJSON` honoured), without recursion. */
function compactJson(root: unknown): string | undefined {
  const value = withToJson(root, "");
  if (!isContainer(value)) return JSON.stringify(value);
  const out: string[] = [];
  const stack: Frame[] = [];
  // Like JSON.stringify, refuse a value that contains itself instead of writing forever.
  const onPath = new Set<object>();
  const open = (container: object) => {
    if (onPath.has(container)) throw new TypeError("Converting circular structure to JSON");
    onPath.add(container);
    const isArray = Array.isArray(container);
    // Array.from, not Object.entries, so a hole is written as null as JSON.stringify does.
    const entries = isArray ? Array.from(container as unknown[], (item, index): [string, unknown] => [String(index), item]) : Object.entries(container);
    stack.push({ container, isArray, entries, next: 0, written: 0 });
    out.push(isArray ? "[" : "{");
  };
  open(value);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame;
    const entry = frame.entries[frame.next];
    if (!entry) {
      stack.pop();
      onPath.delete(frame.container);
      out.push(frame.isArray ? "]" : "}");
      continue;
    }
    frame.next += 1;
    const [key, raw] = entry;
    const member = withToJson(raw, key);
    const text = isContainer(member) ? "" : JSON.stringify(member);
    // An object member JSON has no text for (undefined, a function) is left out; in an array it is null.
    if (text === undefined && !frame.isArray) continue;
    if (frame.written > 0) out.push(",");
    frame.written += 1;
    if (!frame.isArray) out.push(`${JSON.stringify(key)}:`);
    if (isContainer(member)) open(member);
    else out.push(text ?? "null");
  }
  return out.join("");
}

function withToJson(value: unknown, key: string): unknown {
  if (isContainer(value) && "toJSON" in value && typeof value.toJSON === "function") return (value.toJSON as (key: string) => unknown)(key);
  return value;
}
