import { UnrecoverableError, Worker, type Job } from "bullmq";
import type { Db } from "../db";
import { workerOptions } from "../queue";
import { attemptDelivery } from "./attempt";
import { DELIVER_JOB, deliverPayloadSchema, NOTIFICATIONS_QUEUE, type DeliverPayload } from "./queue";

/** Retries after 5 s, 10 s, 20 s, 40 s, 80 s. */
export const DEFAULT_RETRY_BASE_MS = 5_000;

/**
 * The worker of the "notifications" queue: each job is one attempt at one delivery. A
 * transient failure is thrown so BullMQ retries it with backoff; a permanent one (a blocked
 * address, a 4xx, no SMTP) ends the job at once. Nothing here touches a run.
 */
export function createNotificationWorker(db: Db, options: { concurrency?: number; retryBaseMs?: number } = {}): Worker<DeliverPayload> {
  const retryBaseMs = options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS;
  return new Worker<DeliverPayload>(
    NOTIFICATIONS_QUEUE,
    async (job: Job<DeliverPayload>) => {
      if (job.name !== DELIVER_JOB) throw new UnrecoverableError(`unknown job ${job.name}`);
      const payload = deliverPayloadSchema.safeParse(job.data);
      if (!payload.success) throw new UnrecoverableError(`invalid payload: ${payload.error.message}`);
      const result = await attemptDelivery(db, payload.data.deliveryId, {
        isLastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
        escalatedTo: payload.data.escalatedTo,
      });
      if (result.outcome === "retry") throw new Error(result.error);
      if (result.outcome === "failed") throw new UnrecoverableError(result.error);
      return result.outcome;
    },
    {
      ...workerOptions(),
      concurrency: options.concurrency ?? 10,
      settings: { backoffStrategy: (attemptsMade: number) => retryBaseMs * 2 ** Math.max(0, attemptsMade - 1) },
    },
  );
}
