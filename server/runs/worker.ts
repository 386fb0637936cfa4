import { DelayedError, UnrecoverableError, Worker, type Job } from "bullmq";
import type { Db } from "../db";
import { getEnv } from "../env";
import { getRedis, listenForRunNotices } from "../events";
import { NotFoundError } from "../errors";
import { ADVANCE_RUN_JOB, advanceRunPayloadSchema, RUNS_QUEUE, workerOptions, type AdvanceRunPayload } from "../queue";
import { advanceRun, RUN_CHANGED, type AdvanceOptions } from "./advance";
import { tryAcquireRunLease } from "./run-lease";
import { loadRun } from "./load";
import { observeRunJob } from "../ops/tracing";
import { isStoreOutage } from "../http/store-outage";
import { slotJobs, supervisedSlotKey } from "./slot-handover";

/**
 * How soon a job looks again when its run is busy in another job (its notice was already sent),
 * when it lost the run's lease (a Redis outage outlived the lease), or when Postgres or Redis
 * could not be reached: soon, and without using up one of the job's attempts, so a run moves on
 * about a second after the store is back instead of waiting for the reconciler or failing.
 */
const RETRY_SOON_MS = 1_000;

/** What the worker can do to a run it is advancing when a notice about it arrives. */
type Advancing = { cancel: AbortController; changes: EventTarget };

/**
 * A BullMQ worker that advances runs; one process handles many runs at once (I/O-bound).
 * Each job first takes its run's lease (one job per run at a time, across processes); a job
 * whose run is busy waits and tries again. Run notices reach the job advancing that run:
 * a cancel aborts its in-flight calls, a change makes it re-read the run.
 */
export function createRunWorker(db: Db, options: { concurrency?: number } & Pick<AdvanceOptions, "onStep"> = {}): Worker<AdvanceRunPayload> {
  const env = getEnv();
  const advancing = new Map<string, Advancing>();
  // Under a supervisor, each job held is recorded for this slot's next process (slot-handover.ts).
  const slotKey = supervisedSlotKey();
  const slot = slotKey ? slotJobs(getRedis(), slotKey) : null;
  const notices = listenForRunNotices((runId, notice) => {
    const run = advancing.get(runId);
    if (notice === "cancelled") run?.cancel.abort(new Error("the run was cancelled"));
    else run?.changes.dispatchEvent(new Event(RUN_CHANGED));
  });

  const worker = new Worker<AdvanceRunPayload>(
    RUNS_QUEUE,
    async (job: Job<AdvanceRunPayload>, token?: string) => {
      if (job.name !== ADVANCE_RUN_JOB) throw new UnrecoverableError(`unknown job ${job.name}`);
      const payload = advanceRunPayloadSchema.safeParse(job.data);
      if (!payload.success) throw new UnrecoverableError(`invalid payload: ${payload.error.message}`);
      const { runId } = payload.data;

      const run: Advancing = { cancel: new AbortController(), changes: new EventTarget() };
      let leaseLost = false;
      const lease = await tryAcquireRunLease(getRedis(), runId, env.WORKER_LOCK_MS, () => {
        leaseLost = true;
        run.cancel.abort(new Error("another job took over the run"));
      });
      const retrySoon = async (): Promise<never> => {
        await job.moveToDelayed(Date.now() + RETRY_SOON_MS, token);
        throw new DelayedError();
      };
      // Another job is advancing this run; it was told of whatever this job is for. Look
      // again later: once it lets go, this job continues from wherever the log ends.
      if (!lease) return await retrySoon();
      advancing.set(runId, run);
      // Not awaited: the record is only for a crash, and the job need not wait a Redis round trip for it.
      if (slot && job.id && token) void slot.record(job.id, token, runId, lease.token);
      try {
        // The run's ids on every log line of the job, and its span in the run's trace (server/ops/tracing.ts).
        const due = { runId, jobId: job.id, dueAt: job.timestamp + (job.opts.delay ?? 0), takenAt: job.processedOn ?? Date.now(), attempt: job.attemptsMade + 1 };
        // Read once, after the lease: the job's log lines and span name the run's ids, and the loop starts from it.
        const loaded = await loadRun(db, runId);
        const result = await observeRunJob(due, loaded, () => advanceRun(db, runId, { onStep: options.onStep, signal: run.cancel.signal, changes: run.changes, loaded }));
        // The lease ran out under this job (Redis was away longer than it lasts) and the run still
        // has work: come back for it, whichever job holds the lease now.
        if (leaseLost && (result.status === "running" || result.status === "queued")) return await retrySoon();
        return result;
      } catch (error) {
        if (error instanceof DelayedError) throw error;
        // A run that no longer exists will never succeed: do not retry it.
        if (error instanceof NotFoundError) throw new UnrecoverableError(error.message);
        // Postgres or Redis unreachable: not the run's fault, so not one of its attempts.
        if (isStoreOutage(error)) return await retrySoon();
        throw error;
      } finally {
        advancing.delete(runId);
        await Promise.all([lease.release(), slot && job.id ? slot.forget(job.id) : undefined]);
      }
    },
    {
      // Back to taking jobs about a second after Redis is (server/queue.ts).
      ...workerOptions(),
      concurrency: options.concurrency ?? env.WORKER_CONCURRENCY,
      lockDuration: env.WORKER_LOCK_MS,
      stalledInterval: Math.max(500, Math.floor(env.WORKER_LOCK_MS / 2)),
      // A run's job may be picked up again after its worker dies; the log makes that safe.
      maxStalledCount: 10,
    },
  );
  worker.on("closed", () => void notices.close());
  return worker;
}
