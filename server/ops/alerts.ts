import { z } from "zod";
import { createSweeper, type Sweeper } from "./sweeper";
import type { Db } from "../db";
import { newId } from "../ids";
import { NotFoundError, UserInputError } from "../errors";
import type { WorkspaceAccess } from "../auth/access";
import { recordAudit } from "../audit/audit";
import { alertDeliveryId } from "../notifications/channels";
import { enqueueDeliveries } from "../notifications/queue";
import { listLiveWorkers } from "./workers";
import { componentLog } from "./log";
import { usd } from "./budgets";

/**
 * Alerts: conditions a workspace watches, evaluated by a sweeper in every worker
 * (workers/main.ts) and delivered through the workspace's notification channels — the same
 * channels and senders as human-task notices (server/notifications/deliver.ts).
 *
 * - failure_rate: more than `threshold` % of the runs created in the last `windowMinutes`
 *   that ended, failed — counted once at least `minRuns` ended.
 * - daily_cost: today's (UTC) model spend is above `threshold` USD.
 * - task_waiting: a human task has waited longer than `threshold` minutes.
 * - no_worker: fewer than `threshold` worker processes beat (server/ops/workers.ts). Every
 *   worker evaluates it, so it fires when others died; a worker also sweeps once before its
 *   own first beat, so a fleet coming back after all workers were down is told so.
 *
 * A rule fires at most once per `cooldownMinutes`: the firing is claimed by a conditional
 * UPDATE of its `lastFiredAt`, so when several workers sweep at once exactly one sends it.
 * Each firing is logged (AlertLog). Its delivery is a NotificationDelivery on the
 * "notifications" queue (server/notifications/queue.ts), so it is tried DELIVERY_ATTEMPTS
 * times with the same backoff as a task notice, and every attempt is copied to the log entry
 * (pending → retrying → delivered | failed, attempts, last error). While a firing of a rule is
 * still being delivered, the rule does not fire again, whatever its cool-down.
 */

export const ALERT_KINDS = ["failure_rate", "daily_cost", "task_waiting", "no_worker"] as const;

/** How often the worker sweeps. */
export const ALERT_SWEEP_EVERY_MS = 30_000;

/**
 * A firing whose delivery has not settled this long after it fired is given up (failed): its
 * job was lost (Redis flushed) or no worker ran it. The retries themselves take about 2.5 min.
 */
export const ALERT_DELIVERY_GIVE_UP_MS = 30 * 60_000;

/** A queued delivery not tried this long after its firing is enqueued again (a no-op while its job exists). */
const ALERT_REQUEUE_AFTER_MS = 60_000;

/** The log entry states of a firing still being delivered: its rule waits for it. */
const UNSETTLED = ["pending", "retrying"];

const logger = componentLog("alerts");

const FAILED_STATUSES = ["failed", "compensated", "compensation_failed"];
const ENDED_STATUSES = ["succeeded", "rejected", "cancelled", ...FAILED_STATUSES];

export const alertRuleInputSchema = z
  .object({
    kind: z.enum(ALERT_KINDS, { message: "Pick what to watch" }),
    threshold: z.number({ message: "The threshold must be a number" }).finite().min(0, "The threshold cannot be negative").max(1_000_000_000, "The threshold is too large"),
    windowMinutes: z.number().int("Whole minutes").min(1, "At least 1 minute").max(10_080, "At most a week (10080 minutes)").default(15),
    minRuns: z.number().int("A whole number of runs").min(1, "At least 1 run").max(100_000).default(5),
    cooldownMinutes: z.number().int("Whole minutes").min(1, "At least 1 minute").max(10_080, "At most a week (10080 minutes)").default(60),
    channelId: z.string().min(1).max(100).nullable(),
    enabled: z.boolean().default(true),
  })
  .superRefine((rule, context) => {
    if (rule.kind === "failure_rate" && rule.threshold > 100) context.addIssue({ code: "custom", path: ["threshold"], message: "A failure rate is at most 100 %" });
    if (rule.kind === "task_waiting" && rule.threshold < 1) context.addIssue({ code: "custom", path: ["threshold"], message: "A task waits at least 1 minute before it alerts" });
    if (rule.kind === "no_worker" && (!Number.isInteger(rule.threshold) || rule.threshold < 1)) {
      context.addIssue({ code: "custom", path: ["threshold"], message: "The least number of workers is a whole number, at least 1" });
    }
  });
export type AlertRuleInput = z.infer<typeof alertRuleInputSchema>;

export const updateAlertRuleSchema = z.object({ id: z.string().min(1).max(100) }).and(alertRuleInputSchema);

/** What a rule watches, in words (the settings list and the alert's text). */
export function describeRule(rule: { kind: string; threshold: number; windowMinutes: number; minRuns: number }): string {
  switch (rule.kind) {
    case "failure_rate":
      return `More than ${rule.threshold} % of runs fail within ${rule.windowMinutes} min (at least ${rule.minRuns} runs)`;
    case "daily_cost":
      return `Model spend today (UTC) above ${usd(rule.threshold)}`;
    case "task_waiting":
      return `A human task waits longer than ${rule.threshold} min`;
    case "no_worker":
      return rule.threshold <= 1 ? "No worker process alive" : `Fewer than ${rule.threshold} worker processes alive`;
    default:
      return rule.kind;
  }
}

async function checkedChannelId(db: Db, workspaceId: string, channelId: string | null): Promise<string | null> {
  if (channelId === null) return null;
  const channel = await db.notificationChannel.findFirst({ where: { id: channelId, workspaceId }, select: { id: true } });
  // Another workspace's channel reads exactly like a missing one.
  if (!channel) throw new UserInputError("No such notification channel in this workspace", "channelId");
  return channel.id;
}

function ruleData(input: AlertRuleInput) {
  return {
    kind: input.kind,
    threshold: input.threshold,
    windowMinutes: input.windowMinutes,
    minRuns: input.minRuns,
    cooldownMinutes: input.cooldownMinutes,
    enabled: input.enabled,
  };
}

export async function createAlertRule(db: Db, access: WorkspaceAccess, input: AlertRuleInput) {
  const channelId = await checkedChannelId(db, access.workspaceId, input.channelId);
  const id = newId("alr");
  await db.$transaction(async (tx) => {
    await tx.alertRule.create({ data: { id, workspaceId: access.workspaceId, channelId, ...ruleData(input) } });
    await recordAudit(tx, access, "alert_rule.created", { kind: "alert_rule", id, name: describeRule(input) }, { ...ruleData(input), channelId });
  });
  return { id };
}

async function findRule(db: Db, workspaceId: string, id: string) {
  const rule = await db.alertRule.findFirst({ where: { id, workspaceId }, select: { id: true } });
  if (!rule) throw new NotFoundError(`Alert rule ${id}`);
  return rule;
}

export async function updateAlertRule(db: Db, access: WorkspaceAccess, input: z.infer<typeof updateAlertRuleSchema>) {
  const rule = await findRule(db, access.workspaceId, input.id);
  const channelId = await checkedChannelId(db, access.workspaceId, input.channelId);
  await db.$transaction(async (tx) => {
    await tx.alertRule.update({ where: { id: rule.id }, data: { channelId, ...ruleData(input) } });
    await recordAudit(tx, access, "alert_rule.updated", { kind: "alert_rule", id: rule.id, name: describeRule(input) }, { ...ruleData(input), channelId });
  });
  return { id: rule.id };
}

export async function deleteAlertRule(db: Db, access: WorkspaceAccess, id: string) {
  const rule = await findRule(db, access.workspaceId, id);
  await db.$transaction(async (tx) => {
    // Its log entries stay (ruleId set null): what fired is history.
    await tx.alertRule.delete({ where: { id: rule.id } });
    await recordAudit(tx, access, "alert_rule.deleted", { kind: "alert_rule", id: rule.id });
  });
  return { ok: true as const };
}

/** Settings → Alerts: the rules, the channels they can use, and the latest firings. */
export async function listAlerts(db: Db, workspaceId: string) {
  const [rules, channels, log] = await Promise.all([
    db.alertRule.findMany({
      where: { workspaceId },
      orderBy: { createdAt: "asc" },
      select: { id: true, kind: true, threshold: true, windowMinutes: true, minRuns: true, cooldownMinutes: true, enabled: true, lastFiredAt: true, channel: { select: { id: true, name: true, kind: true } } },
    }),
    db.notificationChannel.findMany({ where: { workspaceId }, orderBy: { createdAt: "asc" }, select: { id: true, name: true, kind: true, enabled: true } }),
    db.alertLog.findMany({
      where: { workspaceId },
      orderBy: { firedAt: "desc" },
      take: 50,
      select: { id: true, ruleId: true, kind: true, message: true, value: true, channelName: true, status: true, error: true, attempts: true, lastAttemptAt: true, deliveredAt: true, firedAt: true },
    }),
  ]);
  return { rules: rules.map((rule) => ({ ...rule, description: describeRule(rule) })), channels, log };
}

// ── Evaluation ───────────────────────────────────────────────────────────────────────────

type Rule = { id: string; workspaceId: string; kind: string; threshold: number; windowMinutes: number; minRuns: number; cooldownMinutes: number };
type Finding = { value: number; message: string } | null;

/** What the sweep reads once per sweep, whatever the number of rules. */
type SweepContext = { now: Date; liveWorkers: () => Promise<number> };

async function evaluate(db: Db, rule: Rule, context: SweepContext): Promise<Finding> {
  const { now } = context;
  switch (rule.kind) {
    case "failure_rate": {
      const since = new Date(now.getTime() - rule.windowMinutes * 60_000);
      const rows = await db.run.groupBy({ by: ["status"], where: { workspaceId: rule.workspaceId, createdAt: { gte: since }, status: { in: ENDED_STATUSES } }, _count: { _all: true } });
      const ended = rows.reduce((sum, row) => sum + row._count._all, 0);
      const failed = rows.filter((row) => FAILED_STATUSES.includes(row.status)).reduce((sum, row) => sum + row._count._all, 0);
      if (ended < rule.minRuns) return null;
      const percent = (failed / ended) * 100;
      if (percent <= rule.threshold) return null;
      return { value: percent, message: `${failed} of ${ended} runs failed in the last ${rule.windowMinutes} min (${percent.toFixed(0)} %, above ${rule.threshold} %)` };
    }
    case "daily_cost": {
      const dayStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
      const spend = await db.run.aggregate({ where: { workspaceId: rule.workspaceId, createdAt: { gte: dayStart } }, _sum: { costUsd: true } });
      const spent = spend._sum.costUsd ?? 0;
      if (spent <= rule.threshold) return null;
      return { value: spent, message: `Model spend today (UTC) is ${usd(spent)}, above ${usd(rule.threshold)}` };
    }
    case "task_waiting": {
      const before = new Date(now.getTime() - rule.threshold * 60_000);
      const oldest = await db.humanTask.findFirst({
        where: { status: "pending", createdAt: { lte: before }, run: { workspaceId: rule.workspaceId } },
        orderBy: { createdAt: "asc" },
        select: { id: true, createdAt: true, run: { select: { workflow: { select: { name: true } } } } },
      });
      if (!oldest) return null;
      const minutes = (now.getTime() - oldest.createdAt.getTime()) / 60_000;
      return { value: minutes, message: `A human task in “${oldest.run.workflow.name}” has waited ${Math.floor(minutes)} min (longer than ${rule.threshold} min)` };
    }
    case "no_worker": {
      const live = await context.liveWorkers();
      if (live >= rule.threshold) return null;
      return { value: live, message: live === 0 ? "No worker process is alive: runs do not advance" : `Only ${live} worker process${live === 1 ? " is" : "es are"} alive (fewer than ${rule.threshold})` };
    }
    default:
      return null;
  }
}

/**
 * Takes the right to fire `rule` now; false when it fired within its cool-down (here or in
 * another worker), or when an earlier firing of it is still being delivered (retried).
 */
async function claimFiring(db: Db, rule: Rule, now: Date): Promise<boolean> {
  const claimed = await db.$executeRaw`
    UPDATE "AlertRule" SET "lastFiredAt" = ${now}
    WHERE "id" = ${rule.id} AND "enabled"
      AND ("lastFiredAt" IS NULL OR "lastFiredAt" <= ${new Date(now.getTime() - rule.cooldownMinutes * 60_000)})
      AND NOT EXISTS (SELECT 1 FROM "AlertLog" WHERE "status" = ANY(${UNSETTLED}) AND "ruleId" = ${rule.id})`;
  return claimed === 1;
}

/**
 * Logs a firing and, when the rule has an enabled channel, queues its one delivery (row and
 * log entry in one transaction; the delivery and job ids derive from the log id). The
 * notifications worker sends it and records each attempt (server/notifications/attempt.ts).
 */
async function fireAlert(db: Db, rule: Rule, finding: NonNullable<Finding>, now: Date): Promise<{ status: string; logId: string }> {
  const logId = newId("alg");
  const row = await db.alertRule.findUnique({ where: { id: rule.id }, select: { channel: { select: { id: true, name: true, enabled: true } } } });
  const channel = row?.channel ?? null;
  const entry = { id: logId, workspaceId: rule.workspaceId, ruleId: rule.id, kind: rule.kind, message: finding.message, value: finding.value, channelName: channel?.name ?? null, firedAt: now };
  if (!channel) {
    await db.alertLog.create({ data: { ...entry, status: "no_channel" } });
    return { status: "no_channel", logId };
  }
  if (!channel.enabled) {
    await db.alertLog.create({ data: { ...entry, status: "failed", error: "the channel is disabled" } });
    return { status: "failed", logId };
  }
  const deliveryId = alertDeliveryId(logId);
  await db.$transaction([
    db.alertLog.create({ data: { ...entry, status: "pending" } }),
    db.notificationDelivery.create({ data: { id: deliveryId, channelId: channel.id, taskId: null, event: "alert", alertLogId: logId, status: "pending" } }),
  ]);
  try {
    await enqueueDeliveries([{ deliveryId }]);
  } catch (error) {
    // The row is there: a later sweep enqueues it again (tendAlertDeliveries).
    logger.error({ err: error, deliveryId }, "could not enqueue an alert delivery; the next sweeps retry");
  }
  return { status: "pending", logId };
}

/**
 * Keeps firings from being stuck "being delivered", which would hold their rules back: a
 * delivery never tried a minute after its firing is enqueued again (its job id makes that a
 * no-op while the job exists); one whose channel was deleted, or that has not settled within
 * ALERT_DELIVERY_GIVE_UP_MS, is settled as failed.
 */
async function tendAlertDeliveries(db: Db, now: Date): Promise<void> {
  const unsettled = await db.alertLog.findMany({ where: { status: { in: UNSETTLED } }, select: { id: true, firedAt: true }, take: 500 });
  if (unsettled.length === 0) return;
  const deliveries = await db.notificationDelivery.findMany({
    where: { alertLogId: { in: unsettled.map((entry) => entry.id) } },
    select: { id: true, alertLogId: true, attempts: true },
  });
  const deliveryOf = new Map(deliveries.map((delivery) => [delivery.alertLogId, delivery]));
  const requeue: { deliveryId: string }[] = [];
  for (const entry of unsettled) {
    const delivery = deliveryOf.get(entry.id);
    const age = now.getTime() - entry.firedAt.getTime();
    if (!delivery) {
      await settleAsFailed(db, entry.id, null, "the channel was deleted before this was delivered");
    } else if (age >= ALERT_DELIVERY_GIVE_UP_MS) {
      await settleAsFailed(db, entry.id, delivery.id, `not delivered within ${ALERT_DELIVERY_GIVE_UP_MS / 60_000} min of firing (no worker took it); given up`);
    } else if (delivery.attempts === 0 && age >= ALERT_REQUEUE_AFTER_MS) {
      requeue.push({ deliveryId: delivery.id });
    }
  }
  try {
    await enqueueDeliveries(requeue);
  } catch (error) {
    // Redis may be down: the rules are still evaluated and logged; the next sweep tries again.
    logger.error({ err: error, deliveries: requeue.length }, "could not enqueue alert deliveries again");
  }
}

async function settleAsFailed(db: Db, alertLogId: string, deliveryId: string | null, reason: string): Promise<void> {
  await db.$transaction([
    // "skipped": should its job still run, the attempt finds nothing to do.
    ...(deliveryId ? [db.notificationDelivery.updateMany({ where: { id: deliveryId, status: "pending" }, data: { status: "skipped", lastError: reason } })] : []),
    db.alertLog.updateMany({ where: { id: alertLogId, status: { in: UNSETTLED } }, data: { status: "failed", error: reason } }),
  ]);
}

export type AlertSweepReport = { evaluated: number; fired: { ruleId: string; status: string; logId: string }[] };

/** One sweep over every enabled rule of every workspace. */
export async function sweepAlerts(db: Db, options: { now?: Date; liveWorkers?: () => Promise<number> } = {}): Promise<AlertSweepReport> {
  const now = options.now ?? new Date();
  let live: Promise<number> | undefined;
  const context: SweepContext = { now, liveWorkers: () => (live ??= options.liveWorkers ? options.liveWorkers() : listLiveWorkers().then((workers) => workers.length)) };
  const rules = await db.alertRule.findMany({
    where: { enabled: true },
    select: { id: true, workspaceId: true, kind: true, threshold: true, windowMinutes: true, minRuns: true, cooldownMinutes: true, lastFiredAt: true },
  });
  await tendAlertDeliveries(db, now);
  const fired: AlertSweepReport["fired"] = [];
  for (const rule of rules) {
    // Within its cool-down nothing is even evaluated.
    if (rule.lastFiredAt && now.getTime() - rule.lastFiredAt.getTime() < rule.cooldownMinutes * 60_000) continue;
    const finding = await evaluate(db, rule, context);
    if (!finding || !(await claimFiring(db, rule, now))) continue;
    const firing = await fireAlert(db, rule, finding, now);
    fired.push({ ruleId: rule.id, status: firing.status, logId: firing.logId });
  }
  return { evaluated: rules.length, fired };
}

/** The worker's handle on the sweep (server/ops/sweeper.ts). */
export function createAlertSweeper(db: Db, log: { info(details: object, message: string): void; error(details: object, message: string): void }): Sweeper {
  return createSweeper(
    async () => {
      const report = await sweepAlerts(db);
      if (report.fired.length > 0) log.info({ fired: report.fired.length }, "alerts fired");
    },
    (error) => log.error({ err: error }, "alert sweep failed"),
  );
}
