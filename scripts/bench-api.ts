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
 */
import http from "node:http";
import { Queue, QueueEvents, Worker } from "bullmq";
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
const WARM_UP_MS = 2_000;

type Figures = { perSecond: number; p50: number; p99: number; failures: number; firstFailure: string | null };

function percentile(sorted: number[], fraction: number): number {
  return sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN);
}

/** `CALLERS` loops of `once` for `durationMs` (after a warm-up that is not counted). */
async function closedLoop(once: () => Promise<string | null>, durationMs = DURATION_MS): Promise<Figures> {
  const warmUntil = Date.now() + WARM_UP_MS;
  while (Date.now() < warmUntil) await Promise.all(Array.from({ length: CALLERS }, () => once()));
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
  latencies.sort((a, b) => a - b);
  return { perSecond: latencies.length / seconds, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), failures, firstFailure };
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

async function syncTrigger(baseUrl: string, workflowId: string, key: string): Promise<Figures> {
  const url = new URL(`${baseUrl}/api/v1/workflows/${workflowId}/trigger?wait=30`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CALLERS });
  try {
    return await closedLoop(async () => {
      const response = await postJson(agent, url, { authorization: `Bearer ${key}` }, '{"input":{"topic":"bench"}}');
      const body = JSON.parse(response.text) as { status?: string; error?: { message?: string } };
      if (response.status === 200 && body.status === "succeeded") return null;
      return `${response.status} ${body.status ?? body.error?.message ?? ""}`;
    });
  } finally {
    agent.destroy();
  }
}

const round = (value: number) => (Number.isFinite(value) ? Math.round(value * 10) / 10 : NaN);
const ratio = (value: number) => (Number.isFinite(value) ? value.toFixed(3) : "NaN");
const describe = (figures: Figures) =>
  `${round(figures.perSecond)} runs/s, p50 ${round(figures.p50)} ms, p99 ${round(figures.p99)} ms${figures.failures ? `, ${figures.failures} failed (first: ${figures.firstFailure})` : ""}`;

/** Needs the production app and a worker at `baseUrl`, started with a run-start limit the bench cannot reach. */
export async function benchApi(baseUrl: string): Promise<string[]> {
  const db = getDb();
  const workspaceId = newId("ws");
  await db.workspace.create({ data: { id: workspaceId, name: "Bench API" } });
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
    const plain = await syncTrigger(baseUrl, workflows.plain, token);
    const agent = await syncTrigger(baseUrl, workflows.agent, token);
    return [
      `api: floor, raw BullMQ add → completed at ${CALLERS} callers: ${round(floor.perSecond)} jobs/s, p50 ${round(floor.p50)} ms`,
      `api: sync trigger → output, ${CALLERS} callers ${DURATION_MS / 1000} s: ${describe(plain)} — ratio to the floor ${ratio(plain.perSecond / floor.perSecond)} (aim ≥ 315 runs/s, p50 ≤ 20 ms)`,
      `api: sync trigger → agent (demo) → output: ${describe(agent)} — ratio to the floor ${ratio(agent.perSecond / floor.perSecond)} (aim ≥ 150 runs/s)`,
    ];
  } finally {
    await db.workspace.delete({ where: { id: workspaceId } }).catch(() => undefined);
  }
}
