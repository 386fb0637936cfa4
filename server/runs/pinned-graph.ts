import { graphSchema, type Graph } from "../engine/graph";
import { validateGraph, type GraphProblem } from "../engine/validate";
import { getPool } from "../db";

/**
 * Which graph a run starts on, for the paths other systems call in volume (the REST trigger,
 * schedules, MCP): the workflow's latest published version. Versions are immutable, so a
 * version's parsed graph and its graph-only problems are kept per process (bounded, least
 * recently used first out) and each start costs one indexed lookup, not a graph parse and a
 * validation. Which version is the latest is asked every time: a publish in any process
 * counts at once.
 */
export type CheckedVersion = { id: string; workflowId: string; graph: Graph; graphErrors: GraphProblem[] };

const MAX_CACHED_VERSIONS = 500;
const checkedVersions = new Map<string, CheckedVersion>();

/** The workflow (in that workspace) and its latest published version, in one statement. */
const RESOLVE_PUBLISHED_SQL = `
  SELECT w."id" AS "workflowId", v."id" AS "versionId"
  FROM "Workflow" w
  LEFT JOIN LATERAL (
    SELECT "id" FROM "WorkflowVersion"
    WHERE "workflowId" = w."id" AND "publishedAt" IS NOT NULL
    ORDER BY "publishedAt" DESC LIMIT 1
  ) v ON true
  WHERE w."id" = $1 AND w."workspaceId" = $2`;

const VERSION_GRAPH_SQL = `SELECT "id", "workflowId", "graph" FROM "WorkflowVersion" WHERE "id" = $1`;

/** `null`: no such workflow in the workspace; `version: null`: it was never published. */
export async function latestPublished(workspaceId: string, workflowId: string): Promise<{ version: CheckedVersion | null } | null> {
  const { rows } = await getPool().query<{ workflowId: string; versionId: string | null }>({ name: "resolve-published-version", text: RESOLVE_PUBLISHED_SQL, values: [workflowId, workspaceId] });
  const row = rows[0];
  if (!row) return null;
  return { version: row.versionId === null ? null : await checkedVersion(row.versionId) };
}

/** A version's graph, parsed and checked once per process; `null` when there is no such version. */
export async function checkedVersion(versionId: string): Promise<CheckedVersion | null> {
  const cached = checkedVersions.get(versionId);
  if (cached) {
    // Re-inserting marks it most recently used (a Map iterates in insertion order).
    checkedVersions.delete(versionId);
    checkedVersions.set(versionId, cached);
    return cached;
  }
  const { rows } = await getPool().query<{ id: string; workflowId: string; graph: unknown }>({ name: "version-graph", text: VERSION_GRAPH_SQL, values: [versionId] });
  const row = rows[0];
  if (!row) return null;
  const graph = graphSchema.parse(row.graph);
  const checked: CheckedVersion = { id: row.id, workflowId: row.workflowId, graph, graphErrors: validateGraph(graph, { workflowId: row.workflowId }).filter((problem) => problem.severity === "error") };
  checkedVersions.set(versionId, checked);
  if (checkedVersions.size > MAX_CACHED_VERSIONS) {
    const oldest = checkedVersions.keys().next().value;
    if (oldest !== undefined) checkedVersions.delete(oldest);
  }
  return checked;
}
