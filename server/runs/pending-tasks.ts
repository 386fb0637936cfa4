import type { Db } from "../db";
import { pinnedGraph } from "./load";

/**
 * The tasks of a workspace waiting for a person, oldest first: the Inbox (tRPC
 * `human.pending`) and `GET /api/v1/human-tasks` read the same list. `workflowId` narrows it
 * to one workflow (a trigger token sees only its own workflow's tasks).
 */
export async function listPendingTasks(db: Db, workspaceId: string, options: { limit: number; workflowId?: string }) {
  const tasks = await db.humanTask.findMany({
    where: { status: "pending", run: { workspaceId, ...(options.workflowId ? { workflowId: options.workflowId } : {}) } },
    orderBy: { createdAt: "asc" },
    take: options.limit,
    select: {
      id: true,
      runId: true,
      nodeId: true,
      kind: true,
      message: true,
      context: true,
      createdAt: true,
      dueAt: true,
      run: { select: { workflowId: true, versionId: true, workflow: { select: { name: true } } } },
    },
  });
  return Promise.all(
    tasks.map(async ({ run, ...task }) => ({
      ...task,
      workflowId: run.workflowId,
      workflowName: run.workflow.name,
      allowEdit: task.kind === "gate" ? await gateAllowsEdit(db, run.versionId, task.nodeId) : true,
    })),
  );
}

export type PendingTask = Awaited<ReturnType<typeof listPendingTasks>>[number];

/** Whether the pinned graph's gate lets its reviewer edit the content (graphs are cached per version). */
async function gateAllowsEdit(db: Db, versionId: string, nodeId: string): Promise<boolean> {
  const node = (await pinnedGraph(db, versionId)).nodes.find((candidate) => candidate.id === nodeId);
  return node?.type !== "human" || node.data.allowEdit;
}
