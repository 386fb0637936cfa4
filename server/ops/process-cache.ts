import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { getEnv } from "../env";
import { getRedis, reconnectWithinASecond } from "../events";
import { closeOnShutdown } from "./closers";
import { componentLog } from "./log";

const logger = componentLog("process-cache");

/**
 * Small per-process caches of rows that any process may change — an API key revoked, a version
 * published — for the lookups every REST trigger makes (issue 11: one Postgres round trip each,
 * per request). A change is announced on one Redis channel (`invalidateEverywhere`, called by
 * the code that made it, after its commit), and every process drops that cache on hearing it.
 *
 * What makes it safe to cache a key that may be revoked:
 *  - a process serves from its caches only while its subscription to that channel is live: when
 *    the connection drops (and announcements may be lost) it empties them and reads Postgres
 *    until it has subscribed again;
 *  - a value read before an announcement but stored after it is not stored (each cache counts
 *    its invalidations; `set` takes the count from before the read);
 *  - entries expire after a few seconds anyway, should an announcement itself be lost (its
 *    publisher's connection failing after the commit).
 * So a revoke counts everywhere within the Redis round trip, as it did when every request read
 * Postgres (a request already past its check finishes either way).
 */
export type ProcessCache<V> = {
  /** The cached value, or undefined (also whenever this process may have missed a change). */
  get(key: string): V | undefined;
  /** Take before reading the source; pass to `set`. */
  generation(): number;
  /** Stores `value` unless the cache was invalidated since `generation` (or is not live). */
  set(key: string, value: V, generation: number): void;
  /** The cached value, else `load()`'s, stored unless it is undefined (so a miss is read again next time). */
  getOrLoad(key: string, load: () => Promise<V | undefined>): Promise<V | undefined>;
};

type Entry = { value: unknown; expiresAt: number };
type CacheState = { entries: Map<string, Entry>; generation: number; ttlMs: number; maxEntries: number };
/** `self`: this process's mark on its announcements; it dropped the cache already when it sent one. */
type Shared = { caches: Map<string, CacheState>; subscriber: Redis | null; live: boolean; self: string };

// On globalThis under a registered symbol, as the closers are: the launcher's bundle and Next's
// server bundle each carry a copy of this module, and they must share one subscriber.
const SHARED = Symbol.for("agentflow.processCaches");

function shared(): Shared {
  const global = globalThis as { [SHARED]?: Shared };
  global[SHARED] ??= { caches: new Map(), subscriber: null, live: false, self: randomBytes(6).toString("hex") };
  return global[SHARED];
}

function invalidationChannel(): string {
  return `${getEnv().QUEUE_PREFIX}:cache-invalidate`;
}

/** The name the process's invalidation subscriber carries in `CLIENT LIST` (tests find it by it). */
export function processCacheConnectionName(): string {
  return `${getEnv().QUEUE_PREFIX}:cache-invalidate:${process.pid}`;
}

function dropCache(state: CacheState): void {
  state.generation += 1;
  state.entries.clear();
}

function dropAll(): void {
  for (const state of shared().caches.values()) dropCache(state);
}

function ensureSubscriber(): void {
  const all = shared();
  if (all.subscriber) return;
  const subscriber = new Redis(getEnv().REDIS_URL, { connectionName: processCacheConnectionName(), maxRetriesPerRequest: null, autoResubscribe: false, retryStrategy: reconnectWithinASecond });
  all.subscriber = subscriber;
  // Subscribing again after every (re)connect is ours to do (autoResubscribe off), so that the
  // caches are used again only once the subscription is confirmed.
  subscriber.on("ready", () => {
    subscriber.subscribe(invalidationChannel()).then(
      () => {
        if (all.subscriber === subscriber) all.live = true;
      },
      (error: unknown) => logger.warn({ err: error }, "subscribing to cache invalidations failed"),
    );
  });
  subscriber.on("close", () => {
    all.live = false;
    dropAll();
  });
  subscriber.on("error", (error: Error) => logger.warn({ err: error }, "cache invalidation connection error"));
  // An announcement is `<cache name> <sender's mark>`.
  subscriber.on("message", (_channel: string, message: string) => {
    const [name, sender] = message.split(" ");
    if (sender === all.self) return;
    const state = all.caches.get(name ?? "");
    if (state) dropCache(state);
  });
  closeOnShutdown(closeProcessCaches);
}

/** A cache named `name` (the name its invalidations carry); entries live `ttlMs` at most. */
export function processCache<V>(name: string, options: { ttlMs: number; maxEntries: number }): ProcessCache<V> {
  const caches = shared().caches;
  let state = caches.get(name);
  if (!state) {
    state = { entries: new Map(), generation: 0, ...options };
    caches.set(name, state);
  }
  const cache = state;
  const api: ProcessCache<V> = {
    get(key) {
      if (!shared().live) {
        ensureSubscriber();
        return undefined;
      }
      const entry = cache.entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= Date.now()) {
        cache.entries.delete(key);
        return undefined;
      }
      return entry.value as V;
    },
    generation: () => cache.generation,
    set(key, value, generation) {
      if (!shared().live || generation !== cache.generation) return;
      if (cache.entries.size >= cache.maxEntries && !cache.entries.has(key)) {
        const oldest = cache.entries.keys().next().value;
        if (oldest !== undefined) cache.entries.delete(oldest);
      }
      cache.entries.set(key, { value, expiresAt: Date.now() + cache.ttlMs });
    },
    async getOrLoad(key, load) {
      const cached = api.get(key);
      if (cached !== undefined) return cached;
      const generation = api.generation();
      const value = await load();
      if (value !== undefined) api.set(key, value, generation);
      return value;
    },
  };
  return api;
}

/**
 * Drops the cache `name` here at once and announces it to every process. Call it after the
 * change has committed. A failed announcement is logged, not thrown: the change is made, and the
 * other processes' entries expire within the cache's ttl.
 */
export async function invalidateEverywhere(name: string): Promise<void> {
  const state = shared().caches.get(name);
  if (state) dropCache(state);
  try {
    await getRedis().publish(invalidationChannel(), `${name} ${shared().self}`);
  } catch (error) {
    logger.error({ err: error, cache: name }, "announcing a cache invalidation failed; other processes catch up within the cache's ttl");
  }
}

/** Whether this process serves from its caches now (its invalidation subscription is live). */
export function processCachesLive(): boolean {
  return shared().live;
}

export async function closeProcessCaches(): Promise<void> {
  const all = shared();
  const subscriber = all.subscriber;
  all.subscriber = null;
  all.live = false;
  dropAll();
  await subscriber?.quit().catch(() => subscriber.disconnect());
}
