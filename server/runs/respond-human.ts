import { isTerminalStatus, type HumanDecision } from "../engine/events";
import type { Db } from "../db";
import { ConflictError, NotFoundError, UserInputError } from "../errors";
import { announceRun } from "../events";
import { enqueueAdvance } from "../queue";
import { commitToRun } from "./commit";
import { loadRun } from "./load";
import { assertStorable } from "../json";
import { actorLabel, type WorkspaceAccess } from "../auth/access";
import { auditEntryRow, type AuditAction } from "../audit/audit";

function auditActionFor(kind: string, params: { decision: HumanDecision; answer?: string; editedArguments?: string; editedContent?: unknown }): AuditAction {
  if (params.decision === "reject") return "human_task.rejected";
  if (params.editedContent !== undefined) return "human_task.content_edited";
  if (params.editedArguments !== undefined) return "human_task.arguments_edited";
  if (kind === "question" || params.answer !== undefined) return "human_task.answered";
  return "human_task.approved";
}

export type HumanResponse = {
  taskId: string;
  decision: HumanDecision;
  /** The reviewer's reason (told to the model, routed on a gate's reject branch). */
  comment?: string;
  answer?: string;
  editedArguments?: string;
  /** A gate approved with edits: the corrected content (any JSON value). */
  editedContent?: unknown;
};

/**
 * Records a human's answer as a run event (in the same statement that closes and audits the
 * task, and only while it is pending, so a double click cannot answer twice) and enqueues the
 * run's continuation.
 */
export async function respondToHumanTask(db: Db, access: WorkspaceAccess, params: HumanResponse): Promise<{ runId: string }> {
  const task = await db.humanTask.findFirst({
    where: { id: params.taskId, run: { workspaceId: access.workspaceId, ...(access.actor.kind === "trigger_token" ? { workflowId: access.actor.workflowId } : {}) } },
  });
  if (!task) throw new NotFoundError(`Human task ${params.taskId}`);
  const by = actorLabel(access.actor);
  if (task.status !== "pending") throw new ConflictError(`This task was already answered (${task.status})`);
  assertStorable({ comment: params.comment, answer: params.answer, editedArguments: params.editedArguments, editedContent: params.editedContent }, "");
  if (params.editedArguments !== undefined) {
    try {
      JSON.parse(params.editedArguments);
    } catch {
      throw new UserInputError("editedArguments must be a JSON object", "editedArguments");
    }
  }
  if (params.editedContent !== undefined) await assertContentEditable(db, task, params.decision);

  const edited = params.answer !== undefined || params.editedArguments !== undefined || params.editedContent !== undefined;
  const { state } = await commitToRun(
    db,
    task.runId,
    (current) => {
      // The run's own record of the task: answered (or timed out, or the run ended) since it was read above.
      const asked = current.humans[task.nodeId];
      if (isTerminalStatus(current.status) || asked?.taskId !== task.id || asked.decision) throw new ConflictError("This task was already answered");
      return [
        {
          type: "human_responded",
          nodeId: task.nodeId,
          taskId: task.id,
          decision: params.decision,
          ...(params.comment ? { comment: params.comment } : {}),
          ...(params.answer !== undefined ? { answer: params.answer } : {}),
          ...(params.editedArguments !== undefined ? { editedArguments: params.editedArguments } : {}),
          ...(params.editedContent !== undefined ? { editedContent: params.editedContent } : {}),
          by,
        },
      ];
    },
    {
      // Closed and audited in the commit's own statement, which moves the run only while the task is pending.
      answers: {
        taskId: task.id,
        answer: {
          status: params.decision === "approve" ? "approved" : "rejected",
          comment: params.comment ?? null,
          response: edited ? { answer: params.answer, editedArguments: params.editedArguments, editedContent: params.editedContent } : null,
          respondedById: access.actor.kind === "system" ? null : access.actor.id,
          respondedByName: by,
        },
        audit: auditEntryRow(access, auditActionFor(task.kind, params), { kind: "human_task", id: task.id, name: `${task.nodeId} in ${task.runId}` }, {
          runId: task.runId,
          nodeId: task.nodeId,
          decision: params.decision,
          ...(params.comment ? { comment: params.comment } : {}),
          ...(params.editedContent !== undefined ? { edited: true } : {}),
        }),
      },
    },
  );
  await enqueueAdvance(task.runId, state.lastSeq);
  // The run may still be advancing other branches: its worker re-reads it now.
  await announceRun(task.runId, "changed").catch(() => undefined);
  return { runId: task.runId };
}

/** Only a gate's reviewer approves with edits, and only where the builder allowed it. */
async function assertContentEditable(db: Db, task: { runId: string; nodeId: string; kind: string }, decision: HumanDecision): Promise<void> {
  if (task.kind !== "gate") throw new UserInputError("Only an approval step's content can be edited", "editedContent");
  if (decision !== "approve") throw new UserInputError("Edited content goes with an approval, not a rejection", "editedContent");
  const { graph } = await loadRun(db, task.runId);
  const node = graph.nodes.find((candidate) => candidate.id === task.nodeId);
  if (node?.type === "human" && !node.data.allowEdit) throw new UserInputError("This step does not let the reviewer edit the content", "editedContent");
}
