import type { Prisma } from "./generated/prisma/client";

/**
 * Values we store in JSON columns are plain data we built ourselves (graphs, events, run
 * state). This is the one place that tells Prisma so.
 */
export function toJson(value: unknown): Prisma.InputJsonValue {
  return (value ?? null) as Prisma.InputJsonValue;
}
