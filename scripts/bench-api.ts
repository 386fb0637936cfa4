/**
 * Public API benchmark (part of `npm run bench -- api`): the sync trigger as an integrator uses
 * it — 10 concurrent callers, each POSTing `/api/v1/workflows/:id/trigger?wait=30` with an API
 * key and waiting for the answer, then the next — for DURATION_MS, against the production app
 * and a real worker (`withApp` in bench.ts). Two workflows: trigger → output, and trigger →
 * agent (demo model) → output.
 *
 * The floor, measured in the same run on the same Redis: a raw BullMQ round trip at the same
 * concurrency (add a job, wait until a worker that does nothing has completed it). A sync run
 * is at least one such round trip, plus Postgres and HTTP; the ratio says how close we are.
 * Targets (issue 11): trigger → output ≥ 315 runs/s with p50 ≤ 20 ms; with an agent ≥ 150 runs/s.
 *
 * Beside each figure, what a measured run cost: CPU by process (web, worker, Postgres, Redis,
 * this bench process) and the work Postgres and Redis counted. On a 2-core machine the sum of CPU per
 * run is what bounds runs/s, and these figures move less than runs/s between runs.
 */
import http from "node:http";
import { readdirSync, readFileSync } from "node:fs";
import { Queue, QueueEvents, Worker } from "bullmq";
import { Redis } from "ioredis";
import { getDb } from "../server/db";
import { getEnv } from "../server/env";
import { newId } from "../server/ids";
import { createApiKey } from "../server/auth/api-keys";
import { createWorkflow } from "../server/workflows/workflows";
import { publishVersion } from "../server/workflows/versions";
import { redisConnection } from "../server/queue";
import { createNode, GRAPH_SCHEMA_VERSION, type Graph } from "../server/engine/graph";

const CALLERS = 10;
const DURATION_MS = 20_000;
/**
 * Load before each measured phase, not counted. Long enough for V8 to optimize the path: the
 * worker idles through the trigger → output phase, and with 2 s the agent phase measured it
 * while it was still compiling (the same agent phase run twice in a row: 85 then 118 runs/s,
 * 20.6 then 14.3 ms of CPU per run).
 */
const WARM_UP_MS = 8_000;

type Figures = { perSecond: number; p50: number; p99: number; runs: number; failures: number; firstFailure: string | null; notes: string[] };

/** Started after the warm-up; given the runs measured, says what they cost (lines of the report). */
type CostMeter = () => Promise<(runs: number) => Promise<string[]>>;

/**
 * What a run costs the stores, counted by Postgres and Redis themselves: transactions (each
 * statement outside a transaction is one), rows inserted and updated, and Redis commands by
 * name. Unlike runs/s these counts do not depend on how busy the machine is, so a change that
 * adds a round trip shows up here even when the throughput figure is noisy.
 */
type StoreCounts = { transactions: number; inserted: number; updated: number; redis: Map<string, number> };

async function storeCounts(redis: Redis): Promise<StoreCounts> {
  const [row] = await getDb().$queryRaw<{ transactions: bigint; inserted: bigint; updated: bigint }[]>`
    SELECT xact_commit + xact_rollback AS transactions, tup_inserted AS inserted, tup_updated AS updated
    FROM pg_stat_database WHERE datname = current_database()`;
  const redisCounts = new Map<string, number>();
  for (const line of (await redis.info("commandstats")).split("\n")) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (match?.[1] && match[2]) redisCounts.set(match[1], Number(match[2]));
  }
  return { transactions: Number(row?.transactions ?? 0), inserted: Number(row?.inserted ?? 0), updated: Number(row?.updated ?? 0), redis: redisCounts };
}

/** The app's processes, as bench.ts started them. */
export type AppProcesses = { webPid: number; workerPid: number };

/**
 * CPU time (ms) each part has used so far: the web and worker processes, every Postgres and
 * Redis process, and this process (the callers, and the demo model the agent workflow calls). Like the store counts, CPU per run is steadier
 * than runs/s on a shared machine, and it says which part a run's cost is in.
 */
type CpuTimes = { web: number; worker: number; postgres: number; redis: number; bench: number };

const TICK_MS = 10; // USER_HZ is 100 on Linux

function cpuMsOf(pid: number | string): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0; // the process ended
  }
}

function cpuMsOfCommand(command: string): number {
  let total = 0;
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() === command) total += cpuMsOf(pid);
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

function cpuTimes(app: AppProcesses): CpuTimes {
  const own = process.cpuUsage();
  return {
    web: cpuMsOf(app.webPid),
    worker: cpuMsOf(app.workerPid),
    postgres: cpuMsOfCommand("postgres"),
    redis: cpuMsOfCommand("redis-server"),
    bench: (own.user + own.system) / 1000,
  };
}

function describeCpu(before: CpuTimes, after: CpuTimes, runs: number): string {
  const parts = (Object.keys(before) as (keyof CpuTimes)[]).map((part) => [part, (after[part] - before[part]) / runs] as const);
  const total = parts.reduce((sum, [, ms]) => sum + ms, 0);
  return `CPU per run ${total.toFixed(2)} ms: ${parts.map(([part, ms]) => `${part} ${ms.toFixed(2)}`).join(", ")}`;
}

/** Per run, between two counts; the Redis commands of the stats query itself are left out. */
function describeStoreWork(before: StoreCounts, after: StoreCounts, runs: number): string {
  const per = (value: number) => (runs > 0 ? (value / runs).toFixed(1) : "NaN");
  const redisPerRun = [...after.redis]
    .filter(([name]) => name !== "info")
    .map(([name, calls]) => [name, calls - (before.redis.get(name) ?? 0)] as const)
    .filter(([, calls]) => calls > 0)
    .sort((a, b) => b[1] - a[1]);
  const redisTotal = redisPerRun.reduce((sum, [, calls]) => sum + calls, 0);
  const top = redisPerRun.slice(0, Number(process.env.BENCH_REDIS_TOP ?? 6)).map(([name, calls]) => `${name} ${per(calls)}`).join(", ");
  return `per run: ${per(after.transactions - before.transactions)} Postgres transactions (${per(after.inserted - before.inserted)} rows inserted, ${per(after.updated - before.updated)} updated), ${per(redisTotal)} Redis commands (${top})`;
}

function percentile(sorted: number[], fraction: number): number {
  return sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN);
}

/** `CALLERS` loops of `once` for `durationMs` (after a warm-up that is not counted). */
async function closedLoop(once: () => Promise<string | null>, meter?: CostMeter, durationMs = DURATION_MS): Promise<Figures> {
  const warmUntil = Date.now() + WARM_UP_MS;
  while (Date.now() < warmUntil) await Promise.all(Array.from({ length: CALLERS }, () => once()));
  const metered = await meter?.();
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | null = null;
  const started = performance.now();
  const end = Date.now() + durationMs;
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (Date.now() < end) {
        const at = performance.now();
        const failure = await once();
        if (failure === null) latencies.push(performance.now() - at);
        else {
          failures += 1;
          firstFailure ??= failure;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const runs = latencies.length + failures;
  const notes = metered ? await metered(runs) : [];
  latencies.sort((a, b) => a - b);
  return { perSecond: latencies.length / seconds, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), runs, failures, firstFailure, notes };
}

/** The floor: BullMQ add → completed by a worker that does nothing, awaited by the caller. */
async function bullmqRoundTrip(): Promise<Figures> {
  const name = `bench-floor-${Date.now()}`;
  const prefix = getEnv().QUEUE_PREFIX;
  const queue = new Queue(name, { connection: redisConnection(), prefix });
  const events = new QueueEvents(name, { connection: redisConnection(), prefix });
  const worker = new Worker(name, async () => "done", { connection: redisConnection(), prefix, concurrency: CALLERS });
  await Promise.all([events.waitUntilReady(), worker.waitUntilReady()]);
  try {
    return await closedLoop(async () => {
      // Kept a while: waitUntilFinished reads the finished job back (obliterated at the end).
      const job = await queue.add("noop", {}, { removeOnComplete: { count: 10_000 }, removeOnFail: { count: 10_000 } });
      await job.waitUntilFinished(events, 30_000);
      return null;
    });
  } finally {
    await worker.close();
    await events.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}

/** trigger → output, or trigger → agent (default model: the demo) → output. */
export function graphOf(withAgent: boolean): Graph {
  const nodes = [createNode("trigger", "trigger", { x: 0, y: 0 }), createNode("output", "output", { x: 560, y: 0 })];
  if (withAgent) nodes.splice(1, 0, createNode("agent", "agent", { x: 280, y: 0 }));
  const ids = nodes.map((node) => node.id);
  return {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes,
    edges: ids.slice(1).map((target, index) => ({ id: `e-${ids[index]}-${target}`, source: ids[index] ?? "", target, sourceHandle: null, targetHandle: null })),
  };
}

/**
 * The callers share the machine with the app, so they use node:http on kept-alive connections:
 * `fetch` (WHATWG streams over undici) costs about a millisecond of CPU per call here, which
 * would be taken from the server being measured.
 */
function postJson(agent: http.Agent, url: URL, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: "POST", agent, headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end(body);
  });
}

async function syncTrigger(baseUrl: string, workflowId: string, key: string, meter: CostMeter): Promise<Figures> {
  const url = new URL(`${baseUrl}/api/v1/workflows/${workflowId}/trigger?wait=30`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CALLERS });
  try {
    return await closedLoop(async () => {
      const response = await postJson(agent, url, { authorization: `Bearer ${key}` }, '{"input":{"topic":"bench"}}');
      const body = JSON.parse(response.text) as { status?: string; error?: { message?: string } };
      if (response.status === 200 && body.status === "succeeded") return null;
      return `${response.status} ${body.status ?? body.error?.message ?? ""}`;
    }, meter);
  } finally {
    agent.destroy();
  }
}

const round = (value: number) => (Number.isFinite(value) ? Math.round(value * 10) / 10 : NaN);
const ratio = (value: number) => (Number.isFinite(value) ? value.toFixed(3) : "NaN");
const describe = (figures: Figures) =>
  `${round(figures.perSecond)} runs/s, p50 ${round(figures.p50)} ms, p99 ${round(figures.p99)} ms${figures.failures ? `, ${figures.failures} failed (first: ${figures.firstFailure})` : ""}`;

/** Needs the production app and a worker at `baseUrl`, started with a run-start limit the bench cannot reach. */
export async function benchApi(baseUrl: string, app: AppProcesses): Promise<string[]> {
  const db = getDb();
  const workspaceId = newId("ws");
  await db.workspace.create({ data: { id: workspaceId, name: "Bench API" } });
  const redis = new Redis(getEnv().REDIS_URL);
  try {
    const access = { workspaceId, actor: { kind: "system" as const, name: "bench" }, ip: null };
    const { token } = await createApiKey(db, access, { name: "bench", scopes: ["trigger"] });
    const workflows: Record<"plain" | "agent", string> = { plain: "", agent: "" };
    for (const kind of ["plain", "agent"] as const) {
      const { id } = await createWorkflow(db, workspaceId, { name: `bench ${kind}`, graph: graphOf(kind === "agent") });
      await publishVersion(db, workspaceId, id);
      workflows[kind] = id;
    }
    const floor = await bullmqRoundTrip();
    // What the measured runs cost: CPU by process, and the work Postgres and Redis did.
    const meter: CostMeter = async () => {
      const [cpuBefore, storesBefore] = [cpuTimes(app), await storeCounts(redis)];
      return async (runs) => [describeCpu(cpuBefore, cpuTimes(app), runs), describeStoreWork(storesBefore, await storeCounts(redis), runs)];
    };
    const plain = await syncTrigger(baseUrl, workflows.plain, token, meter);
    const agent = await syncTrigger(baseUrl, workflows.agent, token, meter);
    return [
      `api: floor, raw BullMQ add → completed at ${CALLERS} callers: ${round(floor.perSecond)} jobs/s, p50 ${round(floor.p50)} ms`,
      `api: sync trigger → output, ${CALLERS} callers ${DURATION_MS / 1000} s: ${describe(plain)} — ratio to the floor ${ratio(plain.perSecond / floor.perSecond)} (aim ≥ 315 runs/s, p50 ≤ 20 ms)`,
      ...plain.notes.map((note) => `api:   ${note}`),
      `api: sync trigger → agent (demo) → output: ${describe(agent)} — ratio to the floor ${ratio(agent.perSecond / floor.perSecond)} (aim ≥ 150 runs/s)`,
      ...agent.notes.map((note) => `api:   ${note}`),
    ];
  } finally {
    redis.disconnect();
    await db.workspace.delete({ where: { id: workspaceId } }).catch(() => undefined);
  }
}
