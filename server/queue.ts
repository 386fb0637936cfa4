import { Queue, type ConnectionOptions, type WorkerOptions } from "bullmq";
import { z } from "zod";
import { getEnv } from "./env";
import { reconnectWithinASecond } from "./events";
import { closeOnShutdown } from "./ops/closers";

/**
 * The one job type of the runtime: "advance this run from where its log ends".
 * The payload is validated when enqueued and again when run.
 */
export const RUNS_QUEUE = "runs";
export const ADVANCE_RUN_JOB = "advance-run";

export const advanceRunPayloadSchema = z.object({ runId: z.string().min(1) });
export type AdvanceRunPayload = z.infer<typeof advanceRunPayloadSchema>;

export function redisConnection(): ConnectionOptions {
  // BullMQ requires maxRetriesPerRequest: null for blocking commands on workers.
  return { url: getEnv().REDIS_URL, maxRetriesPerRequest: null, retryStrategy: reconnectWithinASecond };
}

/**
 * How long one of our BullMQ workers waits before it asks for jobs again when asking failed on a
 * broken connection (a restart, a failover). BullMQ's default, 15 s, could leave runs queued for
 * that long after Redis was back. Asking every second costs nothing while Redis is away: the
 * command waits in the client's offline queue.
 */
const WORKER_RUN_RETRY_DELAY_MS = 1_000;

/** What every BullMQ worker of ours is given, beside its own concurrency and settings. */
export function workerOptions(): Pick<WorkerOptions, "connection" | "prefix" | "runRetryDelay"> {
  return { connection: redisConnection(), prefix: getEnv().QUEUE_PREFIX, runRetryDelay: WORKER_RUN_RETRY_DELAY_MS };
}

const globalForQueue = globalThis as unknown as { agentflowRunsQueue?: Queue<AdvanceRunPayload> };

export function getRunsQueue(): Queue<AdvanceRunPayload> {
  if (!globalForQueue.agentflowRunsQueue) {
    globalForQueue.agentflowRunsQueue = new Queue<AdvanceRunPayload>(RUNS_QUEUE, {
      connection: redisConnection(),
      prefix: getEnv().QUEUE_PREFIX,
    });
    closeOnShutdown(closeRunsQueue);
  }
  return globalForQueue.agentflowRunsQueue;
}

/** Closes the queue's Redis connection if this process opened one. */
export async function closeRunsQueue(): Promise<void> {
  const queue = globalForQueue.agentflowRunsQueue;
  globalForQueue.agentflowRunsQueue = undefined;
  await queue?.close();
}

/**
 * The job id is derived from the run and the last committed event, so enqueueing the same
 * continuation twice is a no-op, while a later continuation (after a human answered) is new.
 */
export function advanceJobId(runId: string, lastSeq: number): string {
  return `${runId}-at-${lastSeq}`;
}

export async function enqueueAdvance(runId: string, lastSeq: number): Promise<void> {
  const payload = advanceRunPayloadSchema.parse({ runId });
  await getRunsQueue().add(ADVANCE_RUN_JOB, payload, {
    jobId: advanceJobId(runId, lastSeq),
    attempts: 5,
    backoff: { type: "exponential", delay: 1_000 },
    removeOnComplete: { count: 1_000 },
    removeOnFail: { count: 5_000 },
  });
}

/**
 * A child run ended: its caller's job gathers the outcome. The id is the child's, never a
 * continuation's, so the wake is not lost when the caller's job for its current seq is still
 * active (that job would swallow an enqueue under its own id); the run lease keeps it to one
 * job at a time.
 */
export async function enqueueChildWake(callerRunId: string, childRunId: string): Promise<void> {
  const payload = advanceRunPayloadSchema.parse({ runId: callerRunId });
  await getRunsQueue().add(ADVANCE_RUN_JOB, payload, {
    jobId: `${callerRunId}-child-${childRunId}`,
    attempts: 5,
    backoff: { type: "exponential", delay: 1_000 },
    removeOnComplete: { count: 1_000 },
    removeOnFail: { count: 5_000 },
  });
}
