import { afterAll, beforeAll, expect, it } from "vitest";
import { Redis } from "ioredis";
import { startHarness, waitForRun, type Harness } from "./support/harness";
import type { Db } from "../server/db";
import { getRunsQueue } from "../server/queue";
import { createRunWorker } from "../server/runs/worker";
import { startRun } from "../server/runs/start-run";
import { reconcileRuns } from "../server/runs/reconcile";
import { createWorkflow } from "../server/workflows/workflows";
import { starterGraph } from "../server/engine/graph";

let harness: Harness;
let db: Db;

beforeAll(async () => {
  // The worker starts only after the flush, inside the test.
  harness = await startHarness({ worker: false });
  db = harness.db;
});

afterAll(() => harness.stop());

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
    expect((await waitForRun(db, runId, ["succeeded", "failed"])).status).toBe("succeeded");
  } finally {
    await worker.close();
  }
});
