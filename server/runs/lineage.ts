import { canRetry, forkEditProblem, reopenableNodeIds } from "../engine/lineage";
import type { CommittedEvent, ForkEdit } from "../engine/events";
import { replay } from "../engine/state";
import { step } from "../engine/step";
import type { Db } from "../db";
import { ConflictError, NotFoundError, UserInputError } from "../errors";
import { newId } from "../ids";
import { assertStorable } from "../json";
import { enqueueAdvance } from "../queue";
import { announceRun } from "../events";
import { actorLabel, type WorkspaceAccess } from "../auth/access";
import { recordAudit } from "../audit/audit";
import { commitToRun, insertRun } from "./commit";
import { getRunEvents, reachableRun } from "./queries";
import { startRun } from "./start-run";

/**
 * Going on from a run that already happened — the durable log makes all three cheap:
 * - re-run: a new run with the same input (same pinned version, or the workflow as it is now);
 * - retry: the same run continues from its failed or cancelled steps, reusing every committed
 *   model reply and tool result;
 * - fork: a new run whose log starts with a copy of the parent's events up to a chosen one,
 *   optionally with one edit, then continues (nothing before that event runs again).
 */

async function reachable(db: Db, access: WorkspaceAccess, runId: string) {
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(runId)) throw new NotFoundError(`Run ${runId.slice(0, 100)}`);
  const run = await db.run.findFirst({
    where: reachableRun(access, runId),
    select: { id: true, workflowId: true, versionId: true, input: true, status: true, trigger: true, callerRunId: true, itemOf: true },
  });
  if (!run) throw new NotFoundError(`Run ${runId}`);
  return run;
}

/**
 * A for-each item's run exists only as part of its parent (it runs the body, not the
 * workflow); a child run's outcome is already the parent's. Both go on through the parent.
 */
function refuseChildRun(run: { callerRunId: string | null; itemOf: string | null }, action: string, alsoSubworkflow: boolean): void {
  if (run.itemOf !== null) throw new ConflictError(`An item of a for-each cannot be ${action} on its own: ${action === "retried" ? "retry" : "re-run"} its parent run ${run.callerRunId ?? ""}`.trim());
  if (alsoSubworkflow && run.callerRunId !== null) throw new ConflictError(`A sub-workflow's run is ${action} through the run that called it: retry run ${run.callerRunId}`);
}

export async function rerunRun(db: Db, access: WorkspaceAccess, runId: string, version: "same" | "latest"): Promise<{ runId: string }> {
  const parent = await reachable(db, access, runId);
  refuseChildRun(parent, "run again", false);
  // The input as the parent ran with it (its run_started event), not the row's copy.
  const [first] = await getRunEvents(db, runId, 0).then((events) => events.filter((event) => event.type === "run_started"));
  const input = first?.type === "run_started" ? first.input : parent.input;
  const started = await startRun(db, {
    workspaceId: access.workspaceId,
    workflowId: parent.workflowId,
    input,
    trigger: "manual",
    startedBy: actorLabel(access.actor),
    lineage: { parentRunId: parent.id, origin: "rerun", ...(version === "same" ? { versionId: parent.versionId } : {}) },
  });
  await recordAudit(db, access, "run.rerun", { kind: "run", id: started.runId }, { parentRunId: parent.id, version });
  return { runId: started.runId };
}

export async function retryRun(db: Db, access: WorkspaceAccess, runId: string): Promise<{ runId: string; status: string }> {
  refuseChildRun(await reachable(db, access, runId), "retried", true);
  const by = actorLabel(access.actor);
  const { state } = await commitToRun(db, runId, (current) => {
    if (!canRetry(current)) throw new ConflictError(`Only a failed or cancelled run can be retried (this one is ${current.status}); run it again instead`);
    return [{ type: "run_retried", by, nodeIds: reopenableNodeIds(current) }];
  });
  await enqueueAdvance(runId, state.lastSeq);
  await announceRun(runId, "changed").catch(() => undefined);
  await recordAudit(db, access, "run.retried", { kind: "run", id: runId });
  return { runId, status: state.status };
}

export async function forkRun(db: Db, access: WorkspaceAccess, runId: string, atSeq: number, edit: ForkEdit | undefined): Promise<{ runId: string }> {
  const parent = await reachable(db, access, runId);
  refuseChildRun(parent, "forked", false);
  const events = await getRunEvents(db, runId, 0);
  const prefix = events.filter((event) => event.seq <= atSeq);
  if (!Number.isInteger(atSeq) || atSeq < 1 || prefix.length !== atSeq) {
    throw new UserInputError(`atSeq must be the number of a committed event of this run (1 to ${events.length})`, "atSeq");
  }
  if (edit) {
    assertStorable(edit, "edit");
    const problem = forkEditProblem(replay(prefix, step), edit);
    if (problem) throw new UserInputError(problem, "edit");
  }
  const at = new Date().toISOString();
  const forked: CommittedEvent = {
    type: "run_forked",
    fromRunId: parent.id,
    atSeq,
    by: actorLabel(access.actor),
    ...(edit ? { edit } : {}),
    nodeIds: reopenableNodeIds(replay(prefix, step)),
    seq: atSeq + 1,
    at,
  };
  const forkId = newId("run");
  const state = await insertRun({
    runId: forkId,
    workspaceId: access.workspaceId,
    workflowId: parent.workflowId,
    versionId: parent.versionId,
    trigger: "manual",
    startedBy: actorLabel(access.actor),
    // The shared history is copied as committed (same seqs, times and payloads): the fork's log
    // alone replays to its state, and the parent may be deleted without breaking it.
    events: [...prefix, forked],
    lineage: { parentRunId: parent.id, origin: "fork", forkedAtSeq: atSeq },
  });
  await enqueueAdvance(forkId, state.lastSeq);
  await recordAudit(db, access, "run.forked", { kind: "run", id: forkId }, { parentRunId: parent.id, atSeq, ...(edit ? { edit: edit.kind } : {}) });
  return { runId: forkId };
}
