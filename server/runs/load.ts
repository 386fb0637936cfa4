import { graphSchema, type Graph } from "../engine/graph";
import { itemGraph } from "../engine/item-graph";
import { parseStoredState, type RunState } from "../engine/state";
import { getPool, type Db } from "../db";
import { NotFoundError } from "../errors";

/** A run as a job sees it; its ids and trace context come with it, for log lines and spans. */
export type LoadedRun = {
  runId: string;
  graph: Graph;
  state: RunState;
  workspaceId: string;
  workflowId: string;
  traceparent: string | null;
  /** The workflow whose monthly budget the run's spend counts against (server/ops/budgets.ts). */
  budgetWorkflowId: string | null;
};

/**
 * Versions are immutable, so a worker parses each pinned graph once and reuses it: the graph
 * is neither fetched nor validated again on every job of every run. Bounded, oldest out.
 */
const graphsByVersion = new Map<string, Graph>();
const MAX_CACHED_GRAPHS = 500;

export async function pinnedGraph(db: Db, versionId: string): Promise<Graph> {
  const cached = graphsByVersion.get(versionId);
  if (cached) return cached;
  const version = await db.workflowVersion.findUnique({ where: { id: versionId }, select: { graph: true } });
  if (!version) throw new NotFoundError(`Version ${versionId}`);
  const graph = graphSchema.parse(version.graph);
  if (graphsByVersion.size >= MAX_CACHED_GRAPHS) graphsByVersion.delete(graphsByVersion.keys().next().value as string);
  graphsByVersion.set(versionId, graph);
  return graph;
}

/** A run's pinned graph and its current state (the fold of its committed events). */
export async function loadRun(db: Db, runId: string): Promise<LoadedRun> {
  // Read on every job and after every lost race, so straight on the pool (see server/db.ts).
  const { rows } = await getPool().query<{ versionId: string; itemOf: string | null; state: unknown } & Omit<LoadedRun, "runId" | "graph" | "state">>({
    name: "load-run",
    text: `SELECT "versionId", "itemOf", "state", "workspaceId", "workflowId", "traceparent", "budgetWorkflowId" FROM "Run" WHERE "id" = $1`,
    values: [runId],
  });
  const run = rows[0];
  if (!run) throw new NotFoundError(`Run ${runId}`);
  const graph = await pinnedGraph(db, run.versionId);
  return {
    runId,
    // A for-each item's run runs the for-each's body, derived from the same pinned version.
    graph: run.itemOf === null ? graph : itemGraph(graph, run.itemOf),
    // Checked, not cast: a state that does not parse stops here with the run's id and the place.
    state: parseStoredState(runId, run.state),
    workspaceId: run.workspaceId,
    workflowId: run.workflowId,
    traceparent: run.traceparent,
    budgetWorkflowId: run.budgetWorkflowId,
  };
}
