import { CronExpressionParser } from "cron-parser";

/**
 * Cron expressions of schedules: five fields read in an IANA time zone. The same parser
 * BullMQ's job schedulers use (cron-parser), so the fire times shown are the ones that fire.
 */
export const CRON_FIELDS = ["minute", "hour", "day of month", "month", "day of week"] as const;
const FIELD_RANGES = ["0-59", "0-23", "1-31", "1-12 or JAN-DEC", "0-7 or SUN-SAT"] as const;

export type CronCheck = { ok: true; cron: string } | { ok: false; message: string };

/** A five-field cron expression, or which field is wrong and why. */
export function checkCron(text: string): CronCheck {
  const fields = text.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== 5) {
    return { ok: false, message: `must have 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}` };
  }
  for (const [index, field] of fields.entries()) {
    // Each field alone, the others "*": the parser's complaint is then about this field.
    const probe = CRON_FIELDS.map((_, position) => (position === index ? field : "*")).join(" ");
    try {
      CronExpressionParser.parse(probe, { tz: "UTC" });
    } catch (error) {
      const reason = error instanceof Error ? error.message.replace(/^Constraint error, /, "") : String(error);
      return { ok: false, message: `${CRON_FIELDS[index]} field "${field}" is invalid (${reason}; allowed ${FIELD_RANGES[index]})` };
    }
  }
  const cron = fields.join(" ");
  try {
    // Fields valid alone can still never match together (30 2 31 2 *: February 31st).
    CronExpressionParser.parse(cron, { tz: "UTC" }).next();
  } catch (error) {
    return { ok: false, message: `never fires (${error instanceof Error ? error.message : String(error)})` };
  }
  return { ok: true, cron };
}

/** Whether `zone` is an IANA time zone this runtime knows (Europe/Paris, UTC). */
export function isTimeZone(zone: string): boolean {
  if (!zone || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The next `count` fire times after `from`, in the schedule's time zone (five or six fields). */
export function nextFireTimes(cron: string, timeZone: string, from: Date, count = 5): Date[] {
  const interval = CronExpressionParser.parse(cron, { tz: timeZone, currentDate: from });
  return interval.take(count).map((date) => date.toDate());
}

/** The latest fire time at or before `at` (null if none in the parser's reach). */
export function latestFireTimeAtOrBefore(cron: string, timeZone: string, at: Date): Date | null {
  // prev() is strictly before currentDate: start one millisecond later so `at` itself counts.
  const interval = CronExpressionParser.parse(cron, { tz: timeZone, currentDate: new Date(at.getTime() + 1) });
  try {
    return interval.prev().toDate();
  } catch {
    return null;
  }
}
