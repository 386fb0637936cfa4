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
import { Queue, QueueEvents, Worker } from "bullmq";
import { Redis } from "ioredis";
import { startDemoModelServer } from "../server/llm/serve-demo-model";

export type Summary = { p50: number; p99: number; mean: number; n: number };

export function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  const mean = sorted.reduce((sum, x) => sum + x, 0) / Math.max(1, sorted.length);
  return { p50: at(0.5), p99: at(0.99), mean, n: sorted.length };
}

const fmt = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : "n/a");

function startWorkerProcess(root: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...(process.env.BENCH_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : []), "--import", "tsx", "workers/main.ts"], {
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
  const { getDb } = await import("../server/db");
  const { createRunWorker } = await import("../server/runs/worker");
  const { startRun } = await import("../server/runs/start-run");
  const { createWorkflow } = await import("../server/workflows/workflows");
  const { starterGraph } = await import("../server/engine/graph");
  const { getRunsQueue } = await import("../server/queue");
  const { runChannel, closePublisher } = await import("../server/events");
  const db = getDb();
  const redisUrl = process.env.REDIS_URL as string;
  const lines: string[] = [];

  const floor = await measureFloor(redisUrl, 2_000, 200);

  const { id: workflowId } = await createWorkflow(db, { name: "bench one-step", graph: starterGraph() });
  const subscriber = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const finished = new Map<string, () => void>();
  await subscriber.psubscribe(runChannel("*"));
  subscriber.on("pmessage", (_pattern, channel: string, message: string) => {
    if (!message.includes('"run_finished"')) return;
    const runId = channel.slice(channel.lastIndexOf(":") + 1);
    finished.get(runId)?.();
  });
  const runToEnd = async () => {
    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const started = performance.now();
    const { runId } = await startRun(db, { workflowId, input: { topic: "bench" }, trigger: "api" });
    finished.set(runId, resolveDone);
    await done;
    finished.delete(runId);
    return performance.now() - started;
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
    for (let i = 0; i < 100; i += 1) latencies.push(await runToEnd());
    const latency = summarize(latencies);

    const runs = 200;
    const before = await db.runStep.count();
    const started = performance.now();
    await Promise.all(Array.from({ length: runs }, () => runToEnd()));
    const seconds = (performance.now() - started) / 1000;
    const committed = (await db.runStep.count()) - before;
    const stepsPerSecond = committed / seconds;

    lines.push(
      `runtime: orchestration overhead per step   p50 ${fmt(overheadSummary.p50)} ms  p99 ${fmt(overheadSummary.p99)} ms  (n=${overheadSummary.n}; aim p50 <= 2 ms)`,
      `runtime: committed steps/s, 1 worker proc  ${fmt(stepsPerSecond, 0)} events/s  | floor no-op jobs/s ${fmt(floor.jobsPerSecond, 0)}  | ratio ${fmt(stepsPerSecond / floor.jobsPerSecond)} (aim >= 0.30)`,
      `runtime: trigger-to-finished (1 agent)     p50 ${fmt(latency.p50)} ms  p99 ${fmt(latency.p99)} ms  | floor add-to-completed p50 ${fmt(floor.latency.p50)} ms p99 ${fmt(floor.latency.p99)} ms  | p50 ratio ${fmt(latency.p50 / floor.latency.p50)}x`,
    );
  } finally {
    await stopProcess(worker);
    await subscriber.quit();
    await getRunsQueue().obliterate({ force: true }).catch(() => undefined);
    await getRunsQueue().close();
    await closePublisher();
    await db.$disconnect();
    await demo.close();
  }
  return lines;
}
