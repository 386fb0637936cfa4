import type { Db } from "../db";
import { createSweeper, type Sweeper } from "../ops/sweeper";
import { componentLog, errorFields } from "../ops/log";
import { escalationOf } from "./escalation-settings";
import { enqueueTaskEvent } from "./notify";

/**
 * Escalation: a task still waiting when its node's escalateAfterSeconds have passed is
 * announced again (`task_escalated`) to the node's `escalateTo` role, once. The worker runs
 * this sweep every 15 s. Deliveries are enqueued before the task is marked, and both are
 * idempotent, so a worker dying in between, or two workers sweeping at once, still escalate
 * each task exactly once.
 */
const BATCH = 100;

export type EscalationReport = { escalated: string[] };

export async function sweepEscalations(db: Db, now: Date = new Date()): Promise<EscalationReport> {
  const due = await db.humanTask.findMany({
    where: { status: "pending", escalatedAt: null, escalateAt: { lte: now } },
    orderBy: { escalateAt: "asc" },
    take: BATCH,
    select: { id: true, nodeId: true, run: { select: { workspaceId: true, versionId: true } } },
  });
  const escalated: string[] = [];
  for (const task of due) {
    const escalation = await escalationOf(db, task.run.versionId, task.nodeId);
    await enqueueTaskEvent(db, [{ id: task.id, workspaceId: task.run.workspaceId }], "task_escalated", { escalatedTo: escalation?.to ?? "admin" });
    const marked = await db.humanTask.updateMany({ where: { id: task.id, escalatedAt: null }, data: { escalatedAt: now } });
    if (marked.count > 0) escalated.push(task.id);
  }
  return { escalated };
}

/** The worker's handle on the sweep (server/ops/sweeper.ts). */
export function createEscalationSweeper(db: Db): Sweeper {
  const log = componentLog("notifications");
  return createSweeper(
    async () => {
      const report = await sweepEscalations(db);
      if (report.escalated.length > 0) log.info({ escalated: report.escalated.length }, "escalated waiting tasks");
    },
    (error) => log.error(errorFields(error), "escalation sweep failed"),
  );
}
