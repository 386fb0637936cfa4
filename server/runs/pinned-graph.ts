import { graphSchema, type Graph } from "../engine/graph";
import { validateGraph, type GraphProblem } from "../engine/validate";
import { getPool } from "../db";
import { invalidateEverywhere, processCache } from "../ops/process-cache";

/**
 * Which graph a run starts on, for the paths other systems call in volume (the REST trigger,
 * schedules, MCP): the workflow's latest published version. Versions are immutable, so a
 * version's parsed graph and its graph-only problems are kept per process (bounded, least
 * recently used first out) and each start costs one indexed lookup, not a graph parse and a
 * validation. Which version is the latest published is kept per process too, and a publish or
 * a deletion in any process empties that cache everywhere (`forgetPublishedVersions`; see
 * server/ops/process-cache.ts), so it counts at once.
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

const PUBLISHED_CACHE = "published-versions";
/** `${workspaceId} ${workflowId}` → its latest published version's id (null: never published). */
const publishedVersions = processCache<string | null>(PUBLISHED_CACHE, { ttlMs: 10_000, maxEntries: 10_000 });

/** `null`: no such workflow in the workspace; `version: null`: it was never published. */
export async function latestPublished(workspaceId: string, workflowId: string): Promise<{ version: CheckedVersion | null } | null> {
  const versionId = await publishedVersions.getOrLoad(`${workspaceId} ${workflowId}`, async () => {
    const { rows } = await getPool().query<{ workflowId: string; versionId: string | null }>({ name: "resolve-published-version", text: RESOLVE_PUBLISHED_SQL, values: [workflowId, workspaceId] });
    // An unknown workflow is undefined, so not cached: it is always read again.
    return rows[0]?.versionId;
  });
  if (versionId === undefined) return null;
  return { version: versionId === null ? null : await checkedVersion(versionId) };
}

/** Call after a commit that changes which version of a workflow is the latest published, or deletes one. */
export async function forgetPublishedVersions(): Promise<void> {
  await invalidateEverywhere(PUBLISHED_CACHE);
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
