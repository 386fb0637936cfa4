import { step } from "../engine/step";
import { isTerminalStatus, type CommittedEvent, type RunEvent } from "../engine/events";
import type { RunState } from "../engine/state";
import type { Db } from "../db";
import type { Prisma } from "../generated/prisma/client";
import { publishRunEvents } from "../events";
import { newId } from "../ids";
import { toJson } from "../json";

/** Another writer committed to this run first; the caller reloads and decides again. */
export class StaleRunError extends Error {
  constructor(runId: string, expectedSeq: number) {
    super(`run ${runId} moved past seq ${expectedSeq}`);
    this.name = "StaleRunError";
  }
}

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

  await db.$transaction(async (tx) => {
    const updated = await tx.run.updateMany({
      where: { id: runId, lastSeq: state.lastSeq },
      data: {
        state: toJson(next),
        lastSeq: next.lastSeq,
        status: next.status,
        stepCount: next.lastSeq,
        tokens: next.usage.promptTokens + next.usage.completionTokens,
        costUsd: next.usage.costUsd,
        output: isTerminalStatus(next.status) ? toJson(next.output ?? null) : undefined,
        error: next.error ?? null,
        startedAt: next.startedAt ? new Date(next.startedAt) : null,
        finishedAt: next.finishedAt ? new Date(next.finishedAt) : null,
      },
    });
    if (updated.count !== 1) throw new StaleRunError(runId, state.lastSeq);
    await tx.runStep.createMany({
      data: committed.map((event) => ({
        id: newId("evt"),
        runId,
        seq: event.seq,
        type: event.type,
        nodeId: "nodeId" in event ? event.nodeId : null,
        payload: toJson(event),
        createdAt: new Date(event.at),
      })),
    });
    if (alsoInTransaction) await alsoInTransaction(tx);
  });

  // A failed publish loses nothing: streams re-read the log from Postgres.
  await publishRunEvents(runId, committed).catch(() => undefined);
  return { state: next, events: committed };
}
