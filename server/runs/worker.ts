import { UnrecoverableError, Worker, type Job } from "bullmq";
import type { Db } from "../db";
import { getEnv } from "../env";
import { listenForCancelledRuns } from "../events";
import { NotFoundError } from "../errors";
import { ADVANCE_RUN_JOB, advanceRunPayloadSchema, redisConnection, RUNS_QUEUE, type AdvanceRunPayload } from "../queue";
import { advanceRun, type AdvanceOptions } from "./advance";

/**
 * A BullMQ worker that advances runs; one process handles many runs at once (I/O-bound).
 * It listens for cancel notices and aborts the in-flight calls of the runs it is advancing.
 */
export function createRunWorker(db: Db, options: { concurrency?: number } & Pick<AdvanceOptions, "onStep"> = {}): Worker<AdvanceRunPayload> {
  const env = getEnv();
  const advancing = new Map<string, Set<AbortController>>();
  const cancelListener = listenForCancelledRuns((runId) => {
    for (const controller of advancing.get(runId) ?? []) controller.abort(new Error("the run was cancelled"));
  });
  const worker = new Worker<AdvanceRunPayload>(
    RUNS_QUEUE,
    async (job: Job<AdvanceRunPayload>) => {
      if (job.name !== ADVANCE_RUN_JOB) throw new UnrecoverableError(`unknown job ${job.name}`);
      const payload = advanceRunPayloadSchema.safeParse(job.data);
      if (!payload.success) throw new UnrecoverableError(`invalid payload: ${payload.error.message}`);
      const { runId } = payload.data;
      const controller = new AbortController();
      const controllers = advancing.get(runId) ?? new Set<AbortController>();
      advancing.set(runId, controllers.add(controller));
      try {
        return await advanceRun(db, runId, { onStep: options.onStep, signal: controller.signal });
      } catch (error) {
        // A run that no longer exists will never succeed: do not retry it.
        if (error instanceof NotFoundError) throw new UnrecoverableError(error.message);
        throw error;
      } finally {
        controllers.delete(controller);
        if (controllers.size === 0) advancing.delete(runId);
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
  worker.on("closed", () => void cancelListener.close());
  return worker;
}
