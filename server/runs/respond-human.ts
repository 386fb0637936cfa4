import type { HumanDecision } from "../engine/events";
import type { Db } from "../db";
import { ConflictError, NotFoundError, UserInputError } from "../errors";
import { announceRun } from "../events";
import { enqueueAdvance } from "../queue";
import { commitEvents, StaleRunError } from "./commit";
import { loadRun } from "./load";
import { assertStorable, toJson } from "../json";
import { actorLabel, type WorkspaceAccess } from "../auth/access";
import { recordAudit, type AuditAction } from "../audit/audit";

function auditActionFor(kind: string, params: { decision: HumanDecision; answer?: string; editedArguments?: string }): AuditAction {
  if (params.decision === "reject") return "human_task.rejected";
  if (params.editedArguments !== undefined) return "human_task.arguments_edited";
  if (kind === "question" || params.answer !== undefined) return "human_task.answered";
  return "human_task.approved";
}

/**
 * Records a human's answer as a run event (in the same transaction that closes the task,
 * so a double click cannot answer twice) and enqueues the run's continuation.
 */
export async function respondToHumanTask(
  db: Db,
  access: WorkspaceAccess,
  params: { taskId: string; decision: HumanDecision; comment?: string; answer?: string; editedArguments?: string },
): Promise<{ runId: string }> {
  const task = await db.humanTask.findFirst({
    where: { id: params.taskId, run: { workspaceId: access.workspaceId, ...(access.actor.kind === "trigger_token" ? { workflowId: access.actor.workflowId } : {}) } },
  });
  if (!task) throw new NotFoundError(`Human task ${params.taskId}`);
  const by = actorLabel(access.actor);
  if (task.status !== "pending") throw new ConflictError(`This task was already answered (${task.status})`);
  assertStorable({ comment: params.comment, answer: params.answer, editedArguments: params.editedArguments }, "");
  if (params.editedArguments !== undefined) {
    try {
      JSON.parse(params.editedArguments);
    } catch {
      throw new UserInputError("editedArguments must be a JSON object", "editedArguments");
    }
  }

  for (let attempt = 0; attempt < 5; attempt += 1) {
    const run = await loadRun(db, task.runId);
    try {
      const { state } = await commitEvents(
        db,
        task.runId,
        run.state,
        [
          {
            type: "human_responded",
            nodeId: task.nodeId,
            taskId: task.id,
            decision: params.decision,
            ...(params.comment ? { comment: params.comment } : {}),
            ...(params.answer !== undefined ? { answer: params.answer } : {}),
            ...(params.editedArguments !== undefined ? { editedArguments: params.editedArguments } : {}),
            by,
          },
        ],
        async (tx) => {
          const closed = await tx.humanTask.updateMany({
            where: { id: task.id, status: "pending" },
            data: {
              status: params.decision === "approve" ? "approved" : "rejected",
              comment: params.comment ?? null,
              response:
                params.answer !== undefined || params.editedArguments !== undefined
                  ? toJson({ answer: params.answer, editedArguments: params.editedArguments })
                  : undefined,
              respondedAt: new Date(),
              respondedById: access.actor.kind === "system" ? null : access.actor.id,
              respondedByName: by,
            },
          });
          if (closed.count !== 1) throw new ConflictError("This task was already answered");
          await recordAudit(tx, access, auditActionFor(task.kind, params), { kind: "human_task", id: task.id, name: `${task.nodeId} in ${task.runId}` }, {
            runId: task.runId,
            nodeId: task.nodeId,
            decision: params.decision,
            ...(params.comment ? { comment: params.comment } : {}),
          });
        },
      );
      await enqueueAdvance(task.runId, state.lastSeq);
      // The run may still be advancing other branches: its worker re-reads it now.
      await announceRun(task.runId, "changed").catch(() => undefined);
      return { runId: task.runId };
    } catch (error) {
      if (!(error instanceof StaleRunError)) throw error;
    }
  }
  throw new ConflictError("The run is busy; try again");
}
