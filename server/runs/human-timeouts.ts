import type { Db } from "../db";
import { enqueueAdvance } from "../queue";
import { announceRun } from "../events";
import { ConflictError } from "../errors";
import { commitToRun } from "./commit";
import { loadRun } from "./load";

export type TimeoutReport = { expired: string[] };

/**
 * Answers the tasks whose node's timeout has passed, as the node says: approve, reject, or
 * leave through its "timeout" handle. Durable by construction: the deadline is a column
 * (`HumanTask.dueAt`, from the event), so a worker that was down when it passed answers at
 * its next sweep. Safe in every worker at once: the task is closed only if still pending, in
 * the transaction that commits the event.
 */
export async function expireOverdueTasks(db: Db, now: Date = new Date()): Promise<TimeoutReport> {
  const overdue = await db.humanTask.findMany({
    where: { status: "pending", dueAt: { lte: now } },
    orderBy: { dueAt: "asc" },
    take: 100,
    select: { id: true, runId: true, nodeId: true },
  });
  const report: TimeoutReport = { expired: [] };
  for (const task of overdue) {
    const { graph } = await loadRun(db, task.runId);
    const node = graph.nodes.find((candidate) => candidate.id === task.nodeId);
    const outcome = node?.type === "human" ? node.data.onTimeout : "reject";
    try {
      const { state } = await commitToRun(
        db,
        task.runId,
        () => [{ type: "human_timed_out", nodeId: task.nodeId, taskId: task.id, outcome }],
        {
          alsoInTransaction: async (tx) => {
            const closed = await tx.humanTask.updateMany({
              where: { id: task.id, status: "pending" },
              data: { status: "timed_out", comment: `timed out: ${outcome}`, respondedAt: now, respondedByName: "timeout" },
            });
            // Someone answered in the meantime: their answer stands (the transaction rolls back).
            if (closed.count !== 1) throw new ConflictError("answered before the timeout");
          },
        },
      );
      await enqueueAdvance(task.runId, state.lastSeq);
      await announceRun(task.runId, "changed").catch(() => undefined);
      report.expired.push(task.id);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  return report;
}
