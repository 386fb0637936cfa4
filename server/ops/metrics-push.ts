import type { Redis } from "ioredis";
import { getEnv } from "../env";
import { getRedis } from "../events";
import { appMetrics, type MetricsJson } from "./metrics";
import { componentLog, errorFields } from "./log";

/**
 * A worker process's metrics reach /api/metrics through Redis: every few seconds the worker
 * writes its registry as JSON to `<QUEUE_PREFIX>:metrics:<workerId>` (the heartbeat's id) with a
 * TTL, and the web merges the snapshots of the live workers at scrape time, each labelled
 * `worker=<id>`. A killed worker's series vanish with its key, as a scraped target's would.
 */

const METRICS_PUSH_EVERY_MS = 3_000;
/** Several missed pushes and the snapshot is gone. */
const METRICS_PUSH_TTL_MS = 30_000;

export type PushedMetrics = { workerId: string; pushedAt: string; metrics: MetricsJson };

export function workerMetricsKey(queuePrefix: string, workerId: string): string {
  return `${queuePrefix}:metrics:${workerId}`;
}

type MetricsPush = {
  /** Pushes now (also what the timer calls). Never throws: a failed push is reported to `onError`. */
  push(): Promise<void>;
  /** Stops pushing and removes this worker's snapshot: its series end with it, like a stopped target's. */
  stop(): Promise<void>;
};

export function startMetricsPush(options: { workerId: string; redis?: Redis; queuePrefix?: string; everyMs?: number; ttlMs?: number; onError?: (error: unknown) => void }): MetricsPush {
  const redis = options.redis ?? getRedis();
  const key = workerMetricsKey(options.queuePrefix ?? getEnv().QUEUE_PREFIX, options.workerId);
  const ttlMs = options.ttlMs ?? METRICS_PUSH_TTL_MS;
  const onError = options.onError ?? ((error: unknown) => componentLog("metrics").error(errorFields(error), "pushing worker metrics failed"));
  let stopped = false;
  let pushing: Promise<void> = Promise.resolve();

  const pushOnce = async () => {
    const snapshot: PushedMetrics = { workerId: options.workerId, pushedAt: new Date().toISOString(), metrics: await appMetrics().registry.getMetricsAsJSON() };
    await redis.set(key, JSON.stringify(snapshot), "PX", ttlMs);
  };
  const push = () => {
    if (stopped) return pushing;
    // One push at a time: a slow Redis must not pile up snapshots.
    pushing = pushing.then(() => (stopped ? undefined : pushOnce().catch(onError)));
    return pushing;
  };

  void push();
  const timer = setInterval(() => void push(), options.everyMs ?? METRICS_PUSH_EVERY_MS);
  timer.unref();
  return {
    push,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await pushing;
      await redis.del(key).catch(onError);
    },
  };
}
