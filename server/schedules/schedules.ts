import { z } from "zod";
import type { Db } from "../db";
import type { WorkspaceAccess } from "../auth/access";
import { recordAudit } from "../audit/audit";
import { graphSchema } from "../engine/graph";
import { NotFoundError, UserInputError } from "../errors";
import { newId } from "../ids";
import { assertStorable, toJson } from "../json";
import { checkedInput } from "../runs/start-run";
import { latestPublishedVersion } from "../workflows/versions";
import { checkCron, isTimeZone, nextFireTimes } from "./cron";
import { syncScheduler } from "./reconcile";

/**
 * A workflow's schedules (the Schedules section of the editor's Trigger API tab). Postgres holds them; each write then
 * updates the schedule's BullMQ job scheduler (and every worker reconciles all of them at start).
 */
export const MAX_SCHEDULES_PER_WORKFLOW = 10;
export const MISSED_POLICIES = ["skip", "run_once"] as const;
export type MissedPolicy = (typeof MISSED_POLICIES)[number];

export const scheduleFieldsSchema = z.object({
  name: z.string().trim().min(1, "Name is required").max(80, "is too long (80 characters at most)"),
  cron: z.string().trim().min(1, "Cron expression is required").max(200, "is too long"),
  timeZone: z.string().trim().min(1, "Time zone is required").max(64, "is too long"),
  enabled: z.boolean().default(true),
  /** The run input of each fire (a JSON value; an object when the Trigger has input fields). */
  input: z.unknown().optional(),
  missedPolicy: z.enum(MISSED_POLICIES).default("skip"),
});
export type ScheduleFields = z.infer<typeof scheduleFieldsSchema>;

async function findWorkflow(db: Db, workspaceId: string, workflowId: string) {
  const workflow = await db.workflow.findFirst({ where: { id: workflowId, workspaceId }, select: { id: true, name: true, draftGraph: true } });
  // Another workspace's workflow reads exactly like a missing one.
  if (!workflow) throw new NotFoundError(`Workflow ${workflowId}`);
  return workflow;
}

async function findSchedule(db: Db, workspaceId: string, id: string) {
  const schedule = await db.schedule.findFirst({ where: { id, workspaceId } });
  if (!schedule) throw new NotFoundError(`Schedule ${id}`);
  return schedule;
}

/** The fields as stored, or a UserInputError naming the bad one. */
async function checkedFields(db: Db, workflow: { id: string; draftGraph: unknown }, fields: ScheduleFields) {
  const cron = checkCron(fields.cron);
  if (!cron.ok) throw new UserInputError(`Cron expression: ${cron.message}`, "cron");
  if (!isTimeZone(fields.timeZone)) throw new UserInputError(`Time zone: "${fields.timeZone}" is not an IANA time zone (for example Europe/Paris, America/New_York, UTC)`, "timeZone");
  assertStorable(fields.input ?? null, "input");
  // Checked like a manual run's input against the Trigger's fields — of the version a fire runs
  // (the published one), or of the draft while nothing is published yet.
  const published = await latestPublishedVersion(db, workflow.id);
  const graph = graphSchema.parse(published ? published.graph : workflow.draftGraph);
  const input = checkedInput(graph, fields.input ?? null);
  return { name: fields.name, cron: cron.cron, timeZone: fields.timeZone, enabled: fields.enabled, input: input ?? null, missedPolicy: fields.missedPolicy };
}

export async function listSchedules(db: Db, workspaceId: string, workflowId: string, now = new Date()) {
  await findWorkflow(db, workspaceId, workflowId);
  const [schedules, published] = await Promise.all([
    db.schedule.findMany({
      where: { workflowId, workspaceId },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      include: { fires: { orderBy: { createdAt: "desc" }, take: 1 } },
    }),
    latestPublishedVersion(db, workflowId),
  ]);
  return {
    publishedVersion: published?.version ?? null,
    max: MAX_SCHEDULES_PER_WORKFLOW,
    schedules: schedules.map(({ fires, ...schedule }) => ({
      id: schedule.id,
      name: schedule.name,
      cron: schedule.cron,
      timeZone: schedule.timeZone,
      enabled: schedule.enabled,
      input: schedule.input as unknown,
      missedPolicy: schedule.missedPolicy as MissedPolicy,
      createdAt: schedule.createdAt,
      // Computed here, in the schedule's zone, with the parser the scheduler uses.
      nextFireTimes: schedule.enabled ? nextFireTimes(schedule.cron, schedule.timeZone, now, 5) : [],
      lastFire: fires[0]
        ? { slotAt: fires[0].slotAt, status: fires[0].status, kind: fires[0].kind, runId: fires[0].runId, message: fires[0].message, at: fires[0].createdAt }
        : null,
    })),
  };
}

/** Five fire times of an expression not saved yet (the form's preview), or what is wrong with it. */
export function previewFireTimes(cronText: string, timeZone: string, now = new Date()): { ok: true; times: Date[] } | { ok: false; field: "cron" | "timeZone"; message: string } {
  const cron = checkCron(cronText);
  if (!cron.ok) return { ok: false, field: "cron", message: `Cron expression: ${cron.message}` };
  if (!isTimeZone(timeZone)) return { ok: false, field: "timeZone", message: `Time zone: "${timeZone}" is not an IANA time zone` };
  return { ok: true, times: nextFireTimes(cron.cron, timeZone, now, 5) };
}

export async function createSchedule(db: Db, access: WorkspaceAccess, workflowId: string, fields: ScheduleFields) {
  const workflow = await findWorkflow(db, access.workspaceId, workflowId);
  const data = await checkedFields(db, workflow, fields);
  const count = await db.schedule.count({ where: { workflowId: workflow.id } });
  if (count >= MAX_SCHEDULES_PER_WORKFLOW) throw new UserInputError(`A workflow can have at most ${MAX_SCHEDULES_PER_WORKFLOW} schedules`, "workflowId");
  const id = newId("sch");
  const schedule = await db.$transaction(async (tx) => {
    const created = await tx.schedule.create({
      data: { id, workspaceId: access.workspaceId, workflowId: workflow.id, ...data, input: toJson(data.input), createdById: access.actor.kind === "user" ? access.actor.id : null },
    });
    await recordAudit(tx, access, "workflow.schedule_created", { kind: "workflow", id: workflow.id, name: workflow.name }, { scheduleId: id, name: data.name, cron: data.cron, timeZone: data.timeZone, enabled: data.enabled });
    return created;
  });
  await syncScheduler(schedule, schedule.id);
  return { id: schedule.id };
}

export async function updateSchedule(db: Db, access: WorkspaceAccess, id: string, fields: ScheduleFields) {
  const existing = await findSchedule(db, access.workspaceId, id);
  const workflow = await findWorkflow(db, access.workspaceId, existing.workflowId);
  const data = await checkedFields(db, workflow, fields);
  const schedule = await db.$transaction(async (tx) => {
    // Turned on again: slots passed while off are not "missed" (no catch-up for them).
    const resumed = data.enabled && !existing.enabled ? { lastSlotAt: new Date() } : {};
    const updated = await tx.schedule.update({ where: { id: existing.id }, data: { ...data, input: toJson(data.input), ...resumed } });
    await recordAudit(tx, access, "workflow.schedule_updated", { kind: "workflow", id: workflow.id, name: workflow.name }, { scheduleId: id, name: data.name, cron: data.cron, timeZone: data.timeZone, enabled: data.enabled });
    return updated;
  });
  await syncScheduler(schedule, schedule.id);
  return { id: schedule.id };
}

export async function setScheduleEnabled(db: Db, access: WorkspaceAccess, id: string, enabled: boolean) {
  const existing = await findSchedule(db, access.workspaceId, id);
  const schedule = await db.$transaction(async (tx) => {
    // Turned on again: slots passed while off are not "missed" (no catch-up for them).
    const updated = await tx.schedule.update({ where: { id: existing.id }, data: { enabled, ...(enabled && !existing.enabled ? { lastSlotAt: new Date() } : {}) } });
    await recordAudit(tx, access, "workflow.schedule_updated", { kind: "workflow", id: existing.workflowId }, { scheduleId: id, name: existing.name, enabled });
    return updated;
  });
  await syncScheduler(schedule, schedule.id);
  return { id: schedule.id, enabled: schedule.enabled };
}

export async function deleteSchedule(db: Db, access: WorkspaceAccess, id: string) {
  const existing = await findSchedule(db, access.workspaceId, id);
  await db.$transaction(async (tx) => {
    await tx.schedule.delete({ where: { id: existing.id } });
    await recordAudit(tx, access, "workflow.schedule_deleted", { kind: "workflow", id: existing.workflowId }, { scheduleId: id, name: existing.name });
  });
  await syncScheduler(null, existing.id);
  return { ok: true as const };
}
