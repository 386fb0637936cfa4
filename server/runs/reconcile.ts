import type { Db } from "../db";
import { advanceJobId, enqueueAdvance, getRunsQueue } from "../queue";
import { commitEvents, StaleRunError } from "./commit";
import { loadRun } from "./load";

export type ReconcileReport = { checked: number; reEnqueued: string[]; failed: string[] };

/**
 * Finds runs that should be moving but have no live job (Redis was flushed or lost its data,
 * a job exhausted its retries, an enqueue failed after the run was committed) and puts them
 * back on the queue — or, when retries are exhausted, fails them with the job's reason.
 * Safe to run in every worker at once: job ids are derived, so re-enqueueing is idempotent.
 */
export async function reconcileRuns(db: Db, options: { graceMs?: number; now?: () => number } = {}): Promise<ReconcileReport> {
  const graceMs = options.graceMs ?? 15_000;
  const now = options.now ?? Date.now;
  const queue = getRunsQueue();
  const candidates = await db.run.findMany({
    where: { status: { in: ["queued", "running", "waiting_for_human"] } },
    select: { id: true, lastSeq: true, status: true, steps: { orderBy: { seq: "desc" }, take: 1, select: { createdAt: true } } },
    take: 500,
  });
  const report: ReconcileReport = { checked: candidates.length, reEnqueued: [], failed: [] };

  for (const run of candidates) {
    const lastActivity = run.steps[0]?.createdAt.getTime() ?? 0;
    if (now() - lastActivity < graceMs) continue;
    // A run waiting for a person holds no job, unless another of its branches is still busy.
    if (run.status === "waiting_for_human" && !(await hasBusyBranch(db, run.id))) continue;
    const jobId = advanceJobId(run.id, run.lastSeq);
    const job = await queue.getJob(jobId);
    const state = job ? await job.getState() : "missing";
    if (state === "active" || state === "waiting" || state === "delayed" || state === "waiting-children" || state === "prioritized") continue;
    if (state === "failed" && job) {
      const { state: runState } = await loadRun(db, run.id);
      try {
        await commitEvents(db, run.id, runState, [
          { type: "run_finished", status: "failed", error: `worker gave up: ${job.failedReason || "unknown error"}` },
        ]);
        report.failed.push(run.id);
      } catch (error) {
        if (!(error instanceof StaleRunError)) throw error;
      }
      continue;
    }
    // Missing, or completed without moving the run on: enqueue the continuation again.
    if (job) await job.remove().catch(() => undefined);
    await enqueueAdvance(run.id, run.lastSeq);
    report.reEnqueued.push(run.id);
  }
  return report;
}

async function hasBusyBranch(db: Db, runId: string): Promise<boolean> {
  const { state } = await loadRun(db, runId);
  return Object.values(state.nodes).some((node) => node.status === "running");
}
