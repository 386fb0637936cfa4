import { graphSchema, starterGraph, type Graph } from "../engine/graph";
import { validateGraph, type GraphProblem } from "../engine/validate";
import type { Db } from "../db";
import { ConflictError, NotFoundError } from "../errors";
import { newId } from "../ids";
import { assertStorable, toJson } from "../json";
import { getEnv } from "../env";
import { forgetPublishedVersions } from "../runs/pinned-graph";
import { forgetTriggerTokens } from "./trigger-tokens";

export function triggerUrlFor(workflowId: string): string {
  return `${getEnv().APP_URL.replace(/\/$/, "")}/api/v1/workflows/${workflowId}/trigger`;
}

export async function createWorkflow(db: Db, workspaceId: string, params: { name: string; graph?: Graph }) {
  const graph = params.graph ?? starterGraph();
  assertStorable(params.name, "name");
  assertStorable(graph, "graph");
  const created = await db.workflow.create({
    data: { id: newId("wf"), workspaceId, name: params.name, draftGraph: toJson(graph) },
    select: { id: true },
  });
  return created;
}

/** A workflow of this workspace, or NotFound — exactly as if an id of another workspace did not exist. */
export async function findWorkflow(db: Db, workspaceId: string, id: string): Promise<{ id: string; name: string }> {
  const row = await db.workflow.findFirst({ where: { id, workspaceId }, select: { id: true, name: true } });
  if (!row) throw new NotFoundError(`Workflow ${id}`);
  return row;
}

export type WorkflowDetail = {
  id: string;
  name: string;
  graph: Graph;
  revision: number;
  problems: GraphProblem[];
  triggerUrl: string;
  tokens: { id: string; prefix: string; createdAt: Date; lastUsedAt: Date | null }[];
};

export async function getWorkflow(db: Db, workspaceId: string, id: string): Promise<WorkflowDetail> {
  const row = await db.workflow.findFirst({
    where: { id, workspaceId },
    include: {
      triggerTokens: {
        where: { revokedAt: null },
        orderBy: { createdAt: "desc" },
        select: { id: true, prefix: true, createdAt: true, lastUsedAt: true },
      },
    },
  });
  if (!row) throw new NotFoundError(`Workflow ${id}`);
  const graph = graphSchema.parse(row.draftGraph);
  return {
    id: row.id,
    name: row.name,
    graph,
    revision: row.draftRevision,
    problems: validateGraph(graph, { workflowId: row.id }),
    triggerUrl: triggerUrlFor(row.id),
    tokens: row.triggerTokens,
  };
}

/**
 * Saves the draft if nobody saved since `baseRevision` (another tab, another user);
 * otherwise refuses, so nothing is overwritten silently.
 */
export async function saveDraft(db: Db, workspaceId: string, params: { id: string; graph: Graph; baseRevision: number; name?: string }) {
  assertStorable(params.name, "name");
  assertStorable(params.graph, "graph");
  const updated = await db.workflow.updateMany({
    where: { id: params.id, workspaceId, draftRevision: params.baseRevision },
    data: {
      draftGraph: toJson(params.graph),
      draftRevision: { increment: 1 },
      ...(params.name !== undefined ? { name: params.name } : {}),
    },
  });
  if (updated.count !== 1) {
    const exists = await db.workflow.findFirst({ where: { id: params.id, workspaceId }, select: { draftRevision: true } });
    if (!exists) throw new NotFoundError(`Workflow ${params.id}`);
    throw new ConflictError(
      `The workflow was saved elsewhere (revision ${exists.draftRevision}, you edited ${params.baseRevision}). Reload or overwrite.`,
    );
  }
  return { revision: params.baseRevision + 1, problems: validateGraph(params.graph, { workflowId: params.id }) };
}

/**
 * Deletes a workflow; the database cascades to its versions, runs (with their event logs and
 * human tasks), schedules and trigger tokens. Answers how many runs went with it.
 */
export async function deleteWorkflow(db: Db, workspaceId: string, id: string): Promise<{ ok: true; deletedRuns: number }> {
  const deleted = await db.$transaction(async (tx) => {
    // The row lock holds back a run being inserted meanwhile (its foreign key waits on it), so the count is exact.
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "Workflow" WHERE "id" = ${id} AND "workspaceId" = ${workspaceId} FOR UPDATE`;
    if (locked.length === 0) throw new NotFoundError(`Workflow ${id}`);
    const deletedRuns = await tx.run.count({ where: { workspaceId, workflowId: id } });
    await tx.workflow.delete({ where: { id } });
    return { ok: true as const, deletedRuns };
  });
  // Its published version is no longer one to trigger, nor its tokens ones to trigger with, in any process.
  await Promise.all([forgetPublishedVersions(), forgetTriggerTokens()]);
  return deleted;
}
