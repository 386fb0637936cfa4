import type { Db } from "../db";
import type { WorkspaceAccess } from "../auth/access";
import { recordAudit } from "../audit/audit";
import { findChannel, newTestDeliveryId } from "./channels";
import { attemptDelivery } from "./attempt";

/** The delivery log a settings page shows: newest first, with what each delivery was about. */
export async function listDeliveries(db: Db, workspaceId: string, limit: number) {
  const rows = await db.notificationDelivery.findMany({
    where: { channel: { workspaceId } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
    select: {
      id: true,
      channelId: true,
      taskId: true,
      event: true,
      status: true,
      attempts: true,
      lastError: true,
      lastStatusCode: true,
      createdAt: true,
      lastAttemptAt: true,
      deliveredAt: true,
      channel: { select: { name: true, kind: true } },
    },
  });
  const taskIds = [...new Set(rows.flatMap((row) => (row.taskId ? [row.taskId] : [])))];
  const tasks = taskIds.length
    ? await db.humanTask.findMany({ where: { id: { in: taskIds }, run: { workspaceId } }, select: { id: true, runId: true, run: { select: { workflow: { select: { name: true } } } } } })
    : [];
  const taskById = new Map(tasks.map((task) => [task.id, { runId: task.runId, workflowName: task.run.workflow.name }]));
  return rows.map(({ channel, ...row }) => ({ ...row, channelName: channel.name, channelKind: channel.kind, task: row.taskId ? (taskById.get(row.taskId) ?? null) : null }));
}

export type TestResult = { deliveryId: string; status: "delivered" | "failed"; statusCode: number | null; message: string };

/** "Send test": one delivery of a test event, now, in this request; logged like any other. */
export async function sendTestNotification(db: Db, access: WorkspaceAccess, channelId: string): Promise<TestResult> {
  const channel = await findChannel(db, access.workspaceId, channelId);
  const deliveryId = newTestDeliveryId();
  await db.notificationDelivery.create({ data: { id: deliveryId, channelId: channel.id, taskId: null, event: "test", status: "pending" } });
  const result = await attemptDelivery(db, deliveryId, { isLastAttempt: true });
  const answer: TestResult =
    result.outcome === "delivered"
      ? { deliveryId, status: "delivered", statusCode: result.statusCode, message: `Delivered (${result.detail})` }
      : result.outcome === "retry" || result.outcome === "failed"
        ? { deliveryId, status: "failed", statusCode: result.statusCode, message: result.error }
        : { deliveryId, status: "failed", statusCode: null, message: result.outcome === "skipped" ? result.reason : "the channel was deleted meanwhile" };
  await recordAudit(db, access, "notification_channel.tested", { kind: "notification_channel", id: channel.id, name: channel.name }, { status: answer.status, statusCode: answer.statusCode });
  return answer;
}
