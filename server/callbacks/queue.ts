import { Queue } from "bullmq";
import { z } from "zod";
import { getEnv } from "../env";
import { redisConnection } from "../queue";
import { closeOnShutdown } from "../ops/closers";

/**
 * The "run-callbacks" queue: one job per callback of a finished run; each attempt is a try of
 * the job, spaced by the worker's backoff for up to 24 h. Its own queue, so a slow receiver
 * never holds up runs. Job ids derive from the callback and the moment the run ended, so
 * enqueueing it again (the outbox sweep) is the same job.
 */
export const RUN_CALLBACKS_QUEUE = "run-callbacks";
export const DELIVER_CALLBACK_JOB = "deliver-callback";
/** More than the 24 h window needs at the default base; the window is what ends retrying. */
export const CALLBACK_MAX_ATTEMPTS = 60;
export const CALLBACK_BACKOFF = "run-callback";
/** Retries stop once this long has passed since the run ended. */
export const CALLBACK_RETRY_WINDOW_MS = 24 * 3_600_000;
/** The longest wait between two attempts. */
export const CALLBACK_MAX_DELAY_MS = 3_600_000;

export const deliverCallbackPayloadSchema = z.object({ callbackId: z.string().min(1).max(100) });
export type DeliverCallbackPayload = z.infer<typeof deliverCallbackPayloadSchema>;

/** The wait before retry `attemptsMade` (1 = the first retry): base, 2×base, 4×base … at most an hour. */
export function callbackRetryDelay(attemptsMade: number, baseMs: number): number {
  return Math.min(CALLBACK_MAX_DELAY_MS, baseMs * 2 ** Math.max(0, attemptsMade - 1));
}

const globalForQueue = globalThis as unknown as { agentflowRunCallbacksQueue?: Queue<DeliverCallbackPayload> };

export function getRunCallbacksQueue(): Queue<DeliverCallbackPayload> {
  if (!globalForQueue.agentflowRunCallbacksQueue) {
    globalForQueue.agentflowRunCallbacksQueue = new Queue<DeliverCallbackPayload>(RUN_CALLBACKS_QUEUE, { connection: redisConnection(), prefix: getEnv().QUEUE_PREFIX });
    closeOnShutdown(closeRunCallbacksQueue);
  }
  return globalForQueue.agentflowRunCallbacksQueue;
}

export async function closeRunCallbacksQueue(): Promise<void> {
  const queue = globalForQueue.agentflowRunCallbacksQueue;
  globalForQueue.agentflowRunCallbacksQueue = undefined;
  await queue?.close();
}

export function callbackJobId(callbackId: string, readyAt: Date): string {
  return `callback-${callbackId}-${readyAt.getTime()}`;
}

export async function enqueueRunCallbacks(callbacks: readonly { id: string; readyAt: Date }[]): Promise<void> {
  if (callbacks.length === 0) return;
  await getRunCallbacksQueue().addBulk(
    callbacks.map((callback) => ({
      name: DELIVER_CALLBACK_JOB,
      data: deliverCallbackPayloadSchema.parse({ callbackId: callback.id }),
      opts: {
        jobId: callbackJobId(callback.id, callback.readyAt),
        attempts: CALLBACK_MAX_ATTEMPTS,
        backoff: { type: CALLBACK_BACKOFF },
        removeOnComplete: { count: 1_000 },
        removeOnFail: { count: 5_000 },
      },
    })),
  );
}
