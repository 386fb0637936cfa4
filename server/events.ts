import { Redis } from "ioredis";
import type { CommittedEvent } from "./engine/events";
import { getEnv } from "./env";

/**
 * Committed run events are published on Redis so any web process can stream them (SSE).
 * Publishing happens only after the events are committed in Postgres: the database is the
 * source of truth, Redis only carries notifications, and a missed one is recovered from the log.
 */
export function runChannel(runId: string): string {
  return `${getEnv().QUEUE_PREFIX}:run-events:${runId}`;
}

const globalForRedis = globalThis as unknown as { agentflowPublisher?: Redis };

function publisher(): Redis {
  if (!globalForRedis.agentflowPublisher) {
    // Auto-pipelining: publishes issued by concurrent runs in the same tick share one write.
    globalForRedis.agentflowPublisher = new Redis(getEnv().REDIS_URL, { maxRetriesPerRequest: 3, enableAutoPipelining: true });
  }
  return globalForRedis.agentflowPublisher;
}

export async function publishRunEvents(runId: string, events: readonly CommittedEvent[]): Promise<void> {
  if (events.length === 0) return;
  await publisher().publish(runChannel(runId), JSON.stringify(events));
}

/**
 * Cancel notices: a cancel is committed first (the log is the truth), then announced here so
 * the worker advancing that run aborts its in-flight model and tool calls at once instead of
 * at its next commit. A lost notice only delays the stop until that commit.
 */
function runControlChannel(runId: string): string {
  return `${getEnv().QUEUE_PREFIX}:run-control:${runId}`;
}

export async function announceRunCancelled(runId: string): Promise<void> {
  await publisher().publish(runControlChannel(runId), "cancelled");
}

export type CancelListener = { ready: Promise<void>; close: () => Promise<void> };

/** Calls `onCancelled(runId)` for every cancel announced by any process, until closed. */
export function listenForCancelledRuns(onCancelled: (runId: string) => void): CancelListener {
  const subscriber = createSubscriber();
  const prefix = runControlChannel("");
  subscriber.on("pmessage", (_pattern: string, channel: string, message: string) => {
    if (message === "cancelled" && channel.startsWith(prefix)) onCancelled(channel.slice(prefix.length));
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
  return new Redis(getEnv().REDIS_URL, { maxRetriesPerRequest: null });
}

export async function closePublisher(): Promise<void> {
  await globalForRedis.agentflowPublisher?.quit();
  globalForRedis.agentflowPublisher = undefined;
}
