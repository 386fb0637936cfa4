import { expect } from "vitest";
import type { Db } from "../../server/db";
import { replay, type RunState } from "../../server/engine/state";
import { step } from "../../server/engine/step";
import { getRunEvents } from "../../server/runs/queries";

/**
 * The event log is the truth: for every run in the database, folding its stored events must
 * give exactly its stored state, and seqs must be 1..n. Called after each integration file.
 */
export async function expectEveryRunReplays(db: Db): Promise<number> {
  const runs = await db.run.findMany({
    select: { id: true, state: true, lastSeq: true, status: true, startedAt: true, finishedAt: true, tokens: true },
  });
  for (const run of runs) {
    const events = await getRunEvents(db, run.id);
    expect(events.map((e) => e.seq), `seqs of ${run.id}`).toEqual(events.map((_, i) => i + 1));
    expect(events.length, `events of ${run.id}`).toBe(run.lastSeq);
    expect(replay(events, step), `replay of ${run.id}`).toEqual(run.state);
    // The columns the dashboard filters on are copies of the state: they must agree (in UTC).
    const state = run.state as unknown as RunState;
    expect(
      { status: run.status, startedAt: run.startedAt?.toISOString(), finishedAt: run.finishedAt?.toISOString(), tokens: run.tokens },
      `columns of ${run.id}`,
    ).toEqual({
      status: state.status,
      startedAt: state.startedAt,
      finishedAt: state.finishedAt,
      tokens: state.usage.promptTokens + state.usage.completionTokens,
    });
  }
  return runs.length;
}
