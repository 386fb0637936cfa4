/**
 * `npm run bench`: every benchmark, each printed beside its floor measured in the same run.
 * Speed targets are checked here, never in timed tests. Runs under scripts/with-services.ts
 * (the test Postgres and Redis); `tsx scripts/bench.ts runtime|auth|runs|foreach|python|streaming|editor|api|memory|scale` (or
 * `npm run bench -- runs`) runs one part.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { buildWebServer, WEB_SERVER_ENTRY } from "./build-web-server";
import { buildWorker, checkWorkerBuild, WORKER_ENTRY } from "./build-worker";
import { checkBuild, forgetBuild, recordBuild } from "./lib/build";
import { cpuProfileFlags, leanNodeEnv, webNodeFlags, workerNodeFlags } from "./lib/lean-node";
import { say } from "./lib/log";
import { nodeBin, ROOT } from "./lib/paths";
import { startGroup, waitUntil, type ProcessGroup } from "./lib/process";
import { benchEditor } from "./bench-editor";
import { benchApi, type AppProcesses } from "./bench-api";
import { benchMemory } from "./bench-memory";
import { startDemoModelServer } from "../server/llm/serve-demo-model";

const EDITOR_PORT = 3200;

async function runToEnd(group: ProcessGroup): Promise<void> {
  const result = await group.exited;
  if (result.code !== 0) throw new Error(`${group.name} failed (exit ${result.code ?? result.signal})`);
}

/** The editor and API benches need the production app and a worker, served as `npm start` serves them. */
async function withApp<T>(measure: (baseUrl: string, app: AppProcesses) => Promise<T>, extraEnv: Record<string, string> = {}): Promise<T> {
  const check = checkBuild(ROOT);
  if (check.stale) {
    say(`bench: ${check.reason}; running next build`);
    forgetBuild(ROOT);
    await runToEnd(startGroup("next build", ...nodeBin("next", ["build"]), { cwd: ROOT }));
    recordBuild(ROOT, check.hash);
  }
  const workerBuild = checkWorkerBuild();
  if (workerBuild.stale) await buildWorker(workerBuild.hash);
  await buildWebServer();
  const baseUrl = `http://localhost:${EDITOR_PORT}`;
  // The runtime bench pointed DEMO_MODEL_URL at its own (now closed) server: use the app's.
  const env: NodeJS.ProcessEnv = leanNodeEnv({ ...process.env, APP_URL: baseUrl, QUEUE_PREFIX: "bench-editor", NODE_ENV: "production" });
  delete env.DEMO_MODEL_URL;
  Object.assign(env, extraEnv);
  const profile = cpuProfileFlags();
  // The web server `npm start` serves (scripts/lib/web-server.ts, alone in its process here), with
  // its node flags, as the Docker image runs it: plain JavaScript, no TypeScript compiler loaded.
  const web = startGroup("web", process.execPath, [...webNodeFlags(env), ...profile, WEB_SERVER_ENTRY], { cwd: ROOT, env: { ...env, PORT: String(EDITOR_PORT) } });
  const worker = startGroup("worker", process.execPath, [...workerNodeFlags(), ...profile, WORKER_ENTRY], { cwd: ROOT, env, stopTimeoutMs: 10_000 });
  try {
    const up = await waitUntil(async () => {
      try {
        return (await fetch(`${baseUrl}/workflows`)).ok;
      } catch {
        return false;
      }
    }, 60_000, 250);
    if (!up) throw new Error(`the app did not answer on ${baseUrl}`);
    return await measure(baseUrl, { webPid: web.pid, workerPid: worker.pid });
  } finally {
    await web.stop();
    await worker.stop();
  }
}

/**
 * A part in a process of its own (`tsx scripts/bench-<part>.ts`), its lines picked by their
 * `<prefix>:`. The parts that run the app's modules in the bench's process set their own
 * environment (a demo model server, a queue prefix, a lifted run-start budget) and the app
 * caches it (getEnv, the runs queue): sharing one process, a part ran on the one before's
 * closed model server and queue. The ones that read run streams through their route load
 * server-only modules, which need the react-server condition.
 */
async function partInOwnProcess(part: string, options: { reactServer?: boolean } = {}): Promise<string[]> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...(options.reactServer ? ["--conditions=react-server"] : []), "--import", "tsx", `scripts/bench-${part}.ts`],
    { cwd: ROOT, env: process.env, maxBuffer: 10_000_000 },
  );
  return stdout.split("\n").filter((line) => line.startsWith(`${part}:`));
}

async function main() {
  const only = process.argv.slice(2);
  const wants = (part: string) => only.length === 0 || only.includes(part);
  const lines: string[] = [];
  for (const part of ["runtime", "auth", "runs", "foreach", "python"]) if (wants(part)) lines.push(...(await partInOwnProcess(part)));
  // Live tokens: reads the run stream through its route.
  if (wants("streaming")) lines.push(...(await partInOwnProcess("streaming", { reactServer: true })));
  if (wants("editor")) lines.push(...(await withApp(benchEditor)));
  if (wants("api")) {
    // Thousands of runs a minute from one key: the per-caller run-start limit would answer 429 first.
    process.env.RUN_START_RATE_PER_MINUTE = "1000000";
    // The model is another machine in production (RunPod, OpenAI): served from the web process
    // under test, its HTTP handling would be charged to the trigger's figures.
    const model = await startDemoModelServer();
    try {
      lines.push(...(await withApp(benchApi, { DEMO_MODEL_URL: model.baseUrl })));
    } finally {
      await model.close();
    }
  }
  if (wants("memory")) lines.push(...(await benchMemory()));
  // 10,000 waiting runs and 1,000 SSE viewers (issue 14 "Scale"); see scripts/bench-scale.ts.
  if (wants("scale")) lines.push(...(await partInOwnProcess("scale", { reactServer: true })));
  console.log(`\n${lines.join("\n")}`);
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
