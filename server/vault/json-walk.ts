/**
 * A deep copy of a JSON value with its strings (and optionally keys and numbers) mapped.
 * Iterative, so a deeply nested value (a hostile API response) cannot overflow the stack;
 * a value reachable twice is copied once, so shared parts and even cycles terminate.
 *
 * Anything that is not JSON — a Date, Map, Error, class instance or function — is refused
 * rather than passed through, because the callers exist to guarantee that no string inside
 * escapes unmapped, and a non-plain object could hide one.
 */

export type JsonStringMapper = {
  string: (value: string) => unknown;
  key?: (key: string) => string;
  number?: (value: number | bigint) => unknown;
};

type Container = unknown[] | Record<string, unknown>;

export function mapJsonStrings(root: unknown, mapper: JsonStringMapper): unknown {
  const copies = new Map<object, Container>();
  const pending: Array<{ source: object; target: Container }> = [];

  const convert = (value: unknown): unknown => {
    switch (typeof value) {
      case "string":
        return mapper.string(value);
      case "number":
      case "bigint":
        return mapper.number ? mapper.number(value) : value;
      case "boolean":
      case "undefined":
        return value;
      case "object": {
        if (value === null) return null;
        const known = copies.get(value);
        if (known) return known;
        let target: Container;
        if (Array.isArray(value)) target = new Array<unknown>(value.length);
        else if (isPlainObject(value)) target = {};
        else throw new TypeError(`expected a JSON value, found ${value.constructor?.name ?? "an object"}`);
        copies.set(value, target);
        pending.push({ source: value, target });
        return target;
      }
      default:
        throw new TypeError(`expected a JSON value, found a ${typeof value}`);
    }
  };

  const result = convert(root);
  for (let item = pending.pop(); item; item = pending.pop()) {
    const { source, target } = item;
    if (Array.isArray(target)) {
      const items = source as unknown[];
      for (let index = 0; index < items.length; index += 1) target[index] = convert(items[index]);
      continue;
    }
    const record = source as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      // defineProperty, not assignment: a "__proto__" key (JSON.parse makes one) must stay
      // data instead of replacing the copy's prototype.
      Object.defineProperty(target, mapper.key ? mapper.key(key) : key, {
        value: convert(record[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return result;
}

function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
