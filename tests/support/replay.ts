import { expect } from "vitest";
import type { Db } from "../../server/db";
import { replay } from "../../server/engine/state";
import { step } from "../../server/engine/step";
import { getRunEvents } from "../../server/runs/queries";

/**
 * The event log is the truth: for every run in the database, folding its stored events must
 * give exactly its stored state, and seqs must be 1..n. Called after each integration file.
 */
export async function expectEveryRunReplays(db: Db): Promise<number> {
  const runs = await db.run.findMany({ select: { id: true, state: true, lastSeq: true } });
  for (const run of runs) {
    const events = await getRunEvents(db, run.id);
    expect(events.map((e) => e.seq), `seqs of ${run.id}`).toEqual(events.map((_, i) => i + 1));
    expect(events.length, `events of ${run.id}`).toBe(run.lastSeq);
    expect(replay(events, step), `replay of ${run.id}`).toEqual(run.state);
  }
  return runs.length;
}
