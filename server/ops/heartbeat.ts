import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import os from "node:os";
import type { Redis } from "ioredis";
import { getEnv } from "../env";
import { getRedis } from "../events";
import { HEARTBEAT_EVERY_MS, HEARTBEAT_TTL_MS, workerKey, workersIndexKey, type LiveWorker } from "./workers";
import { componentLog } from "./log";

const logger = componentLog("heartbeat");

/** Index entries whose last beat is older than this belong to workers that died without saying so. */
const PRUNE_AFTER_MS = 10 * HEARTBEAT_TTL_MS;

export type WorkerHeartbeat = {
  readonly id: string;
  /** Beats now (also what the timer calls). Never throws: a failed beat is reported to `onError`. */
  beat(): Promise<void>;
  /** Stops beating and removes this worker's entry, so it is not counted while it shuts down. */
  stop(): Promise<void>;
};

export type HeartbeatOptions = {
  concurrency: number;
  redis?: Redis;
  queuePrefix?: string;
  everyMs?: number;
  ttlMs?: number;
  /**
   * A file touched after every beat that reached Redis: a container healthcheck can tell from
   * its age that this worker still reaches Redis, without a Redis client of its own.
   */
  beatFile?: string;
  onError?: (error: unknown) => void;
};

/**
 * Announces a worker process in Redis (see server/ops/workers.ts for the layout): beats at once,
 * then every `everyMs`. Resolves after the first beat, so a worker that says "ready" is already
 * counted by /api/ready.
 */
export async function startWorkerHeartbeat(options: HeartbeatOptions): Promise<WorkerHeartbeat> {
  const redis = options.redis ?? getRedis();
  const queuePrefix = options.queuePrefix ?? getEnv().QUEUE_PREFIX;
  const everyMs = options.everyMs ?? HEARTBEAT_EVERY_MS;
  const ttlMs = options.ttlMs ?? HEARTBEAT_TTL_MS;
  const onError = options.onError ?? ((error: unknown) => logger.error({ err: error }, "heartbeat failed"));
  const id = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const startedAt = new Date().toISOString();
  const key = workerKey(queuePrefix, id);
  const index = workersIndexKey(queuePrefix);

  let stopped = false;
  let beating: Promise<void> = Promise.resolve();

  const beatOnce = async () => {
    const now = Date.now();
    const payload: LiveWorker = { id, pid: process.pid, host: os.hostname(), startedAt, concurrency: options.concurrency, lastBeatAt: new Date(now).toISOString() };
    const results = await redis
      .multi()
      .set(key, JSON.stringify(payload), "PX", ttlMs)
      .zadd(index, now, id)
      .zremrangebyscore(index, "-inf", now - PRUNE_AFTER_MS)
      .exec();
    const failed = results?.find(([error]) => error !== null)?.[0];
    if (!results || failed) throw failed ?? new Error("the heartbeat transaction was discarded");
    if (options.beatFile) await writeFile(options.beatFile, String(now));
  };

  const beat = () => {
    if (stopped) return beating;
    // One beat at a time: a slow Redis must not pile up transactions.
    beating = beating.then(() => (stopped ? undefined : beatOnce().catch(onError)));
    return beating;
  };

  await beat();
  const timer = setInterval(() => void beat(), everyMs);
  timer.unref(); // the worker's queues keep the process alive, not its heartbeat

  return {
    id,
    beat,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await beating;
      await redis.multi().del(key).zrem(index, id).exec().catch(onError);
    },
  };
}
