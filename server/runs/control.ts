import { isTerminalStatus, type RunEvent } from "../engine/events";
import type { RunState } from "../engine/state";
import type { Db } from "../db";
import { ConflictError } from "../errors";
import { announceRun } from "../events";
import { enqueueAdvance } from "../queue";
import { commitToRun } from "./commit";
import { findRun } from "./queries";
import { actorLabel, type WorkspaceAccess } from "../auth/access";
import { recordAudit, type AuditAction } from "../audit/audit";

/**
 * Pause, resume and cancel any run. Each is an event committed like any other, so the
 * worker sees it at its next step boundary (its own commit fails the sequence check and it
 * re-reads the run).
 */
async function commitControl(db: Db, runId: string, eventFor: (state: RunState) => RunEvent, closeTasks: boolean): Promise<RunState> {
  const { state } = await commitToRun(
    db,
    runId,
    (current) => [eventFor(current)],
    {
      alsoInTransaction: closeTasks
        ? async (tx) => void (await tx.humanTask.updateMany({ where: { runId, status: "pending" }, data: { status: "cancelled", respondedAt: new Date() } }))
        : undefined,
    },
  );
  return state;
}

export async function pauseRun(db: Db, runId: string, by = "operator"): Promise<{ status: string }> {
  const state = await commitControl(
    db,
    runId,
    (current) => {
      if (isTerminalStatus(current.status)) throw new ConflictError(`The run already ended (${current.status})`);
      if (current.status === "paused") throw new ConflictError("The run is already paused");
      return { type: "run_paused", by };
    },
    false,
  );
  return { status: state.status };
}

export async function resumeRun(db: Db, runId: string, by = "operator"): Promise<{ status: string }> {
  const state = await commitControl(
    db,
    runId,
    (current) => {
      if (current.status !== "paused") throw new ConflictError(`Only a paused run can be resumed (this one is ${current.status})`);
      return { type: "run_resumed", by };
    },
    false,
  );
  await enqueueAdvance(runId, state.lastSeq);
  // A worker may still be finishing calls from before the pause: let it carry on at once.
  await announceRun(runId, "changed").catch(() => undefined);
  return { status: state.status };
}

export async function cancelRun(db: Db, runId: string, by = "operator"): Promise<{ status: string }> {
  const state = await commitControl(
    db,
    runId,
    (current) => {
      if (isTerminalStatus(current.status)) throw new ConflictError(`The run already ended (${current.status})`);
      return { type: "run_finished", status: "cancelled", error: `cancelled by ${by}` };
    },
    true,
  );
  // Committed: now stop the worker's in-flight calls. Best effort; see announceRun.
  await announceRun(runId, "cancelled").catch(() => undefined);
  return { status: state.status };
}

export type RunControl = "pause" | "resume" | "cancel";

const CONTROLS = {
  pause: { perform: pauseRun, audit: "run.paused" },
  resume: { perform: resumeRun, audit: "run.resumed" },
  cancel: { perform: cancelRun, audit: "run.cancelled" },
} as const satisfies Record<RunControl, { perform: typeof pauseRun; audit: AuditAction }>;

export function isRunControl(value: string): value is RunControl {
  return Object.hasOwn(CONTROLS, value);
}

/** Pause, resume or cancel a run of the caller's workspace (a trigger token: of its workflow). */
export async function controlRun(db: Db, access: WorkspaceAccess, runId: string, control: RunControl): Promise<{ status: string }> {
  await findRun(db, access.workspaceId, runId, access.actor.kind === "trigger_token" ? access.actor.workflowId : undefined);
  const { perform, audit } = CONTROLS[control];
  const result = await perform(db, runId, actorLabel(access.actor));
  await recordAudit(db, access, audit, { kind: "run", id: runId });
  return result;
}
