import type { Redis } from "ioredis";
import { z } from "zod";
import { getEnv } from "../env";
import { getRedis } from "../events";

/**
 * Which worker processes are alive, from the heartbeats they write (server/ops/heartbeat.ts).
 *
 * Layout in Redis, under the deployment's QUEUE_PREFIX:
 * - `<prefix>:workers:<id>`: one string per worker process, its JSON below, with a TTL of
 *   HEARTBEAT_TTL_MS renewed at every beat. The TTL is what decides "alive": a worker that was
 *   killed (no clean shutdown) drops out when its key expires, and expiry runs on Redis's clock,
 *   so the hosts' clocks never have to agree.
 * - `<prefix>:workers`: a sorted set of worker ids (score: the writer's time of its last beat),
 *   so a reader finds the keys without SCANning a keyspace full of BullMQ jobs.
 */

/** How often a worker beats. */
export const HEARTBEAT_EVERY_MS = 10_000;
/** How long a beat counts: three missed beats and the worker is gone. Also readiness's window. */
export const HEARTBEAT_TTL_MS = 30_000;

export const liveWorkerSchema = z
  .object({
    id: z.string(),
    pid: z.number().int(),
    host: z.string(),
    startedAt: z.iso.datetime(),
    concurrency: z.number().int().min(0),
    lastBeatAt: z.iso.datetime(),
  })
  .strict();
export type LiveWorker = z.infer<typeof liveWorkerSchema>;

export function workersIndexKey(queuePrefix: string): string {
  return `${queuePrefix}:workers`;
}

export function workerKey(queuePrefix: string, workerId: string): string {
  return `${queuePrefix}:workers:${workerId}`;
}

/**
 * The worker processes that beat within the last HEARTBEAT_TTL_MS, oldest first. Read-only:
 * index entries of dead workers are pruned by the beating ones (heartbeat.ts), so a reader
 * cannot race a worker that is writing its beat right now.
 */
export async function listLiveWorkers(options: { redis?: Redis; queuePrefix?: string } = {}): Promise<LiveWorker[]> {
  const redis = options.redis ?? getRedis();
  const queuePrefix = options.queuePrefix ?? getEnv().QUEUE_PREFIX;
  const ids = await redis.zrange(workersIndexKey(queuePrefix), "0", "-1");
  if (ids.length === 0) return [];
  const values = await redis.mget(...ids.map((id) => workerKey(queuePrefix, id)));
  const workers: LiveWorker[] = [];
  for (const value of values) {
    if (value === null) continue; // expired: that worker stopped beating
    const parsed = liveWorkerSchema.safeParse(safeJson(value));
    if (parsed.success) workers.push(parsed.data);
  }
  return workers.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
