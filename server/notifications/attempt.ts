import type { Db } from "../db";
import { getEnv } from "../env";
import type { Role } from "../auth/roles";
import { openChannel } from "./channels";
import { sendNotice, type DeliveryOutcome } from "./deliver";
import { taskUrl, type Notice, type NoticeEvent } from "./messages";

/**
 * One attempt at one delivery, recorded in its NotificationDelivery row: the attempt count,
 * the status code and error of this attempt, and the status — `delivered`, `pending` (will be
 * retried), `failed` (permanent, or the last attempt) or `skipped` (nothing to tell any more:
 * the task was answered or the channel disabled before it went out).
 *
 * A delivery is about a human task (task_waiting, task_escalated), a test, or an alert firing
 * (event `alert`, `alertLogId` set). For an alert, each attempt is also copied to its AlertLog
 * row, in the same transaction: Settings → Alerts reads pending / retrying / delivered / failed,
 * the attempt count and the last error there, and that log outlives a deleted channel.
 */
export type AttemptResult =
  | { outcome: "delivered"; statusCode: number | null; detail: string }
  | { outcome: "retry" | "failed"; statusCode: number | null; error: string }
  | { outcome: "skipped"; reason: string }
  /** The row is gone (its channel was deleted) or was already settled. */
  | { outcome: "done" };

type DeliveryUpdate = { status: string; attempted: boolean; lastStatusCode?: number | null; lastError: string | null; at: Date; delivered?: boolean };

export async function attemptDelivery(db: Db, deliveryId: string, options: { isLastAttempt: boolean; escalatedTo?: Role }): Promise<AttemptResult> {
  const delivery = await db.notificationDelivery.findUnique({
    where: { id: deliveryId },
    select: { id: true, taskId: true, alertLogId: true, event: true, status: true, channel: true },
  });
  if (!delivery || delivery.status === "delivered" || delivery.status === "skipped") return { outcome: "done" };
  const { channel } = delivery;

  const record = (update: DeliveryUpdate) => recordAttempt(db, delivery, update);
  const skip = async (reason: string): Promise<AttemptResult> => {
    await record({ status: "skipped", attempted: false, lastError: reason, at: new Date() });
    return { outcome: "skipped", reason };
  };
  if (!channel.enabled && delivery.event !== "test") return skip("the channel was disabled before this went out");

  const notice =
    delivery.event === "alert"
      ? await buildAlertNotice(db, { channel, alertLogId: delivery.alertLogId })
      : await buildNotice(db, { channel, taskId: delivery.taskId, event: delivery.event as NoticeEvent, escalatedTo: options.escalatedTo });
  if (typeof notice === "string") return skip(notice);

  let outcome: DeliveryOutcome;
  try {
    outcome = await sendNotice(db, openChannel(channel), notice, { id: delivery.id });
  } catch {
    // Never the decrypted text: only that the row could not be opened.
    outcome = { ok: false, statusCode: null, error: "the channel's settings could not be opened (was the vault key changed?)", permanent: true };
  }
  const attemptedAt = new Date();
  if (outcome.ok) {
    await record({ status: "delivered", attempted: true, lastStatusCode: outcome.statusCode, lastError: null, at: attemptedAt, delivered: true });
    return { outcome: "delivered", statusCode: outcome.statusCode, detail: outcome.detail };
  }
  const final = outcome.permanent || options.isLastAttempt;
  await record({ status: final ? "failed" : "pending", attempted: true, lastStatusCode: outcome.statusCode, lastError: outcome.error.slice(0, 1_000), at: attemptedAt });
  return { outcome: final ? "failed" : "retry", statusCode: outcome.statusCode, error: outcome.error };
}

/** The delivery row, and for an alert its log entry, in one transaction: the two never disagree. */
async function recordAttempt(db: Db, delivery: { id: string; alertLogId: string | null }, update: DeliveryUpdate): Promise<void> {
  const deliveryData = {
    status: update.status,
    lastError: update.lastError,
    ...(update.attempted ? { attempts: { increment: 1 }, lastStatusCode: update.lastStatusCode ?? null, lastAttemptAt: update.at } : {}),
    ...(update.delivered ? { deliveredAt: update.at } : {}),
  };
  if (!delivery.alertLogId) {
    await db.notificationDelivery.update({ where: { id: delivery.id }, data: deliveryData });
    return;
  }
  await db.$transaction([
    db.notificationDelivery.update({ where: { id: delivery.id }, data: deliveryData }),
    db.alertLog.updateMany({
      where: { id: delivery.alertLogId },
      data: {
        status: alertLogStatus(update.status),
        error: update.lastError,
        ...(update.attempted ? { attempts: { increment: 1 }, lastAttemptAt: update.at } : {}),
        ...(update.delivered ? { deliveredAt: update.at } : {}),
      },
    }),
  ]);
}

/** How the alert log names a delivery's state: a pending delivery that was tried is being retried; a skipped one did not reach anyone. */
function alertLogStatus(deliveryStatus: string): string {
  if (deliveryStatus === "pending") return "retrying";
  if (deliveryStatus === "skipped") return "failed";
  return deliveryStatus;
}

/** The notice for an alert firing, read from its log entry (within the channel's workspace), or why there is none. */
async function buildAlertNotice(db: Db, params: { channel: { workspaceId: string }; alertLogId: string | null }): Promise<Notice | string> {
  if (!params.alertLogId) return "the alert is not recorded";
  const entry = await db.alertLog.findFirst({
    where: { id: params.alertLogId, workspaceId: params.channel.workspaceId },
    select: { ruleId: true, kind: true, message: true, value: true, firedAt: true, workspace: { select: { id: true, name: true } } },
  });
  if (!entry) return "the alert is no longer recorded";
  return {
    event: "alert",
    at: entry.firedAt,
    workspace: entry.workspace,
    task: null,
    run: null,
    url: `${getEnv().APP_URL.replace(/\/$/, "")}/settings/alerts`,
    // A rule deleted since keeps its id in the message: the receiver can still tell firings apart.
    alert: { ruleId: entry.ruleId ?? "", kind: entry.kind, message: entry.message, value: entry.value },
  };
}

/** The notice for a delivery, or why there is nothing to tell any more. */
async function buildNotice(
  db: Db,
  params: { channel: { workspaceId: string }; taskId: string | null; event: NoticeEvent; escalatedTo?: Role },
): Promise<Notice | string> {
  const appUrl = getEnv().APP_URL.replace(/\/$/, "");
  const workspace = await db.workspace.findUnique({ where: { id: params.channel.workspaceId }, select: { id: true, name: true } });
  if (!workspace) return "the workspace no longer exists";
  const at = new Date();
  if (params.event === "test" || !params.taskId) {
    return { event: "test", at, workspace, task: null, run: null, url: `${appUrl}/settings/notifications` };
  }
  // Scoped by the channel's workspace: a delivery can only ever describe its own workspace's task.
  const task = await db.humanTask.findFirst({
    where: { id: params.taskId, run: { workspaceId: workspace.id } },
    select: { id: true, kind: true, message: true, nodeId: true, status: true, createdAt: true, run: { select: { id: true, workflowId: true, workflow: { select: { name: true } } } } },
  });
  if (!task) return "the task no longer exists";
  if (task.status !== "pending") return `the task was ${task.status} before this went out`;
  return {
    event: params.event,
    at,
    workspace,
    task: { id: task.id, kind: task.kind, message: task.message, nodeId: task.nodeId, createdAt: task.createdAt },
    run: { id: task.run.id, workflowId: task.run.workflowId, workflowName: task.run.workflow.name },
    url: taskUrl(appUrl, task.run.id, task.id),
    ...(params.event === "task_escalated" ? { escalatedTo: params.escalatedTo ?? "admin" } : {}),
  };
}
