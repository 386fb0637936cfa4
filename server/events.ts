import { Redis } from "ioredis";
import type { CommittedEvent } from "./engine/events";
import { getEnv } from "./env";
import { closeOnShutdown } from "./ops/closers";
import { componentLog } from "./ops/log";

const logger = componentLog("redis");

/**
 * Logs a connection's outage once, as a JSON line, and its return. Without an "error" listener
 * ioredis prints every failed reconnect attempt to stderr as a raw stack ("[ioredis] Unhandled
 * error event"), several a second while Redis is away. Commands wait or fail on their own.
 */
function reportOutages(redis: Redis, role: string): Redis {
  let down = false;
  redis.on("error", (error: Error) => {
    if (down) return;
    down = true;
    logger.warn({ err: error, role }, "Redis connection lost; reconnecting");
  });
  redis.on("ready", () => {
    if (!down) return;
    down = false;
    logger.info({ role }, "Redis connection back");
  });
  return redis;
}

/**
 * Committed run events are published on Redis so any web process can stream them (SSE).
 * Publishing happens only after the events are committed in Postgres: the database is the
 * source of truth, Redis only carries notifications, and a missed one is recovered from the log.
 */
export function runChannel(runId: string): string {
  return `${getEnv().QUEUE_PREFIX}:run-events:${runId}`;
}

/**
 * When a lost Redis connection tries again (ioredis' `retryStrategy`; `attempt` counts from 1):
 * 100 ms later, then 100 ms more each time, and at least once a second. BullMQ's default for its
 * connections grows to 20 s between attempts (ioredis' own to 2 s), so after a longer outage a
 * worker could find Redis only many seconds after it was back, with its runs standing still.
 * Used by every Redis client of the app: this module's, BullMQ's (server/queue.ts), the run event hub,
 * the workspace feed and the process caches' invalidation subscriber.
 */
export function reconnectWithinASecond(attempt: number): number {
  return Math.min(attempt * 100, 1_000);
}

const globalForRedis = globalThis as unknown as { agentflowRedis?: Redis };

/** The process's Redis connection for plain commands (publishes, run leases); not for subscribing. */
export function getRedis(): Redis {
  if (!globalForRedis.agentflowRedis) {
    // Auto-pipelining: commands issued by concurrent runs in the same tick share one write.
    globalForRedis.agentflowRedis = reportOutages(new Redis(getEnv().REDIS_URL, { maxRetriesPerRequest: 3, enableAutoPipelining: true, retryStrategy: reconnectWithinASecond }), "commands");
    closeOnShutdown(closeRedis);
  }
  return globalForRedis.agentflowRedis;
}

export async function publishRunEvents(runId: string, events: readonly CommittedEvent[]): Promise<void> {
  if (events.length === 0) return;
  await getRedis().publish(runChannel(runId), JSON.stringify(events));
}

/**
 * Run notices, from whoever commits to a run to the worker advancing it. The change is
 * committed first (the log is the truth), then announced, so that worker acts now instead of
 * at its next commit: `cancelled` aborts its in-flight model and tool calls; `changed` (a
 * person answered, the run resumed) makes it re-read the run while its other calls go on.
 * A lost notice only delays the reaction to that next commit.
 */
export type RunNotice = "cancelled" | "changed";

function runNoticeChannel(runId: string): string {
  return `${getEnv().QUEUE_PREFIX}:run-notices:${runId}`;
}

export async function announceRun(runId: string, notice: RunNotice): Promise<void> {
  await getRedis().publish(runNoticeChannel(runId), notice);
}

export type NoticeListener = { ready: Promise<void>; close: () => Promise<void> };

/** Calls `onNotice` for every run notice announced by any process, until closed. */
export function listenForRunNotices(onNotice: (runId: string, notice: RunNotice) => void): NoticeListener {
  const subscriber = createSubscriber();
  const prefix = runNoticeChannel("");
  subscriber.on("pmessage", (_pattern: string, channel: string, message: string) => {
    if ((message === "cancelled" || message === "changed") && channel.startsWith(prefix)) onNotice(channel.slice(prefix.length), message);
  });
  const ready = subscriber.psubscribe(`${prefix}*`).then(() => undefined);
  ready.catch(() => undefined); // ioredis retries; a caller that cares awaits `ready`
  return {
    ready,
    async close() {
      await ready.catch(() => undefined);
      await subscriber.quit().catch(() => undefined);
    },
  };
}

/** A dedicated subscriber connection (Redis requires one per subscription mode client). */
export function createSubscriber(): Redis {
  return reportOutages(new Redis(getEnv().REDIS_URL, { maxRetriesPerRequest: null, retryStrategy: reconnectWithinASecond }), "subscriber");
}

export async function closeRedis(): Promise<void> {
  await globalForRedis.agentflowRedis?.quit();
  globalForRedis.agentflowRedis = undefined;
}
