import { UnrecoverableError, Worker, type Job } from "bullmq";
import type { Db } from "../db";
import { getEnv } from "../env";
import { NotFoundError } from "../errors";
import { ADVANCE_RUN_JOB, advanceRunPayloadSchema, redisConnection, RUNS_QUEUE, type AdvanceRunPayload } from "../queue";
import { advanceRun, type AdvanceOptions } from "./advance";

/** A BullMQ worker that advances runs; one process handles many runs at once (I/O-bound). */
export function createRunWorker(db: Db, options: { concurrency?: number } & AdvanceOptions = {}): Worker<AdvanceRunPayload> {
  const env = getEnv();
  return new Worker<AdvanceRunPayload>(
    RUNS_QUEUE,
    async (job: Job<AdvanceRunPayload>) => {
      if (job.name !== ADVANCE_RUN_JOB) throw new UnrecoverableError(`unknown job ${job.name}`);
      const payload = advanceRunPayloadSchema.safeParse(job.data);
      if (!payload.success) throw new UnrecoverableError(`invalid payload: ${payload.error.message}`);
      try {
        return await advanceRun(db, payload.data.runId, { onStep: options.onStep });
      } catch (error) {
        // A run that no longer exists will never succeed: do not retry it.
        if (error instanceof NotFoundError) throw new UnrecoverableError(error.message);
        throw error;
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
}
