import type { Db } from "../db";
import { deliveryIdFor } from "./channels";
import { escalationOf } from "./escalation-settings";
import type { NotificationEvent } from "./messages";
import { enqueueDeliveries, type DeliverPayload } from "./queue";
import { componentLog } from "../ops/log";

const logger = componentLog("notifications");

/**
 * The worker calls this right after it committed human tasks. It records when each task is
 * due for escalation (its node's escalateAfterSeconds) and enqueues a `task_waiting` delivery
 * per enabled channel of the run's workspace. It never throws: a notification problem is
 * logged, and the run goes on exactly as without it. Calling it twice for a task is harmless.
 */
export async function notifyHumanTasksCreated(db: Db, taskIds: readonly string[]): Promise<void> {
  if (taskIds.length === 0) return;
  try {
    const tasks = await db.humanTask.findMany({
      where: { id: { in: [...taskIds] }, status: "pending" },
      select: { id: true, nodeId: true, createdAt: true, escalateAt: true, run: { select: { workspaceId: true, versionId: true } } },
    });
    await scheduleEscalations(db, tasks).catch((error: unknown) => logError("could not schedule escalations", error));
    await enqueueTaskEvent(db, tasks.map((task) => ({ id: task.id, workspaceId: task.run.workspaceId })), "task_waiting");
  } catch (error) {
    logError(`could not notify about task(s) ${taskIds.join(", ")}`, error);
  }
}

type CreatedTask = { id: string; nodeId: string; createdAt: Date; escalateAt: Date | null; run: { versionId: string } };

async function scheduleEscalations(db: Db, tasks: readonly CreatedTask[]): Promise<void> {
  for (const task of tasks) {
    if (task.escalateAt) continue;
    const escalation = await escalationOf(db, task.run.versionId, task.nodeId);
    if (!escalation) continue;
    await db.humanTask.updateMany({
      where: { id: task.id, escalateAt: null },
      data: { escalateAt: new Date(task.createdAt.getTime() + escalation.afterSeconds * 1_000) },
    });
  }
}

/**
 * One pending delivery row and one queued job per (enabled channel of the task's workspace,
 * task). Rows and jobs are keyed by channel, task and event, so a repeated call adds nothing.
 */
export async function enqueueTaskEvent(
  db: Pick<Db, "notificationChannel" | "notificationDelivery">,
  tasks: readonly { id: string; workspaceId: string }[],
  event: NotificationEvent,
  extra: Pick<DeliverPayload, "escalatedTo"> = {},
): Promise<number> {
  if (tasks.length === 0) return 0;
  const channels = await db.notificationChannel.findMany({
    where: { workspaceId: { in: [...new Set(tasks.map((task) => task.workspaceId))] }, enabled: true },
    select: { id: true, workspaceId: true },
  });
  const rows = tasks.flatMap((task) =>
    channels
      .filter((channel) => channel.workspaceId === task.workspaceId)
      .map((channel) => ({ id: deliveryIdFor(channel.id, task.id, event), channelId: channel.id, taskId: task.id, event, status: "pending" })),
  );
  if (rows.length === 0) return 0;
  await db.notificationDelivery.createMany({ data: rows, skipDuplicates: true });
  await enqueueDeliveries(rows.map((row) => ({ deliveryId: row.id, ...extra })));
  return rows.length;
}

function logError(what: string, error: unknown): void {
  logger.error({ err: error }, what);
}
