import type { Db } from "../db";
import { fireSchedulePayloadSchema, FIRE_SCHEDULE_JOB, getSchedulesQueue, scheduleIdOfScheduler, schedulerIdOf } from "./queue";

type SchedulerSource = { id: string; cron: string; timeZone: string; enabled: boolean };

/**
 * Makes the schedule's BullMQ job scheduler match its row: upserted while enabled, removed
 * otherwise. Upserting the same pattern again keeps the same next slot (its job id derives
 * from the slot), so every process may reconcile at any time.
 */
export async function syncScheduler(schedule: SchedulerSource | null, scheduleId: string): Promise<void> {
  const queue = getSchedulesQueue();
  if (!schedule?.enabled) {
    await queue.removeJobScheduler(schedulerIdOf(scheduleId));
    return;
  }
  await queue.upsertJobScheduler(
    schedulerIdOf(schedule.id),
    { pattern: schedule.cron, tz: schedule.timeZone },
    {
      name: FIRE_SCHEDULE_JOB,
      data: fireSchedulePayloadSchema.parse({ scheduleId: schedule.id }),
      opts: { removeOnComplete: { count: 1_000 }, removeOnFail: { count: 1_000 } },
    },
  );
}

/**
 * Postgres is the source of truth: every enabled schedule gets its scheduler, and schedulers
 * of deleted or disabled schedules go. Run at worker start (a flushed Redis heals) and after
 * a failed sync.
 */
export async function reconcileSchedulers(db: Db): Promise<{ upserted: number; removed: number }> {
  const queue = getSchedulesQueue();
  const schedules = await db.schedule.findMany({ where: { enabled: true }, select: { id: true, cron: true, timeZone: true, enabled: true } });
  for (const schedule of schedules) await syncScheduler(schedule, schedule.id);
  const wanted = new Set(schedules.map((schedule) => schedulerIdOf(schedule.id)));
  let removed = 0;
  const total = await queue.getJobSchedulersCount();
  const existing = total > 0 ? await queue.getJobSchedulers(0, total - 1) : [];
  for (const scheduler of existing) {
    const schedulerId = scheduler.key;
    if (scheduleIdOfScheduler(schedulerId) !== null && !wanted.has(schedulerId)) {
      await queue.removeJobScheduler(schedulerId);
      removed += 1;
    }
  }
  return { upserted: schedules.length, removed };
}
