import { parseStoredEvents, type CommittedEvent } from "../engine/events";
import type { Db, Prisma } from "../db";
import { NotFoundError } from "../errors";
import { loadRun, pinnedGraph } from "./load";
import type { WorkspaceAccess } from "../auth/access";
import { traceIdOf } from "../ops/tracing";

/**
 * A run of this workspace (and, for a trigger token, of its workflow), or NotFound — the same
 * answer as for an id that does not exist, so ids of other workspaces cannot be probed.
 */
/** The runs a caller may reach by id: its workspace's, and for a trigger token only its workflow's. */
export function reachableRun(access: WorkspaceAccess, runId: string) {
  return { id: runId, workspaceId: access.workspaceId, ...(access.actor.kind === "trigger_token" ? { workflowId: access.actor.workflowId } : {}) };
}

/** A run the caller may reach (see `reachableRun`), with `select`; null for any other id, well-formed or not. */
export async function findReachableRun<S extends Prisma.RunSelect>(db: Db, access: WorkspaceAccess, runId: string, select: S) {
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(runId)) return null;
  return db.run.findFirst({ where: reachableRun(access, runId), select });
}

export async function findRun(db: Db, workspaceId: string, runId: string, workflowId?: string): Promise<{ id: string; workflowId: string }> {
  const run = await db.run.findFirst({ where: { id: runId, workspaceId, ...(workflowId ? { workflowId } : {}) }, select: { id: true, workflowId: true } });
  if (!run) throw new NotFoundError(`Run ${runId}`);
  return run;
}

type CallerFields = { callerRunId: string | null; callerNodeId: string | null; callerIndex: number | null; itemOf: string | null; depth: number };

/**
 * Who started this run, when another run did (a for-each item or a sub-workflow): the caller's
 * ids as stored, and the calling node's label from the caller's pinned graph so the page can
 * say "Item 3 of For each “Tickets”". The label is null when the caller is gone.
 */
async function callerOf(db: Db, workspaceId: string, row: CallerFields) {
  const fields = { callerRunId: row.callerRunId, callerNodeId: row.callerNodeId, callerIndex: row.callerIndex, itemOf: row.itemOf, depth: row.depth };
  if (!row.callerRunId || !row.callerNodeId) return { ...fields, callerNodeLabel: null };
  const caller = await db.run.findFirst({ where: { id: row.callerRunId, workspaceId }, select: { versionId: true } });
  if (!caller) return { ...fields, callerNodeLabel: null };
  // The node is in the caller's pinned version (also when the caller is itself an item's run).
  const graph = await pinnedGraph(db, caller.versionId);
  const node = graph.nodes.find((candidate) => candidate.id === row.callerNodeId);
  return { ...fields, callerNodeLabel: node?.data.label ?? null };
}

export const CHILD_RUNS_PAGE_SIZE = 50;

export type ChildRunsQuery = { runId: string; nodeId?: string; cursor?: number };

/**
 * The runs this run started (its for-each items and sub-workflows), by node then item index,
 * a page at a time; `cursor` is the offset of the page (a retried item may have two runs for
 * one index, so the index alone cannot page). `waitingForHuman` counts the ones a person must
 * answer, across all pages.
 */
export async function listChildRuns(db: Db, workspaceId: string, query: ChildRunsQuery) {
  const parent = await db.run.findFirst({ where: { id: query.runId, workspaceId }, select: { id: true } });
  if (!parent) throw new NotFoundError(`Run ${query.runId}`);
  const where = { callerRunId: parent.id, workspaceId, ...(query.nodeId ? { callerNodeId: query.nodeId } : {}) };
  const offset = query.cursor ?? 0;
  const [rows, total, waitingForHuman] = await Promise.all([
    db.run.findMany({
      where,
      orderBy: [{ callerNodeId: "asc" }, { callerIndex: "asc" }, { createdAt: "asc" }, { id: "asc" }],
      skip: offset,
      take: CHILD_RUNS_PAGE_SIZE + 1,
      select: { id: true, callerNodeId: true, callerIndex: true, itemOf: true, workflowId: true, status: true, error: true, createdAt: true, finishedAt: true },
    }),
    db.run.count({ where }),
    db.run.count({ where: { ...where, status: "waiting_for_human" } }),
  ]);
  const items = rows.slice(0, CHILD_RUNS_PAGE_SIZE);
  return { items, nextCursor: rows.length > CHILD_RUNS_PAGE_SIZE ? offset + items.length : null, total, waitingForHuman };
}

/**
 * What the runs this run started spent, all the way down (items, sub-workflows and theirs):
 * a parent's own figures count only its own model calls.
 */
async function calledRunsUsage(db: Db, runId: string): Promise<{ runs: number; tokens: number; costUsd: number; unpricedCalls: number }> {
  const [row] = await db.$queryRaw<{ runs: number; tokens: bigint | null; cost: number | null; unpriced: bigint | null }[]>`
    WITH RECURSIVE called AS (
      SELECT "id", "tokens", "costUsd", "unpricedCalls" FROM "Run" WHERE "callerRunId" = ${runId}
      UNION ALL
      SELECT r."id", r."tokens", r."costUsd", r."unpricedCalls" FROM "Run" r JOIN called c ON r."callerRunId" = c."id"
    )
    SELECT count(*)::int AS runs, sum("tokens")::bigint AS tokens, sum("costUsd") AS cost, sum("unpricedCalls")::bigint AS unpriced FROM called`;
  return { runs: row?.runs ?? 0, tokens: Number(row?.tokens ?? 0), costUsd: row?.cost ?? 0, unpricedCalls: Number(row?.unpriced ?? 0) };
}

export async function getRunEvents(db: Db, runId: string, afterSeq = 0, limit?: number): Promise<CommittedEvent[]> {
  const steps = await db.runStep.findMany({ where: { runId, seq: { gt: afterSeq } }, orderBy: { seq: "asc" }, select: { payload: true }, ...(limit ? { take: limit } : {}) });
  return parseStoredEvents(runId, steps.map((row) => row.payload), afterSeq + 1);
}

export async function getRunDetail(db: Db, workspaceId: string, runId: string) {
  const row = await db.run.findFirst({
    where: { id: runId, workspaceId },
    include: {
      workflow: { select: { name: true } },
      version: { select: { version: true } },
      children: { orderBy: { createdAt: "asc" }, take: 100, select: { id: true, origin: true, status: true, createdAt: true, forkedAtSeq: true } },
      humanTasks: {
        orderBy: { createdAt: "asc" },
        select: { id: true, nodeId: true, status: true, message: true, context: true, comment: true, respondedAt: true, respondedByName: true },
      },
    },
  });
  if (!row) throw new NotFoundError(`Run ${runId}`);
  const { graph, state } = await loadRun(db, runId);
  return {
    ...(await callerOf(db, workspaceId, row)),
    calledRuns: await calledRunsUsage(db, row.id),
    id: row.id,
    workflowId: row.workflowId,
    workflowName: row.workflow.name,
    version: row.version.version,
    versionId: row.versionId,
    parentRunId: row.parentRunId,
    origin: row.origin as "rerun" | "fork" | null,
    forkedAtSeq: row.forkedAtSeq,
    children: row.children.map((child) => ({ ...child, origin: child.origin as "rerun" | "fork" | null })),
    status: row.status,
    trigger: row.trigger,
    startedBy: row.startedBy,
    /** OpenTelemetry trace of the run (null: tracing was off when it started). */
    traceId: traceIdOf(row.traceparent),
    input: row.input,
    output: row.output,
    error: row.error,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    stepCount: row.stepCount,
    tokens: row.tokens,
    costUsd: row.costUsd,
    graph,
    state,
    events: await getRunEvents(db, runId),
    humanTasks: row.humanTasks,
  };
}
