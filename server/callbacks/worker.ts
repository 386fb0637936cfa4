import { UnrecoverableError, Worker, type Job } from "bullmq";
import type { Db } from "../db";
import { getEnv } from "../env";
import { workerOptions } from "../queue";
import { attemptCallback } from "./deliver";
import {
  CALLBACK_RETRY_WINDOW_MS,
  callbackRetryDelay,
  DELIVER_CALLBACK_JOB,
  deliverCallbackPayloadSchema,
  RUN_CALLBACKS_QUEUE,
  type DeliverCallbackPayload,
} from "./queue";

/**
 * The consumer of the "run-callbacks" queue: each job try is one attempt. A transient failure
 * (a timeout, a refused connection, a 5xx or 429) is thrown so BullMQ retries it after
 * CALLBACK_RETRY_BASE_MS, doubling up to an hour; the attempt whose next retry would fall past
 * 24 h after the run ended is the last. A permanent one (a blocked address, another 4xx) ends it.
 */
export function createRunCallbackWorker(db: Db, options: { concurrency?: number; retryBaseMs?: number } = {}): Worker<DeliverCallbackPayload> {
  const env = getEnv();
  const retryBaseMs = options.retryBaseMs ?? env.CALLBACK_RETRY_BASE_MS;
  return new Worker<DeliverCallbackPayload>(
    RUN_CALLBACKS_QUEUE,
    async (job: Job<DeliverCallbackPayload>) => {
      if (job.name !== DELIVER_CALLBACK_JOB) throw new UnrecoverableError(`unknown job ${job.name}`);
      const payload = deliverCallbackPayloadSchema.safeParse(job.data);
      if (!payload.success) throw new UnrecoverableError(`invalid payload: ${payload.error.message}`);
      const result = await attemptCallback(db, payload.data.callbackId, {
        isLastAttempt: (readyAt) =>
          job.attemptsMade + 1 >= (job.opts.attempts ?? 1) || Date.now() + callbackRetryDelay(job.attemptsMade + 1, retryBaseMs) - readyAt.getTime() > CALLBACK_RETRY_WINDOW_MS,
      });
      if (result.outcome === "retry") throw new Error(result.error);
      if (result.outcome === "failed") throw new UnrecoverableError(result.error);
      return result.outcome;
    },
    {
      ...workerOptions(),
      concurrency: options.concurrency ?? 10,
      settings: { backoffStrategy: (attemptsMade: number) => callbackRetryDelay(attemptsMade, retryBaseMs) },
    },
  );
}
