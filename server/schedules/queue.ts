import { Queue } from "bullmq";
import { z } from "zod";
import { getEnv } from "../env";
import { redisConnection } from "../queue";
import { closeOnShutdown } from "../ops/closers";

/**
 * The "schedules" queue: one BullMQ job scheduler per enabled schedule (`schedule:<id>`),
 * reconciled from Postgres. A scheduler puts exactly one job per slot in the queue (its job id
 * is derived from the slot), so however many processes consume the queue, each slot is one job.
 */
export const SCHEDULES_QUEUE = "schedules";
export const FIRE_SCHEDULE_JOB = "fire-schedule";

export const fireSchedulePayloadSchema = z.object({ scheduleId: z.string().min(1).max(100) });
export type FireSchedulePayload = z.infer<typeof fireSchedulePayloadSchema>;

export function schedulerIdOf(scheduleId: string): string {
  return `schedule:${scheduleId}`;
}

export function scheduleIdOfScheduler(schedulerId: string): string | null {
  return schedulerId.startsWith("schedule:") ? schedulerId.slice("schedule:".length) : null;
}

const globalForQueue = globalThis as unknown as { agentflowSchedulesQueue?: Queue<FireSchedulePayload> };

export function getSchedulesQueue(): Queue<FireSchedulePayload> {
  if (!globalForQueue.agentflowSchedulesQueue) {
    globalForQueue.agentflowSchedulesQueue = new Queue<FireSchedulePayload>(SCHEDULES_QUEUE, { connection: redisConnection(), prefix: getEnv().QUEUE_PREFIX });
    closeOnShutdown(closeSchedulesQueue);
  }
  return globalForQueue.agentflowSchedulesQueue;
}

/** Closes the queue's Redis connection if this process opened one. */
export async function closeSchedulesQueue(): Promise<void> {
  const queue = globalForQueue.agentflowSchedulesQueue;
  globalForQueue.agentflowSchedulesQueue = undefined;
  await queue?.close();
}
