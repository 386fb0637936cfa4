import type { Prisma } from "./generated/prisma/client";
import { UserInputError } from "./errors";

/**
 * Postgres cannot store the NUL character (U+0000) in text or jsonb. Data we did not choose —
 * a model's reply, a tool's result — may contain it, and refusing it would lose the run, so
 * it is stored as U+FFFD (the replacement character). Data a user sends is refused instead,
 * with the field that holds it (`assertStorable`).
 */
const ESCAPED_NUL = /(?<!\\)((?:\\\\)*)\\u0000/g;

/** JSON text for a jsonb parameter of a raw statement, with U+0000 replaced. */
export function jsonText(value: unknown): string {
  const json = JSON.stringify(value ?? null);
  // JSON.stringify writes U+0000 as the escape `\u0000`; one preceded by an odd number of
  // backslashes is a literal backslash followed by "u0000", which stays.
  return json.includes("\\u0000") ? json.replace(ESCAPED_NUL, "$1\\ufffd") : json;
}

/**
 * Values we store in JSON columns through Prisma are plain data we built ourselves (graphs,
 * events, run state). This is the one place that tells Prisma so; U+0000 is replaced as in `jsonText`.
 */
export function toJson(value: unknown): Prisma.InputJsonValue {
  if (value === undefined || value === null) return null as unknown as Prisma.InputJsonValue;
  const json = JSON.stringify(value);
  if (!json.includes("\\u0000")) return value as Prisma.InputJsonValue;
  return JSON.parse(jsonText(value)) as Prisma.InputJsonValue;
}

/** Text for a text column, with U+0000 replaced (see above). */
export function storableText<T extends string | null | undefined>(text: T): T {
  return (typeof text === "string" && text.includes("\u0000") ? text.replaceAll("\u0000", "\ufffd") : text) as T;
}

/** The path (`a.b[2]`) of the first string in `value` holding U+0000, or null. */
export function nulCharacterPath(value: unknown, path = ""): string | null {
  if (typeof value === "string") return value.includes("\u0000") ? path : null;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = nulCharacterPath(item, `${path}[${index}]`);
      if (found !== null) return found;
    }
    return null;
  }
  if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes("\u0000")) return path ? `${path}.${key}` : key;
      const found = nulCharacterPath(item, path ? `${path}.${key}` : key);
      if (found !== null) return found;
    }
  }
  return null;
}

/** Refuses user data Postgres cannot store, naming where the NUL character is. */
export function assertStorable(value: unknown, field: string): void {
  const found = nulCharacterPath(value, field);
  if (found !== null) throw new UserInputError(`${found} contains the NUL character (\\u0000), which cannot be stored`, found);
}
