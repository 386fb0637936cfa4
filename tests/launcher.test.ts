import { afterAll, beforeAll, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import type { Db } from "../server/db";
import { buildGraph } from "../server/engine/test-helpers";
import { listLiveWorkers } from "../server/ops/workers";
import { getRunEvents } from "../server/runs/queries";
import { startRun } from "../server/runs/start-run";
import { createWorkflow } from "../server/workflows/workflows";
import { leanNodeEnv, WEB_NODE_FLAGS, workerNodeFlags } from "../scripts/lib/lean-node";
import { commandLine, groupAlive, parentOf, pidAlive, stopGroup } from "../scripts/lib/process";
import { startHarness, waitForRun, waitUntil, type Harness } from "./support/harness";
import { testRunScope, testWorkspace } from "./support/workspace";

/**
 * The real launcher of `npm start` (scripts/launch.mjs → scripts/start.ts, production mode: the
 * Next build, served by the launcher's own process, and the compiled worker) with npm start's
 * node flags, against the test Postgres and Redis (DATABASE_URL and REDIS_URL, which it uses
 * instead of starting its own) on a port of its own. The worker is killed with SIGKILL mid-run:
 * the launcher says so and restarts it, the web keeps answering, the run it held and a run
 * started after the kill both finish, and SIGTERM still stops it all. Then a launcher killed
 * with SIGKILL: its worker closes itself rather than run on unsupervised.
 *
 * When the sources changed since the last `next build` the launcher builds first (minutes);
 * `npm test` then finds that build current and skips its own build tier.
 */

const ROOT = path.resolve(import.meta.dirname, "..");
const PORT = 3211;
const BUILD_AND_START_MS = 600_000;

let harness: Harness;
let db: Db;
let launcher: ChildProcess | undefined;
let output = "";

beforeAll(async () => {
  harness = await startHarness({ worker: false });
  db = harness.db;
});

afterAll(async () => {
  if (launcher?.pid && groupAlive(launcher.pid)) await stopGroup(launcher.pid, "SIGTERM", 60_000);
  await harness.stop();
}, 90_000);

async function answers(url: string): Promise<number> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(5_000) })).status;
  } catch {
    return 0;
  }
}

/** Pids of the processes whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((candidate) => parentOf(candidate) === pid);
}

/** `npm start`'s command (package.json), without npm; resolves once it says it is ready. */
async function startLauncher(): Promise<{ exited: Promise<number | null> }> {
  output = "";
  launcher = spawn(process.execPath, [...WEB_NODE_FLAGS, "scripts/launch.mjs"], {
    cwd: ROOT,
    // The harness's queue prefix and demo model, the test stores, a short job lock.
    env: leanNodeEnv({ ...process.env, PORT: String(PORT), WORKER_LOCK_MS: "1500", WORKER_PROCESSES: "1" }),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  launcher.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  launcher.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => launcher!.once("exit", (code) => resolve(code)));
  await waitUntil(() => output.includes("AgentFlow is ready") || launcher!.exitCode !== null, "the launcher to be ready", BUILD_AND_START_MS);
  expect(output, output).toContain("AgentFlow is ready");
  expect(output).not.toContain("without its node flags");
  return { exited };
}

it("restarts a worker killed with SIGKILL while the web keeps serving; runs continue; SIGTERM stops everything", async () => {
  const { exited } = await startLauncher();
  // The launcher serves the web itself: no `next start` process under it.
  expect(childrenOf(launcher!.pid!).map(commandLine).filter((command) => /next/.test(command))).toEqual([]);

  await waitUntil(async () => (await listLiveWorkers()).length === 1, "the worker's heartbeat", 30_000);
  const [first] = await listLiveWorkers();
  // Production mode: the compiled bundle under plain node, no TypeScript compiler.
  expect(commandLine(first!.pid)).toContain("dist/worker/main.mjs");
  expect(commandLine(first!.pid)).not.toContain("tsx");
  // With production's node flags (scripts/lib/lean-node.ts).
  for (const flag of workerNodeFlags()) expect(commandLine(first!.pid)).toContain(flag);

  const graph = buildGraph(
    [["trigger", "trigger"], ["first", "agent", { task: "Step one" }], ["second", "agent", { task: "Step two #demo:slow:2500" }], ["out", "output"]],
    [["trigger", "first"], ["first", "second"], ["second", "out"]],
  );
  const { id: workflowId } = await createWorkflow(db, await testWorkspace(db), { name: "launcher", graph });
  const before = await startRun(db, { ...(await testRunScope(db)), workflowId, input: {}, trigger: "manual" });
  await waitUntil(
    async () => (await getRunEvents(db, before.runId)).some((event) => event.type === "node_started" && event.nodeId === "second"),
    "the slow step to start",
    30_000,
  );
  process.kill(first!.pid, "SIGKILL");

  await waitUntil(() => output.includes("worker (pid") && output.includes("restarted (pid"), "the launcher to restart the worker", 15_000);
  expect(output).toMatch(new RegExp(`worker \\(pid ${first!.pid}\\) exited unexpectedly \\(signal SIGKILL\\) after [\\d.]+s; restarting it in 1\\.0s`));
  // The web never went away.
  expect(await answers(`http://127.0.0.1:${PORT}/api/health`)).toBe(200);
  expect(pidAlive(launcher!.pid!)).toBe(true);

  const after = await startRun(db, { ...(await testRunScope(db)), workflowId, input: {}, trigger: "manual" });
  expect((await waitForRun(db, before.runId, ["succeeded", "failed"], 60_000)).status).toBe("succeeded");
  expect((await waitForRun(db, after.runId, ["succeeded", "failed"], 60_000)).status).toBe("succeeded");
  const events = await getRunEvents(db, before.runId);
  expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
  // The killed worker's heartbeat lingers until its TTL; the restarted one beats beside it.
  const restarted = (await listLiveWorkers()).filter((worker) => worker.pid !== first!.pid);
  expect(restarted).toHaveLength(1);
  const restartedPid = restarted[0]!.pid;
  expect(pidAlive(first!.pid)).toBe(false);
  expect(commandLine(restartedPid)).toContain("dist/worker/main.mjs");

  // SIGTERM to the launcher's group (what npm forwards): an ordered stop, exit 0, nothing left.
  process.kill(-launcher!.pid!, "SIGTERM");
  expect(await exited).toBe(0);
  expect(output).toContain("[agentflow] stopped");
  expect(pidAlive(restartedPid)).toBe(false);
  expect(await answers(`http://127.0.0.1:${PORT}/api/health`)).toBe(0);
}, BUILD_AND_START_MS + 180_000);

it("a worker whose launcher was killed with SIGKILL closes itself", async () => {
  await startLauncher();
  await waitUntil(async () => (await listLiveWorkers()).some((worker) => pidAlive(worker.pid)), "the worker's heartbeat", 30_000);
  const worker = (await listLiveWorkers()).find((candidate) => pidAlive(candidate.pid))!;
  expect(childrenOf(launcher!.pid!)).toContain(worker.pid);

  process.kill(launcher!.pid!, "SIGKILL");
  await waitUntil(() => !pidAlive(worker.pid), "the orphaned worker to close", 20_000);
}, BUILD_AND_START_MS + 60_000);
