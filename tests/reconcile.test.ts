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
import { buildGraph } from "../server/engine/test-helpers";
import { advanceRun } from "../server/runs/advance";
import { getRunEvents } from "../server/runs/queries";
import { testWorkspace, testRunScope } from "./support/workspace";

let harness: Harness;
let db: Db;

beforeAll(async () => {
  // The worker starts only after the flush, inside the test.
  harness = await startHarness({ worker: false });
  db = harness.db;
});

afterAll(() => harness.stop());

it("re-enqueues a run whose job vanished when Redis was flushed, and the run completes", async () => {
  const { id: workflowId } = await createWorkflow(db, await testWorkspace(db), { name: "reconcile", graph: starterGraph() });
  const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId, input: { topic: "flush" }, trigger: "manual" });

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

it("re-enqueues a run that waits for a person while another branch lost its job", async () => {
  const graph = buildGraph(
    [
      ["trigger", "trigger"],
      ["fork", "parallel"],
      ["review", "human", { message: "Looks right?" }],
      ["writer", "agent", { task: "Write the summary" }],
      ["join", "join"],
    ],
    [["trigger", "fork"], ["fork", "review"], ["fork", "writer"], ["review", "join", "approve"], ["writer", "join"]],
  );
  const { id: workflowId } = await createWorkflow(db, await testWorkspace(db), { name: "reconcile waiting", graph });
  const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId, input: {}, trigger: "manual" });
  // Two rounds by hand: the nodes start, then the review task is created. The writer is left
  // "running" with its model call not yet made, as if its worker had died.
  await advanceRun(db, runId, { maxIterations: 2 });
  const waiting = await db.run.findUniqueOrThrow({ where: { id: runId } });
  expect(waiting.status).toBe("waiting_for_human");

  const redis = new Redis(process.env.REDIS_URL as string);
  await redis.flushall();
  await redis.quit();

  const report = await reconcileRuns(db, { graceMs: 0 });
  expect(report.reEnqueued).toContain(runId);

  const worker = createRunWorker(db, { concurrency: 2 });
  try {
    const deadline = Date.now() + 10_000;
    while (!(await getRunEvents(db, runId)).some((e) => e.type === "node_finished" && e.nodeId === "writer")) {
      if (Date.now() > deadline) throw new Error("the writer branch never finished");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    // The person's task is still open; the run still waits for it.
    expect((await db.run.findUniqueOrThrow({ where: { id: runId } })).status).toBe("waiting_for_human");
  } finally {
    await worker.close();
  }
  // Nothing to do for a run that only waits for a person: it is left alone.
  expect((await reconcileRuns(db, { graceMs: 0 })).reEnqueued).not.toContain(runId);
});
