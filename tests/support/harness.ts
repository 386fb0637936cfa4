import type { Worker } from "bullmq";
import { closeDb, getDb, type Db } from "../../server/db";
import { closeRedis } from "../../server/events";
import { startDemoModelServer } from "../../server/llm/serve-demo-model";
import { getRunsQueue } from "../../server/queue";
import { createRunWorker } from "../../server/runs/worker";
import { isolateTestEnv } from "./env";
import { expectEveryRunReplays } from "./replay";

export type Harness = {
  db: Db;
  demo: Awaited<ReturnType<typeof startDemoModelServer>>;
  /** Set when the harness runs an in-process worker. */
  worker?: Worker;
  /** Checks every stored run replays from its log, then closes everything. */
  stop(): Promise<void>;
};

/**
 * What every integration file needs: the demo model over real HTTP, its own queue prefix,
 * the real Postgres and Redis, and (unless a test runs worker processes itself) an
 * in-process BullMQ worker. `env` is applied before anything reads the environment.
 */
export async function startHarness(options: { worker?: boolean; env?: Record<string, string> } = {}): Promise<Harness> {
  const demo = await startDemoModelServer();
  isolateTestEnv(demo.baseUrl);
  Object.assign(process.env, options.env ?? {});
  const db = getDb();
  const worker = options.worker === false ? undefined : createRunWorker(db, { concurrency: 8 });
  await worker?.waitUntilReady();
  return {
    db,
    demo,
    worker,
    async stop() {
      await expectEveryRunReplays(db);
      await worker?.close();
      await getRunsQueue().obliterate({ force: true }).catch(() => undefined);
      await getRunsQueue().close();
      await closeRedis();
      await closeDb();
      await demo.close();
    },
  };
}

/** Polls the run row until it reaches one of `statuses`. */
export async function waitForRun(db: Db, runId: string, statuses: readonly string[], timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
    if (statuses.includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} stayed ${run.status}, wanted ${statuses.join("|")}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Polls `condition` until it holds; fails naming `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Awaits `promise`, failing after `timeoutMs` with `what` (and `progress()`, when given): a hang
 * then names the step it hung at, where the test's own 60 s timeout would not.
 */
export async function within<T>(promise: Promise<T>, what: string, timeoutMs = 10_000, progress?: () => string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}${progress ? `: ${progress()}` : ""}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** `within` for all of `promises`; the failure says how many had settled. */
export function allWithin<T>(promises: readonly Promise<T>[], what: string, timeoutMs = 10_000): Promise<T[]> {
  let settled = 0;
  for (const promise of promises) promise.then(() => (settled += 1), () => (settled += 1));
  return within(Promise.all(promises), what, timeoutMs, () => `${settled} of ${promises.length} settled`);
}
