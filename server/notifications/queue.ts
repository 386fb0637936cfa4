import { Queue } from "bullmq";
import { z } from "zod";
import { getEnv } from "../env";
import { redisConnection } from "../queue";
import { NOTIFY_ROLES } from "./channels";
import { closeOnShutdown } from "../ops/closers";

/**
 * The "notifications" queue: one job per delivery (a channel told about a task event, or about
 * an alert firing — server/ops/alerts.ts; the same attempts and backoff for both). Its
 * own queue, so a slow or failing endpoint never holds up the jobs that advance runs. Job
 * ids derive from the delivery, so enqueueing the same delivery twice is one job.
 */
export const NOTIFICATIONS_QUEUE = "notifications";
export const DELIVER_JOB = "deliver";
/** The first try and five retries, spaced by DELIVERY_BACKOFF (about 2.5 minutes in all). */
export const DELIVERY_ATTEMPTS = 6;
/** A custom backoff type: the worker spaces retries (tests space them closer). */
export const DELIVERY_BACKOFF = "notification";

export const deliverPayloadSchema = z.object({
  deliveryId: z.string().min(1).max(100),
  /** task_escalated: the least role the task was escalated to. */
  escalatedTo: z.enum(NOTIFY_ROLES).optional(),
});
export type DeliverPayload = z.infer<typeof deliverPayloadSchema>;

const globalForQueue = globalThis as unknown as { agentflowNotificationsQueue?: Queue<DeliverPayload> };

export function getNotificationsQueue(): Queue<DeliverPayload> {
  if (!globalForQueue.agentflowNotificationsQueue) {
    globalForQueue.agentflowNotificationsQueue = new Queue<DeliverPayload>(NOTIFICATIONS_QUEUE, { connection: redisConnection(), prefix: getEnv().QUEUE_PREFIX });
    closeOnShutdown(closeNotificationsQueue);
  }
  return globalForQueue.agentflowNotificationsQueue;
}

/** Closes the queue's Redis connection if this process opened one. */
export async function closeNotificationsQueue(): Promise<void> {
  const queue = globalForQueue.agentflowNotificationsQueue;
  globalForQueue.agentflowNotificationsQueue = undefined;
  await queue?.close();
}

export async function enqueueDeliveries(jobs: readonly DeliverPayload[]): Promise<void> {
  if (jobs.length === 0) return;
  await getNotificationsQueue().addBulk(
    jobs.map((job) => ({
      name: DELIVER_JOB,
      data: deliverPayloadSchema.parse(job),
      opts: {
        jobId: `deliver-${job.deliveryId}`,
        attempts: DELIVERY_ATTEMPTS,
        backoff: { type: DELIVERY_BACKOFF },
        removeOnComplete: { count: 1_000 },
        removeOnFail: { count: 5_000 },
      },
    })),
  );
}
