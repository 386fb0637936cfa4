import { parseStoredEvents, type CommittedEvent } from "../engine/events";
import type { Db, Prisma } from "../db";
import { NotFoundError } from "../errors";
import { loadRun } from "./load";
import type { WorkspaceAccess } from "../auth/access";

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
