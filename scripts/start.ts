// `npm start` (production) and `npm run dev` (`--dev`): Postgres + Redis, migrations,
// a build when sources changed, then the web and worker processes. One Ctrl-C or SIGTERM
// stops web, worker, redis and postgres in that order and leaves no process behind.
import path from "node:path";
import { buildWorker, checkWorkerBuild, WORKER_ENTRY } from "./build-worker";
import { applyMigrations } from "./migrate";
import { checkBuild, forgetBuild, recordBuild } from "./lib/build";
import { say, seconds, warn } from "./lib/log";
import { nodeBin, ROOT } from "./lib/paths";
import { describeExit, startGroup, waitUntil, watchLauncher, type ProcessGroup } from "./lib/process";
import { DEV_SERVICES, startServices, type Services } from "./lib/services";
import { leanNodeEnv, missingWebFlags, workerNodeFlags } from "./lib/lean-node";
import { parseWorkerProcesses } from "./lib/supervise";
import { startWorkerPool, type WorkerPool } from "./lib/worker-pool";
import { startWebServer, webPortOf, type WebServer } from "./lib/web-server";

const dev = process.argv.includes("--dev");
const portOrNull = webPortOf(process.env.PORT);
if (portOrNull === null) {
  console.error(`[agentflow] PORT must be a TCP port number, got "${process.env.PORT ?? ""}"`);
  process.exit(2);
}
const port: number = portOrNull;
const workerProcesses = parseWorkerProcesses(process.env.WORKER_PROCESSES);
if (!workerProcesses.ok) {
  console.error(`[agentflow] ${workerProcesses.error}`);
  process.exit(2);
}
const workerCount = workerProcesses.count;
const appUrl = `http://localhost:${port}`;

let stopping = false;
let servicesStarting: Promise<Services> | undefined;
let build: ProcessGroup | undefined;
/** `next dev` as a child in development; in production the server this process runs (lib/web-server.ts). */
let web: ProcessGroup | WebServer | undefined;
let workers: WorkerPool | undefined;

async function shutdown(code: number, why: string): Promise<never> {
  if (!stopping) {
    stopping = true;
    say(`stopping (${why})`);
    // Web first so no new work arrives, then the worker (it finishes or hands back its
    // jobs), then the stores they were writing to.
    for (const child of [build, web, workers]) await child?.stop();
    const services = await servicesStarting?.catch(() => undefined);
    await services?.stop();
    say("stopped");
    process.exit(code);
  }
  // A second signal while stopping (npm and tsx forward the one we already got) changes nothing.
  return new Promise<never>(() => undefined);
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => void shutdown(0, `received ${signal}`));
}
watchLauncher(() => void shutdown(0, "the launching npm/tsx process went away"));

/**
 * `next dev` or a store that dies on its own takes everything down: no half-running app.
 * Workers are different: lib/worker-pool.ts restarts them with backoff while the web keeps serving.
 */
function superviseExit(group: ProcessGroup | undefined): void {
  void group?.exited.then((info) => {
    if (!stopping) void shutdown(1, `${group.name} exited unexpectedly (${describeExit(info)})`);
  });
}

async function answersHttp(): Promise<boolean> {
  try {
    // Any status counts: the server is up even if "/" redirects or errors. `next dev`
    // compiles on first request, hence the long timeout.
    await fetch(`http://127.0.0.1:${port}/`, { redirect: "manual", signal: AbortSignal.timeout(dev ? 120_000 : 15_000) });
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  servicesStarting = startServices(DEV_SERVICES);
  const services = await servicesStarting;
  superviseExit(services.postgres.process);
  superviseExit(services.redis.process);
  await applyMigrations(services.databaseUrl);

  const env: NodeJS.ProcessEnv = leanNodeEnv({
    ...process.env,
    DATABASE_URL: services.databaseUrl,
    REDIS_URL: services.redisUrl,
    WORKSPACES_DIR: process.env.WORKSPACES_DIR ?? services.workspacesDir,
    AGENTFLOW_SECRET_KEY_FILE: process.env.AGENTFLOW_SECRET_KEY_FILE ?? services.secretKeyFile,
    APP_URL: appUrl,
    PORT: String(port),
    NEXT_TELEMETRY_DISABLED: "1",
  });

  if (!dev) {
    const check = checkBuild(ROOT);
    say(`build: ${check.reason}${check.stale ? "; running next build" : ""}`);
    if (check.stale) {
      const buildStarted = Date.now();
      forgetBuild(ROOT);
      build = startGroup("next build", ...nodeBin("next", ["build"]), { cwd: ROOT, env });
      const result = await build.exited;
      build = undefined;
      if (stopping) return;
      if (result.code !== 0) throw new Error(`next build failed (${describeExit(result)})`);
      recordBuild(ROOT, check.hash);
      say(`build: done in ${seconds(Date.now() - buildStarted)}`);
    }
  }
  if (stopping) return;
  if (!dev) {
    const check = checkWorkerBuild();
    if (check.stale) {
      const bundleStarted = Date.now();
      await buildWorker(check.hash);
      say(`worker: ${check.reason}; bundled in ${seconds(Date.now() - bundleStarted)}`);
    }
  }
  if (stopping) return;

  const workerEnv: NodeJS.ProcessEnv = {
    ...env,
    // Next sets NODE_ENV for the web itself; the worker needs it told.
    NODE_ENV: process.env.NODE_ENV ?? (dev ? "development" : "production"),
    // A worker exits on its own if this process dies without stopping it (workers/main.ts).
    AGENTFLOW_SUPERVISOR_PID: String(process.pid),
  };
  let devWeb: ProcessGroup | undefined;
  if (dev) {
    const [node, nextArgs] = nodeBin("next", ["dev", "-H", "127.0.0.1", "-p", String(port)]);
    devWeb = startGroup("web", node, nextArgs, { cwd: ROOT, env });
    web = devWeb;
    superviseExit(devWeb);
  } else {
    const missing = missingWebFlags(process.execArgv);
    if (missing.length > 0) warn(`serving the web without its node flags ${missing.join(" ")} (npm start gives them): expect more memory`);
    // The app's server code reads its settings from process.env, now this process's own.
    Object.assign(process.env, env, { NODE_ENV: "production" });
    web = await startWebServer({ dir: ROOT, hostname: "127.0.0.1", port });
  }
  // One node process per worker (in dev tsx's loader inside it, not tsx's CLI plus a child).
  workers = startWorkerPool({
    count: workerCount,
    command: process.execPath,
    // Production runs the compiled bundle (no TypeScript compiler in memory); dev runs the
    // sources through tsx's loader so edits apply on the next worker start.
    args: [...workerNodeFlags(), ...(dev ? ["--import", "tsx", "workers/main.ts"] : [path.relative(ROOT, WORKER_ENTRY)])],
    cwd: ROOT,
    env: workerEnv,
    stopTimeoutMs: 15_000, // BullMQ's close() waits for the jobs in hand
  });
  if (workerCount > 1) say(`${workerCount} worker processes (WORKER_PROCESSES)`);

  // Production's server is this process: up for as long as we are.
  const webUp = () => devWeb?.running() ?? true;
  if (await waitUntil(async () => stopping || !webUp() || (await answersHttp()), 300_000, 500)) {
    if (!stopping && webUp()) say(`AgentFlow is ready: ${appUrl} (started in ${seconds(Date.now() - startedAt)})`);
  } else {
    throw new Error(`the web did not answer on port ${port} within 300 s`);
  }
}

main().catch((error: unknown) => {
  warn(error instanceof Error ? error.message : String(error));
  void shutdown(1, "start failed");
});
