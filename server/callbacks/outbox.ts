import type { Db } from "../db";
import { TERMINAL_STATUSES_SQL } from "../engine/events";
import { enqueueRunCallbacks } from "./queue";

/**
 * The outbox sweep (worker start, then every reconcile tick): callbacks the commit marked
 * pending whose job was lost (a crash between the commit and the enqueue, a flushed Redis),
 * and per-request callbacks stored an instant after their run ended. Re-enqueueing a job that
 * still exists is a no-op (same job id), so the sweep can run anywhere, any time.
 */
const TERMINAL_SQL = TERMINAL_STATUSES_SQL;

/** A pending callback younger than this is left to the enqueue right after its commit. */
const GRACE_MS = 10_000;

export async function sweepRunCallbacks(db: Db, now = new Date(), graceMs = GRACE_MS): Promise<{ enqueued: number }> {
  // Timestamps as UTC ISO text: the columns are timestamp(3) without a zone.
  await db.$executeRawUnsafe(
    `UPDATE "RunCallback" rc SET "status" = 'pending', "readyAt" = COALESCE(r."finishedAt", $1::timestamp(3))
     FROM "Run" r WHERE rc."runId" = r."id" AND rc."status" = 'waiting' AND r."status" IN ${TERMINAL_SQL}`,
    now.toISOString(),
  );
  const pending = await db.runCallback.findMany({
    where: { status: "pending", readyAt: { not: null, lte: new Date(now.getTime() - graceMs) } },
    select: { id: true, readyAt: true },
    orderBy: { readyAt: "asc" },
    take: 1_000,
  });
  await enqueueRunCallbacks(pending.flatMap((row) => (row.readyAt ? [{ id: row.id, readyAt: row.readyAt }] : [])));
  return { enqueued: pending.length };
}

/** The delivery log of a run (the run page): each callback with its attempts, newest first. */
export async function listRunCallbacks(db: Db, workspaceId: string, runId: string) {
  const rows = await db.runCallback.findMany({
    where: { runId, workspaceId },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: {
      id: true,
      source: true,
      url: true,
      status: true,
      attempts: true,
      lastStatusCode: true,
      lastError: true,
      readyAt: true,
      deliveredAt: true,
      attemptLog: { orderBy: { at: "desc" }, take: 100, select: { id: true, attempt: true, statusCode: true, error: true, durationMs: true, at: true } },
    },
  });
  return rows.map(({ attemptLog, url, ...row }) => ({ ...row, target: maskedTarget(url), attempts: row.attempts, log: attemptLog }));
}

function maskedTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname.length > 1 || parsed.search ? "/…" : ""}`;
  } catch {
    return "[invalid URL]";
  }
}
