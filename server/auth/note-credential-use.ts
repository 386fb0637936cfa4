import { getPool } from "../db";

/** lastUsedAt is a hint for people, not a log: written at most once a minute per credential. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Notes that an API key or a trigger token was just used, on every call that presents one:
 * its lastUsedAt is written when the last note is over a minute old, without waiting for it.
 * The row given (often a cached one) is noted too, so the next calls within the minute do not
 * write again.
 */
export function noteCredentialUse(table: "ApiKey" | "TriggerToken", row: { id: string; lastUsedAt: Date | null }, now: Date): void {
  if (row.lastUsedAt && now.getTime() - row.lastUsedAt.getTime() <= LAST_USED_RESOLUTION_MS) return;
  row.lastUsedAt = now;
  void getPool()
    .query({ name: `touch-${table}`, text: `UPDATE "${table}" SET "lastUsedAt" = $2 WHERE "id" = $1`, values: [row.id, now.toISOString()] })
    .catch(() => undefined);
}
