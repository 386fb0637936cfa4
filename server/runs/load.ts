import { graphSchema, type Graph } from "../engine/graph";
import type { RunState } from "../engine/state";
import type { Db } from "../db";
import { NotFoundError } from "../errors";

export type LoadedRun = { runId: string; graph: Graph; state: RunState };

/** A run's pinned graph and its current state (the fold of its committed events). */
export async function loadRun(db: Db, runId: string): Promise<LoadedRun> {
  const run = await db.run.findUnique({ where: { id: runId }, include: { version: { select: { graph: true } } } });
  if (!run) throw new NotFoundError(`Run ${runId}`);
  return {
    runId,
    graph: graphSchema.parse(run.version.graph),
    // Written only by commitEvents from the engine's own reducer.
    state: run.state as unknown as RunState,
  };
}
