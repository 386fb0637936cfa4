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
    select: { id: true, state: true, lastSeq: true, status: true, startedAt: true, finishedAt: true, tokens: true, parentRunId: true, origin: true, forkedAtSeq: true },
  });
  for (const run of runs) {
    const events = await getRunEvents(db, run.id);
    expect(events.map((e) => e.seq), `seqs of ${run.id}`).toEqual(events.map((_, i) => i + 1));
    expect(events.length, `events of ${run.id}`).toBe(run.lastSeq);
    expect(replay(events, step), `replay of ${run.id}`).toEqual(run.state);
    // A fork is its parent's history up to the fork point plus its own events.
    if (run.origin === "fork" && run.parentRunId && run.forkedAtSeq) {
      const parentPrefix = await getRunEvents(db, run.parentRunId, 0).then((all) => all.slice(0, run.forkedAtSeq ?? 0));
      expect(events.slice(0, run.forkedAtSeq), `shared history of fork ${run.id}`).toEqual(parentPrefix);
      expect(events[run.forkedAtSeq], `fork event of ${run.id}`).toMatchObject({ type: "run_forked", fromRunId: run.parentRunId, atSeq: run.forkedAtSeq });
    }
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
