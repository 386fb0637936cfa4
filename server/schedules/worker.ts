import { UnrecoverableError, Worker, type Job } from "bullmq";
import type { Db } from "../db";
import { workerOptions } from "../queue";
import { DEFAULT_LATE_AFTER_MS, fireSchedule } from "./fire";
import { FIRE_SCHEDULE_JOB, fireSchedulePayloadSchema, SCHEDULES_QUEUE, type FireSchedulePayload } from "./queue";

/**
 * The consumer of the "schedules" queue: each job is one slot of one schedule (the job
 * scheduler stamps the slot as `opts.prevMillis`). Any number of processes may consume it; the
 * queue hands each job to one of them, and the slot claim in Postgres stops a job handled twice.
 */
export function createScheduleWorker(db: Db, options: { lateAfterMs?: number; concurrency?: number } = {}): Worker<FireSchedulePayload> {
  return new Worker<FireSchedulePayload>(
    SCHEDULES_QUEUE,
    async (job: Job<FireSchedulePayload>) => {
      if (job.name !== FIRE_SCHEDULE_JOB) throw new UnrecoverableError(`unknown job ${job.name}`);
      const payload = fireSchedulePayloadSchema.safeParse(job.data);
      if (!payload.success) throw new UnrecoverableError(`invalid payload: ${payload.error.message}`);
      const slotAt = new Date(job.opts.prevMillis ?? job.timestamp + (job.opts.delay ?? 0));
      const result = await fireSchedule(db, { scheduleId: payload.data.scheduleId, slotAt, now: new Date(), lateAfterMs: options.lateAfterMs ?? DEFAULT_LATE_AFTER_MS });
      return result.outcome === "started" ? { outcome: result.outcome, runId: result.runId } : { outcome: result.outcome, reason: result.reason };
    },
    { ...workerOptions(), concurrency: options.concurrency ?? 5 },
  );
}
