import { step } from "../engine/step";
import { isTerminalStatus, type CommittedEvent, type RunEvent } from "../engine/events";
import type { RunState } from "../engine/state";
import { getPool, type Db } from "../db";
import type { Prisma } from "../generated/prisma/client";
import { publishRunEvents } from "../events";
import { newId } from "../ids";
import { jsonText, storableText } from "../json";

/** Another writer committed to this run first; the caller reloads and decides again. */
export class StaleRunError extends Error {
  constructor(runId: string, expectedSeq: number) {
    super(`run ${runId} moved past seq ${expectedSeq}`);
    this.name = "StaleRunError";
  }
}

/**
 * Timestamps are passed as ISO strings in UTC: a `timestamp(3)` column (Prisma's DateTime)
 * ignores the zone suffix, so the stored value is UTC whatever the server's time zone.
 */
const COMMIT_EVENTS_SQL = `
  WITH updated AS (
    UPDATE "Run" SET
      "state" = $3::jsonb,
      "lastSeq" = $4,
      "status" = $5,
      "stepCount" = $4,
      "tokens" = $6,
      "costUsd" = $7,
      "output" = CASE WHEN $9::boolean THEN $8::jsonb ELSE "output" END,
      "error" = $10,
      "startedAt" = $11::timestamp(3),
      "finishedAt" = $12::timestamp(3)
    WHERE "id" = $1 AND "lastSeq" = $2
    RETURNING "id"
  )
  INSERT INTO "RunStep" ("id", "runId", "seq", "type", "nodeId", "payload", "createdAt")
  SELECT e."id", updated."id", e."seq", e."type", e."nodeId", e."payload", e."createdAt"
  FROM updated, jsonb_to_recordset($13::jsonb)
    AS e("id" text, "seq" integer, "type" text, "nodeId" text, "payload" jsonb, "createdAt" timestamp(3))`;

export type CommitResult = { state: RunState; events: CommittedEvent[] };

/**
 * Appends events to a run's log and stores the folded state in one transaction, guarded by
 * the last sequence number the caller saw (optimistic lock): an event is never committed
 * twice, and two workers can never interleave on one run. Events are published only after
 * the commit.
 */
export async function commitEvents(
  db: Db,
  runId: string,
  state: RunState,
  events: readonly RunEvent[],
  alsoInTransaction?: (tx: Prisma.TransactionClient) => Promise<void>,
  now: () => Date = () => new Date(),
): Promise<CommitResult> {
  const at = now().toISOString();
  const committed: CommittedEvent[] = events.map((event, index) => ({ ...event, seq: state.lastSeq + index + 1, at }));
  const next = committed.reduce(step, state);

  const rows = committed.map((event) => ({
    id: newId("evt"),
    seq: event.seq,
    type: event.type,
    nodeId: "nodeId" in event ? event.nodeId : null,
    payload: event,
    createdAt: event.at,
  }));
  const terminal = isTerminalStatus(next.status);

  // Run data is user data: written as JSON text we made (jsonText), never through Prisma's
  // JSON encoding, which rebuilds objects by assignment and so drops a key named "__proto__".
  const values = [
    runId,
    state.lastSeq,
    jsonText(next),
    next.lastSeq,
    next.status,
    next.usage.promptTokens + next.usage.completionTokens,
    next.usage.costUsd,
    terminal ? jsonText(next.output) : null,
    terminal,
    storableText(next.error ?? null),
    next.startedAt ?? null,
    next.finishedAt ?? null,
    jsonText(rows),
  ];
  if (!alsoInTransaction) {
    // The hot path: one statement (atomic on its own), one round trip, straight on the pool
    // and prepared once per connection. The UPDATE matches only if nobody committed since
    // `state.lastSeq`; if it matches nothing, no row is inserted.
    const result = await getPool().query({ name: "commit-run-events", text: COMMIT_EVENTS_SQL, values });
    if (result.rowCount !== rows.length) throw new StaleRunError(runId, state.lastSeq);
  } else {
    // The same statement, inside the transaction that also writes the caller's rows (a human task).
    await db.$transaction(async (tx) => {
      const inserted = await tx.$executeRawUnsafe(COMMIT_EVENTS_SQL, ...values);
      if (inserted !== rows.length) throw new StaleRunError(runId, state.lastSeq);
      await alsoInTransaction(tx);
    });
  }

  // A failed publish loses nothing: streams re-read the log from Postgres.
  await publishRunEvents(runId, committed).catch(() => undefined);
  return { state: next, events: committed };
}
