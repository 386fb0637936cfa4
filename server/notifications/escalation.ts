import type { Db } from "../db";
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

/** The worker's handle on the sweep: `tick()` never rejects and never overlaps itself. */
export function createEscalationSweeper(db: Db, log: Pick<Console, "log" | "error"> = console) {
  let current: Promise<void> | undefined;
  let stopped = false;
  const sweep = async () => {
    try {
      const report = await sweepEscalations(db);
      if (report.escalated.length > 0) log.log(`[notifications] escalated ${report.escalated.length} waiting task(s)`);
    } catch (error) {
      log.error(`[notifications] escalation sweep failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      current = undefined;
    }
  };
  return {
    tick(): Promise<void> {
      if (stopped || current) return current ?? Promise.resolve();
      current = sweep();
      return current;
    },
    async stop(): Promise<void> {
      stopped = true;
      await current;
    },
  };
}
