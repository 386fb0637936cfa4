import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import path from "node:path";
import type { Db } from "../server/db";
import { buildGraph } from "../server/engine/test-helpers";
import { listLiveWorkers } from "../server/ops/workers";
import { getRunEvents } from "../server/runs/queries";
import { startRun } from "../server/runs/start-run";
import { createWorkflow } from "../server/workflows/workflows";
import { groupAlive } from "../scripts/lib/process";
import { startWorkerPool, type WorkerPool } from "../scripts/lib/worker-pool";
import { startHarness, waitForRun, waitUntil, type Harness } from "./support/harness";
import { testRunScope, testWorkspace } from "./support/workspace";

/**
 * The supervisor of `npm start` (scripts/lib/worker-pool.ts, what scripts/start.ts runs) with
 * real worker processes (workers/main.ts) against the real Postgres and Redis: a worker killed
 * with SIGKILL mid-run is restarted, and the run it held and a run started after the kill both
 * finish. The launcher itself is not started here: that would need a second Next build.
 */

const ROOT = path.resolve(import.meta.dirname, "..");
// Short backoff and lock: the test waits for the restart and for the dead worker's lease to lapse.
const FAST_POLICY = { initialDelayMs: 300, maxDelayMs: 2_000, stableAfterMs: 60_000 };

let harness: Harness;
let db: Db;
let pool: WorkerPool | undefined;

beforeAll(async () => {
  harness = await startHarness({ worker: false });
  db = harness.db;
});

afterEach(async () => {
  await pool?.stop();
  pool = undefined;
});

afterAll(() => harness.stop());

function startPool(count: number): WorkerPool {
  return startWorkerPool({
    count,
    command: process.execPath,
    args: ["--import", "tsx", "workers/main.ts"],
    cwd: ROOT,
    env: { ...process.env, WORKER_LOCK_MS: "1500" },
    policy: FAST_POLICY,
    stopTimeoutMs: 10_000,
  });
}

/** Pids whose heartbeat is in Redis: a worker beats once its queues are consumed. */
async function beatingPids(): Promise<number[]> {
  return (await listLiveWorkers()).map((worker) => worker.pid);
}

it("restarts a worker killed with SIGKILL; the run it held and a run started after the kill both finish", async () => {
  const graph = buildGraph(
    [["trigger", "trigger"], ["first", "agent", { task: "Step one" }], ["second", "agent", { task: "Step two #demo:slow:2500" }], ["out", "output"]],
    [["trigger", "first"], ["first", "second"], ["second", "out"]],
  );
  const { id: workflowId } = await createWorkflow(db, await testWorkspace(db), { name: "supervised", graph });

  pool = startPool(1);
  const [firstPid] = pool.pids();
  expect(firstPid).toBeGreaterThan(0);
  await waitUntil(async () => (await beatingPids()).includes(firstPid!), "the first worker's heartbeat", 30_000);

  const before = await startRun(db, { ...(await testRunScope(db)), workflowId, input: {}, trigger: "manual" });
  await waitUntil(
    async () => (await getRunEvents(db, before.runId)).some((event) => event.type === "node_started" && event.nodeId === "second"),
    "the slow step to start",
    15_000,
  );
  process.kill(firstPid!, "SIGKILL");

  // The only worker is dead: whatever finishes the runs now is the restarted one.
  await waitUntil(() => pool!.restarts() === 1 && pool!.pids().length === 1 && pool!.pids()[0] !== firstPid, "a restarted worker", 10_000);
  const secondPid = pool.pids()[0]!;
  const after = await startRun(db, { ...(await testRunScope(db)), workflowId, input: {}, trigger: "manual" });
  await waitUntil(async () => (await beatingPids()).includes(secondPid), "the restarted worker's heartbeat", 30_000);

  expect((await waitForRun(db, before.runId, ["succeeded", "failed"], 30_000)).status).toBe("succeeded");
  expect((await waitForRun(db, after.runId, ["succeeded", "failed"], 30_000)).status).toBe("succeeded");
  const events = await getRunEvents(db, before.runId);
  expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
  expect(events.filter((event) => event.type === "run_finished")).toHaveLength(1);

  await pool.stop();
  expect(pool.pids()).toEqual([]);
  expect(groupAlive(secondPid)).toBe(false);
}, 120_000);

it("runs WORKER_PROCESSES workers, each restarted on its own, and stops them all", async () => {
  pool = startPool(2);
  const pids = pool.pids();
  expect(new Set(pids).size).toBe(2);
  await waitUntil(async () => (await beatingPids()).filter((pid) => pids.includes(pid)).length === 2, "both heartbeats", 30_000);

  process.kill(pids[1]!, "SIGKILL");
  await waitUntil(() => pool!.restarts() === 1 && pool!.pids().length === 2, "the second worker back", 10_000);
  // The first worker was never touched.
  expect(pool.pids()).toContain(pids[0]);
  expect(pool.pids()).not.toContain(pids[1]);

  const all = pool.pids();
  await pool.stop();
  expect(all.some((pid) => groupAlive(pid))).toBe(false);
}, 120_000);
