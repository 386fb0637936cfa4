import { afterAll, beforeAll, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Db } from "../server/db";
import { buildGraph } from "../server/engine/test-helpers";
import { startRun } from "../server/runs/start-run";
import { createWorkflow } from "../server/workflows/workflows";
import { buildWorker, WORKER_DIST, WORKER_ENTRY } from "../scripts/build-worker";
import { startHarness, waitForRun, waitUntil, type Harness } from "./support/harness";
import { testRunScope, testWorkspace } from "./support/workspace";

/**
 * The production worker: `npm run build:worker`'s bundle run by plain node (no tsx), against the
 * real Postgres and Redis. A run through the demo model that uses run_code in JavaScript
 * (QuickJS thread) and in Python (Pyodide thread) proves the Prisma client, the queues and
 * both sandbox threads load from dist/worker/: the packages bundled in, and those left external
 * (Pyodide, QuickJS) resolved from node_modules.
 */

const ROOT = path.resolve(import.meta.dirname, "..");
let harness: Harness;
let db: Db;
let worker: ChildProcess | undefined;
let output = "";

beforeAll(async () => {
  harness = await startHarness({ worker: false });
  db = harness.db;
  await buildWorker();
}, 60_000);

afterAll(async () => {
  worker?.kill("SIGKILL");
  await harness.stop();
});

it("runs a workflow with run_code (JavaScript and Python) on the compiled worker", async () => {
  for (const file of ["main.mjs", "run-code-thread.mjs", "run-python-thread.mjs"]) {
    // No TypeScript at run time: nothing in the bundle loads tsx or a .ts file.
    expect(readFileSync(path.join(WORKER_DIST, file), "utf8")).not.toMatch(/from "tsx|\.ts"\)/);
  }
  worker = spawn(process.execPath, [path.relative(ROOT, WORKER_ENTRY)], { cwd: ROOT, env: process.env, stdio: ["ignore", "pipe", "pipe"] });
  worker.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  worker.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await waitUntil(() => output.includes("ready"), "the compiled worker to be ready", 30_000).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${output}`);
  });

  const task = [
    "Compute both.",
    `#demo:call:run_code ${JSON.stringify({ code: "[1, 2, 3].reduce((a, b) => a + b, 0) * 7" })}`,
    `#demo:call:run_code ${JSON.stringify({ language: "python", code: "import math\nresult = math.factorial(6) + 1" })}`,
  ].join("\n");
  const graph = buildGraph(
    [["trigger", "trigger"], ["dev", "agent", { task, allowedTools: ["run_code"] }], ["out", "output"]],
    [["trigger", "dev"], ["dev", "out"]],
  );
  const { id } = await createWorkflow(db, await testWorkspace(db), { name: "compiled worker", graph });
  const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId: id, input: {}, trigger: "manual" });
  const run = await waitForRun(db, runId, ["succeeded", "failed"], 90_000);
  expect(run.status, output).toBe("succeeded");
  expect(String(run.output)).toContain("42");
  expect(String(run.output)).toContain("721");
}, 150_000);
