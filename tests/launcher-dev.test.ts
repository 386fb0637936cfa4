import { afterAll, beforeAll, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { listLiveWorkers } from "../server/ops/workers";
import { commandLine, groupAlive, pidAlive, stopGroup } from "../scripts/lib/process";
import { startHarness, waitUntil, type Harness } from "./support/harness";

/**
 * `npm run dev` (scripts/launch.mjs --dev → scripts/start.ts in development mode: `next dev`
 * and the worker's sources under tsx) against the test Postgres and Redis on a port of its own:
 * the web answers a page and its health route, the worker beats, pretty log lines come out of
 * both, and SIGTERM stops it all. The production launcher has its own test (launcher.test.ts);
 * this one keeps what only development runs (next dev hands its node flags to its server child
 * through NODE_OPTIONS, which refuses V8 flags) from breaking unnoticed.
 */

const ROOT = path.resolve(import.meta.dirname, "..");
const PORT = 3212;
const START_MS = 180_000;

let harness: Harness;
let launcher: ChildProcess | undefined;
let output = "";

beforeAll(async () => {
  harness = await startHarness({ worker: false });
});

afterAll(async () => {
  if (launcher?.pid && groupAlive(launcher.pid)) await stopGroup(launcher.pid, "SIGTERM", 60_000);
  await harness.stop();
}, 90_000);

async function status(url: string): Promise<number> {
  try {
    return (await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(60_000) })).status;
  } catch {
    return 0;
  }
}

it("starts next dev and the worker from its sources, logs pretty lines, and stops on SIGTERM", async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(PORT), WORKER_PROCESSES: "1", NODE_ENV: "development" };
  // Pretty lines are development's default; the test stores' settings must not force JSON.
  delete env.LOG_FORMAT;
  launcher = spawn(process.execPath, ["scripts/launch.mjs", "--dev"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  launcher.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  launcher.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => launcher!.once("exit", (code) => resolve(code)));
  await waitUntil(() => output.includes("AgentFlow is ready") || launcher!.exitCode !== null, "npm run dev to be ready", START_MS);
  expect(output, output).toContain("AgentFlow is ready");

  expect(await status(`http://127.0.0.1:${PORT}/api/health`)).toBe(200);
  // A page compiles and answers (the sign-in or first-start redirect counts).
  expect([200, 307, 308]).toContain(await status(`http://127.0.0.1:${PORT}/`));
  await waitUntil(async () => (await listLiveWorkers()).length === 1, "the worker's heartbeat", 60_000);
  const [worker] = await listLiveWorkers();
  expect(commandLine(worker!.pid)).toContain("workers/main.ts");
  // pino-pretty (loaded only for pretty lines) formats the worker's lines: "[hh:mm:ss.mmm] INFO: …".
  expect(output).toMatch(/\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[worker\] ready/);

  process.kill(-launcher.pid!, "SIGTERM");
  expect(await exited).toBe(0);
  expect(output).toContain("[agentflow] stopped");
  expect(pidAlive(worker!.pid)).toBe(false);
}, START_MS + 120_000);
