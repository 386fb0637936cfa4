import { DelayedError, UnrecoverableError, Worker, type Job } from "bullmq";
import type { Db } from "../db";
import { getEnv } from "../env";
import { getRedis, listenForRunNotices } from "../events";
import { NotFoundError } from "../errors";
import { ADVANCE_RUN_JOB, advanceRunPayloadSchema, redisConnection, RUNS_QUEUE, type AdvanceRunPayload } from "../queue";
import { advanceRun, RUN_CHANGED, type AdvanceOptions } from "./advance";
import { tryAcquireRunLease } from "./run-lease";

/** How soon a job whose run is busy in another job looks again (its notice was already sent). */
const BUSY_RUN_RETRY_MS = 1_000;

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
      const lease = await tryAcquireRunLease(getRedis(), runId, env.WORKER_LOCK_MS, () =>
        run.cancel.abort(new Error("another job took over the run")),
      );
      if (!lease) {
        // Another job is advancing this run; it was told of whatever this job is for. Look
        // again later: once it lets go, this job continues from wherever the log ends.
        await job.moveToDelayed(Date.now() + BUSY_RUN_RETRY_MS, token);
        throw new DelayedError();
      }
      advancing.set(runId, run);
      try {
        return await advanceRun(db, runId, { onStep: options.onStep, signal: run.cancel.signal, changes: run.changes });
      } catch (error) {
        // A run that no longer exists will never succeed: do not retry it.
        if (error instanceof NotFoundError) throw new UnrecoverableError(error.message);
        throw error;
      } finally {
        advancing.delete(runId);
        await lease.release();
      }
    },
    {
      connection: redisConnection(),
      prefix: env.QUEUE_PREFIX,
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
