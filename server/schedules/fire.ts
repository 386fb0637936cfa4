import type { Db } from "../db";
import { NotFoundError, UserInputError } from "../errors";
import { newId } from "../ids";
import { startRun } from "../runs/start-run";
import { latestPublishedVersion } from "../workflows/versions";
import { latestFireTimeAtOrBefore } from "./cron";

/**
 * One slot of one schedule becomes at most one run. The claim — moving the schedule's
 * `lastSlotAt` forward and inserting the slot's ScheduleFire row, in one transaction — is what
 * makes it so: a second job for the same slot (a stalled job handed to another worker, a
 * catch-up racing the scheduler) finds the slot taken and starts nothing.
 */

/** A job handled later than this after its slot was missed (every worker was down). */
export const DEFAULT_LATE_AFTER_MS = 60_000;

export type FireOutcome =
  | { outcome: "started"; runId: string; slotAt: Date }
  | { outcome: "skipped" | "failed"; reason: string; slotAt: Date }
  /** The slot was already handled, or the schedule is gone or off. */
  | { outcome: "ignored"; reason: string };

type ScheduleRow = {
  id: string;
  workspaceId: string;
  workflowId: string;
  name: string;
  cron: string;
  timeZone: string;
  enabled: boolean;
  input: unknown;
  missedPolicy: string;
  lastSlotAt: Date | null;
  createdAt: Date;
};

const SCHEDULE_SELECT = {
  id: true,
  workspaceId: true,
  workflowId: true,
  name: true,
  cron: true,
  timeZone: true,
  enabled: true,
  input: true,
  missedPolicy: true,
  lastSlotAt: true,
  createdAt: true,
} as const;

type FireKind = "scheduled" | "catch_up";

/** Takes the slot for this process, or answers false when it was already handled. */
async function claimSlot(db: Db, schedule: ScheduleRow, slotAt: Date, kind: FireKind): Promise<string | null> {
  const fireId = newId("sfi");
  try {
    return await db.$transaction(async (tx) => {
      const moved = await tx.schedule.updateMany({
        where: { id: schedule.id, OR: [{ lastSlotAt: null }, { lastSlotAt: { lt: slotAt } }] },
        data: { lastSlotAt: slotAt },
      });
      if (moved.count === 0) return null;
      await tx.scheduleFire.create({ data: { id: fireId, scheduleId: schedule.id, slotAt, kind, status: "starting" } });
      return fireId;
    });
  } catch (error) {
    // The same slot inserted by another process between our update and insert.
    if (error instanceof Error && "code" in error && error.code === "P2002") return null;
    throw error;
  }
}

/** Fires are kept this long (the panel shows the last one; the claim itself is `lastSlotAt`). */
const FIRE_LOG_RETENTION_MS = 7 * 86_400_000;

async function settle(db: Db, fireId: string, data: { status: "started" | "skipped" | "failed"; runId?: string; message?: string }) {
  const fire = await db.scheduleFire.update({ where: { id: fireId }, data: { status: data.status, runId: data.runId ?? null, message: data.message?.slice(0, 1_000) ?? null } });
  // A per-minute schedule fires 1,440 times a day: its log is pruned as it grows.
  await db.scheduleFire.deleteMany({ where: { scheduleId: fire.scheduleId, createdAt: { lt: new Date(Date.now() - FIRE_LOG_RETENTION_MS) } } });
}

/** Starts the run of a claimed slot: the published version, with the schedule's input. */
async function startClaimed(db: Db, schedule: ScheduleRow, fireId: string, slotAt: Date, kind: FireKind): Promise<FireOutcome> {
  const published = await latestPublishedVersion(db, schedule.workflowId);
  if (!published) {
    const reason = "the workflow has no published version (a schedule never runs the draft)";
    await settle(db, fireId, { status: "skipped", message: reason });
    return { outcome: "skipped", reason, slotAt };
  }
  try {
    const { runId } = await startRun(db, {
      workspaceId: schedule.workspaceId,
      workflowId: schedule.workflowId,
      input: schedule.input,
      trigger: "schedule",
      startedBy: `Schedule "${schedule.name}"${kind === "catch_up" ? " (catch-up)" : ""}`,
    });
    await settle(db, fireId, { status: "started", runId });
    return { outcome: "started", runId, slotAt };
  } catch (error) {
    // The workflow or its input cannot run as it is: recorded on the schedule, not retried.
    if (!(error instanceof UserInputError || error instanceof NotFoundError)) {
      await settle(db, fireId, { status: "failed", message: `could not start the run: ${error instanceof Error ? error.message : String(error)}` });
      throw error;
    }
    await settle(db, fireId, { status: "failed", message: error.message });
    return { outcome: "failed", reason: error.message, slotAt };
  }
}

/**
 * Handles the scheduler's job for `slotAt`, received at `now`. On time: the slot's run. Late
 * (every worker was down at the slot): `skip` records the slot as missed; `run_once` starts one
 * catch-up run for the latest slot passed — the startup catch-up takes the same slot, so the
 * two make one run.
 */
export async function fireSchedule(db: Db, params: { scheduleId: string; slotAt: Date; now: Date; lateAfterMs?: number }): Promise<FireOutcome> {
  const schedule = await db.schedule.findUnique({ where: { id: params.scheduleId }, select: SCHEDULE_SELECT });
  if (!schedule) return { outcome: "ignored", reason: "the schedule was deleted" };
  if (!schedule.enabled) return { outcome: "ignored", reason: "the schedule is off" };
  const late = params.now.getTime() - params.slotAt.getTime() > (params.lateAfterMs ?? DEFAULT_LATE_AFTER_MS);
  if (late && schedule.missedPolicy === "run_once") {
    const latest = latestFireTimeAtOrBefore(schedule.cron, schedule.timeZone, params.now) ?? params.slotAt;
    return fireSlot(db, schedule, latest > params.slotAt ? latest : params.slotAt, "catch_up");
  }
  if (late) {
    const fireId = await claimSlot(db, schedule, params.slotAt, "scheduled");
    if (!fireId) return { outcome: "ignored", reason: "the slot was already handled" };
    const reason = "missed: no worker was running at this time (the schedule's policy is to skip missed fires)";
    await settle(db, fireId, { status: "skipped", message: reason });
    return { outcome: "skipped", reason, slotAt: params.slotAt };
  }
  return fireSlot(db, schedule, params.slotAt, "scheduled");
}

async function fireSlot(db: Db, schedule: ScheduleRow, slotAt: Date, kind: FireKind): Promise<FireOutcome> {
  const fireId = await claimSlot(db, schedule, slotAt, kind);
  if (!fireId) return { outcome: "ignored", reason: "the slot was already handled" };
  return startClaimed(db, schedule, fireId, slotAt, kind);
}

/**
 * At worker start: each enabled `run_once` schedule whose latest slot passed since it last
 * fired (or since it was made) gets one catch-up run for all the slots missed meanwhile.
 * Several workers starting together make one run per schedule (the claim).
 */
export async function catchUpMissedFires(db: Db, now: Date): Promise<FireOutcome[]> {
  const schedules = await db.schedule.findMany({ where: { enabled: true, missedPolicy: "run_once" }, select: SCHEDULE_SELECT });
  const outcomes: FireOutcome[] = [];
  for (const schedule of schedules) {
    const latest = latestFireTimeAtOrBefore(schedule.cron, schedule.timeZone, now);
    const since = schedule.lastSlotAt ?? schedule.createdAt;
    if (!latest || latest <= since) continue;
    outcomes.push(await fireSlot(db, schedule, latest, "catch_up"));
  }
  return outcomes;
}
