import { afterAll, beforeAll, expect, it } from "vitest";
import { Redis } from "ioredis";
import { startDemoModelServer } from "../server/llm/serve-demo-model";
import { isolateTestEnv } from "./support/env";
import { expectEveryRunReplays } from "./support/replay";
import { getDb, type Db } from "../server/db";
import { closePublisher } from "../server/events";
import { getRunsQueue } from "../server/queue";
import { createRunWorker } from "../server/runs/worker";
import { startRun } from "../server/runs/start-run";
import { reconcileRuns } from "../server/runs/reconcile";
import { createWorkflow } from "../server/workflows/workflows";
import { starterGraph } from "../server/engine/graph";

let demo: Awaited<ReturnType<typeof startDemoModelServer>>;
let db: Db;

beforeAll(async () => {
  demo = await startDemoModelServer();
  isolateTestEnv(demo.baseUrl);
  db = getDb();
});

afterAll(async () => {
  if (db) await expectEveryRunReplays(db);
  await getRunsQueue().obliterate({ force: true }).catch(() => undefined);
  await getRunsQueue().close();
  await closePublisher();
  await db.$disconnect();
  await demo.close();
});

it("re-enqueues a run whose job vanished when Redis was flushed, and the run completes", async () => {
  const { id: workflowId } = await createWorkflow(db, { name: "reconcile", graph: starterGraph() });
  const { runId } = await startRun(db, { workflowId, input: { topic: "flush" }, trigger: "manual" });

  // No worker is running yet: the job sits in Redis. Flush Redis, as a lost cache would.
  const redis = new Redis(process.env.REDIS_URL as string);
  await redis.flushall();
  await redis.quit();
  expect(await getRunsQueue().getJobCounts("waiting")).toEqual({ waiting: 0 });

  const report = await reconcileRuns(db, { graceMs: 0 });
  expect(report.reEnqueued).toContain(runId);
  // A second pass finds the job waiting and leaves it alone (idempotent).
  expect((await reconcileRuns(db, { graceMs: 0 })).reEnqueued).not.toContain(runId);

  const worker = createRunWorker(db, { concurrency: 2 });
  try {
    const deadline = Date.now() + 20_000;
    let status = "";
    while (Date.now() < deadline) {
      status = (await db.run.findUniqueOrThrow({ where: { id: runId } })).status;
      if (status === "succeeded" || status === "failed") break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe("succeeded");
  } finally {
    await worker.close();
  }
});
