/**
 * Runtime benchmark (part of `npm run bench`). Measures, in one run against the same Redis
 * and Postgres, AgentFlow's run engine and — as the floor — a raw BullMQ no-op job:
 *  - orchestration overhead per agent step (decide + commit, model time excluded), instant demo model;
 *  - committed steps (events) per second with one worker process vs no-op jobs/s;
 *  - trigger-to-finished latency of a one-step workflow vs add-to-completed of a no-op job.
 * Needs DATABASE_URL and REDIS_URL (run through scripts/with-services.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { Queue, QueueEvents, Worker } from "bullmq";
import { Redis } from "ioredis";
import { startDemoModelServer } from "../server/llm/serve-demo-model";
import { ROOT } from "./lib/paths";
import { cpuProfileFlags, workerNodeFlags } from "./lib/lean-node";
import { buildWorker, checkWorkerBuild, WORKER_ENTRY } from "./build-worker";
import { runAloneIfMain } from "./lib/run-alone";

export type Summary = { p50: number; p99: number; mean: number; n: number };

export function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  const mean = sorted.reduce((sum, x) => sum + x, 0) / Math.max(1, sorted.length);
  return { p50: at(0.5), p99: at(0.99), mean, n: sorted.length };
}

const fmt = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : "n/a");

/** The worker process as `npm start` and the Docker image run it: the compiled bundle, with its node flags. */
async function startWorkerProcess(root: string): Promise<ChildProcess> {
  const build = checkWorkerBuild();
  if (build.stale) await buildWorker(build.hash);
  const child = spawn(process.execPath, [...workerNodeFlags(), ...cpuProfileFlags(), WORKER_ENTRY], {
    cwd: root,
    env: process.env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("worker did not start")), 30_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("[worker] ready")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on("exit", (code) => reject(new Error(`worker exited (${code})`)));
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  if (child.exitCode === null) child.kill("SIGKILL");
}

/** CPU time (ms) used so far by the worker, this process, and every postgres / redis-server process. */
type CpuSnapshot = { workerMs: number; selfMs: number; postgresMs: number; redisMs: number };

function processCpuMs(pid: number): number {
  try {
    // Fields 14 and 15 of /proc/<pid>/stat are user and system time in clock ticks (100 Hz on Linux).
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0; // exited meanwhile
  }
}

function cpuByCommand(command: string): number {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === command) total += processCpuMs(Number(entry));
    } catch {
      // the process exited while we listed it
    }
  }
  return total;
}

function cpuSnapshot(workerPid: number | undefined): CpuSnapshot {
  const self = process.cpuUsage();
  return {
    workerMs: workerPid ? processCpuMs(workerPid) : 0,
    selfMs: (self.user + self.system) / 1000,
    postgresMs: cpuByCommand("postgres"),
    redisMs: cpuByCommand("redis-server"),
  };
}

function cpuSince(before: CpuSnapshot, workerPid: number | undefined): CpuSnapshot {
  const now = cpuSnapshot(workerPid);
  return {
    workerMs: now.workerMs - before.workerMs,
    selfMs: now.selfMs - before.selfMs,
    postgresMs: now.postgresMs - before.postgresMs,
    redisMs: now.redisMs - before.redisMs,
  };
}

/** The floor: BullMQ with a no-op processor on the same Redis. */
async function measureFloor(redisUrl: string, jobs: number, latencySamples: number) {
  const prefix = `bench-floor-${randomBytes(3).toString("hex")}`;
  const connection = { url: redisUrl, maxRetriesPerRequest: null };
  const queue = new Queue("noop", { connection, prefix });
  const events = new QueueEvents("noop", { connection, prefix });
  const worker = new Worker("noop", async () => null, { connection, prefix, concurrency: 20 });
  await Promise.all([worker.waitUntilReady(), events.waitUntilReady()]);

  const latencies: number[] = [];
  for (let i = 0; i < latencySamples; i += 1) {
    const started = performance.now();
    // Kept until the end: a removed job would race waitUntilFinished ("Missing key").
    const job = await queue.add("noop", { i });
    await job.waitUntilFinished(events);
    latencies.push(performance.now() - started);
  }

  const started = performance.now();
  let done = 0;
  const allDone = new Promise<void>((resolve) => {
    worker.on("completed", () => {
      done += 1;
      if (done === jobs) resolve();
    });
  });
  await queue.addBulk(Array.from({ length: jobs }, (_, i) => ({ name: "noop", data: { i }, opts: { removeOnComplete: true } })));
  await allDone;
  const jobsPerSecond = jobs / ((performance.now() - started) / 1000);

  await worker.close();
  await events.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return { jobsPerSecond, latency: summarize(latencies) };
}

export async function benchRuntime(root: string): Promise<string[]> {
  const demo = await startDemoModelServer();
  process.env.DEMO_MODEL_URL = demo.baseUrl;
  process.env.QUEUE_PREFIX = `bench-${randomBytes(3).toString("hex")}`;
  process.env.APP_URL ??= "http://localhost:3000";
  // Imported after the env is set: these modules read it lazily but cache it.
  const { closeDb, getDb } = await import("../server/db");
  const { createRunWorker } = await import("../server/runs/worker");
  const { startRun } = await import("../server/runs/start-run");
  const { createWorkflow } = await import("../server/workflows/workflows");
  const { starterGraph } = await import("../server/engine/graph");
  const { closeRunsQueue, getRunsQueue } = await import("../server/queue");
  const { runChannel, closeRedis } = await import("../server/events");
  const db = getDb();
  const redisUrl = process.env.REDIS_URL as string;
  const lines: string[] = [];

  const floor = await measureFloor(redisUrl, 2_000, 200);

  const { newId } = await import("../server/ids");
  // The bench's runs live in a workspace of their own (removed with it at the end).
  const workspaceId = newId("ws");
  await db.workspace.create({ data: { id: workspaceId, name: "bench" } });
  const { id: workflowId } = await createWorkflow(db, workspaceId, { name: "bench one-step", graph: starterGraph() });
  const subscriber = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const finished = new Map<string, () => void>();
  await subscriber.psubscribe(runChannel("*"));
  subscriber.on("pmessage", (_pattern, channel: string, message: string) => {
    if (!message.includes('"run_finished"')) return;
    const runId = channel.slice(channel.lastIndexOf(":") + 1);
    finished.get(runId)?.();
  });
  /** Triggers one run and waits for its run_finished; returns the total and the startRun part (ms). */
  const runToEnd = async () => {
    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const started = performance.now();
    const { runId } = await startRun(db, { workspaceId, workflowId, input: { topic: "bench" }, trigger: "api", startedBy: "bench" });
    const startMs = performance.now() - started;
    finished.set(runId, resolveDone);
    await done;
    finished.delete(runId);
    return { totalMs: performance.now() - started, startMs };
  };

  // 1. Overhead per step, measured inside an in-process worker (model time excluded).
  const overhead: number[] = [];
  const inProcess = createRunWorker(db, { concurrency: 1, onStep: (t) => overhead.push(t.totalMs - t.effectMs) });
  await inProcess.waitUntilReady();
  for (let i = 0; i < 20; i += 1) await runToEnd(); // warm-up
  overhead.length = 0;
  for (let i = 0; i < 100; i += 1) await runToEnd();
  await inProcess.close();
  const overheadSummary = summarize(overhead);

  // 2 + 3. One worker process: trigger-to-finished latency, then throughput.
  const worker = await startWorkerProcess(root);
  try {
    for (let i = 0; i < 10; i += 1) await runToEnd();
    const latencies: number[] = [];
    const startLatencies: number[] = [];
    for (let i = 0; i < 100; i += 1) {
      const { totalMs, startMs } = await runToEnd();
      latencies.push(totalMs);
      startLatencies.push(startMs);
    }
    const latency = summarize(latencies);
    const startLatency = summarize(startLatencies);

    // Throughput of the worker process, measured like the floor: a backlog of runs is queued
    // first (queue paused), then the worker drains it. Creating runs is the API's work, not
    // the worker's, so it stays outside the timed window here...
    const runs = 300;
    const queue = getRunsQueue();
    await queue.pause();
    const pending: Promise<void>[] = [];
    for (let i = 0; i < runs; i += 1) {
      const { runId } = await startRun(db, { workspaceId, workflowId, input: { topic: "bench" }, trigger: "api", startedBy: "bench" });
      pending.push(new Promise<void>((resolve) => finished.set(runId, resolve)));
    }
    const before = await db.runStep.count();
    const cpuBefore = cpuSnapshot(worker.pid);
    const started = performance.now();
    await queue.resume();
    await Promise.all(pending);
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuSince(cpuBefore, worker.pid);
    const committed = (await db.runStep.count()) - before;
    const stepsPerSecond = committed / seconds;
    finished.clear();

    // ...and, for context, the whole system: 200 runs triggered at once until all finished.
    const burstBefore = await db.runStep.count();
    const burstStarted = performance.now();
    await Promise.all(Array.from({ length: 200 }, () => runToEnd()));
    const burstSeconds = (performance.now() - burstStarted) / 1000;
    const burstEventsPerSecond = ((await db.runStep.count()) - burstBefore) / burstSeconds;

    lines.push(
      `runtime: orchestration overhead per step   p50 ${fmt(overheadSummary.p50)} ms  p99 ${fmt(overheadSummary.p99)} ms  (n=${overheadSummary.n}; aim p50 <= 2 ms)`,
      `runtime: committed steps/s, 1 worker proc  ${fmt(stepsPerSecond, 0)} events/s (${runs} queued runs drained)  | floor no-op jobs/s ${fmt(floor.jobsPerSecond, 0)}  | ratio ${fmt(stepsPerSecond / floor.jobsPerSecond)} (aim >= 0.30)`,
      `runtime: CPU while draining (${fmt(seconds)} s): worker ${fmt(cpu.workerMs / committed, 3)} ms/event (${fmt((100 * cpu.workerMs) / (seconds * 1000), 0)}% of a core), this process ${fmt((100 * cpu.selfMs) / (seconds * 1000), 0)}%, postgres ${fmt((100 * cpu.postgresMs) / (seconds * 1000), 0)}%, redis ${fmt((100 * cpu.redisMs) / (seconds * 1000), 0)}%`,
      `runtime: 200 runs triggered at once        ${fmt(burstEventsPerSecond, 0)} events/s end to end (API process, worker, Postgres and Redis on the same 2 cores)`,
      `runtime: trigger-to-finished (1 agent)     p50 ${fmt(latency.p50)} ms  p99 ${fmt(latency.p99)} ms  | floor add-to-completed p50 ${fmt(floor.latency.p50)} ms p99 ${fmt(floor.latency.p99)} ms  | p50 ratio ${fmt(latency.p50 / floor.latency.p50)}x  (startRun alone p50 ${fmt(startLatency.p50)} ms)`,
    );
  } finally {
    await stopProcess(worker);
    await subscriber.quit();
    await getRunsQueue().obliterate({ force: true }).catch(() => undefined);
    // Not getRunsQueue().close(): the next part of the bench, in this process, must get a new queue.
    await closeRunsQueue();
    await closeRedis();
    await db.workspace.delete({ where: { id: workspaceId } }).catch(() => undefined);
    await closeDb();
    await demo.close();
  }
  return lines;
}

// `tsx scripts/bench-runtime.ts` runs this part alone (bench.ts starts it that way).
runAloneIfMain(import.meta.url, () => benchRuntime(ROOT));
