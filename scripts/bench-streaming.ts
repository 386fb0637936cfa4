/**
 * Live tokens benchmark (`npm run bench -- streaming`): the time to first token a viewer of a
 * run sees, against the model's own.
 *  - the floor: a client streaming straight from the demo model (the official `openai` client,
 *    `stream: true`), from sending the request to the first delta;
 *  - through AgentFlow: a run whose agent asks the same model the same question; an SSE client
 *    of the run's event stream (the route's handler, with an API key, on the real Redis hub)
 *    is connected before the model answers; from the moment the demo model receives the
 *    worker's request to the first `token` frame the client reads.
 * The added latency is the second minus the floor's median: the worker's stream parsing, the
 * Redis publish, the web process's hub, the SSE write. The model waits 200 ms, then types a
 * word every 10 ms (`#demo:slow`, `#demo:drip`), both included in both figures.
 * Runs in a process of its own (it sets its queue prefix and needs `--conditions=react-server`
 * for the route's server-only modules). Needs DATABASE_URL and REDIS_URL.
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import OpenAI from "openai";
import { summarize } from "./bench-runtime";
import { startDemoModelServer } from "../server/llm/serve-demo-model";
import { runAloneIfMain } from "./lib/run-alone";

const SAMPLES = 30;
const WARMUP = 3;
const TASK = "Summarise the harbour master's report on the spring tides #demo:slow:200 #demo:drip:10";

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "n/a");

/** Time from `started` to the first `event: token` frame of the SSE body. */
async function firstTokenFrame(body: ReadableStream<Uint8Array>): Promise<number> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) throw new Error("the run stream ended before a token");
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (/^event: token$/m.test(frame)) return performance.now();
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

export async function benchStreaming(): Promise<string[]> {
  let lastModelRequestAt = 0;
  const demo = await startDemoModelServer({
    onRequest: (method, path) => {
      if (method === "POST" && path.endsWith("/chat/completions")) lastModelRequestAt = performance.now();
    },
  });
  process.env.DEMO_MODEL_URL = demo.baseUrl;
  process.env.QUEUE_PREFIX = `bench-streaming-${randomBytes(3).toString("hex")}`;
  process.env.APP_URL ??= "http://localhost:3000";
  // Imported after the env is set: these modules read it lazily but cache it.
  const { getDb, closeDb } = await import("../server/db");
  const { closeRedis } = await import("../server/events");
  const { getRunsQueue } = await import("../server/queue");
  const { newId } = await import("../server/ids");
  const { createWorkflow } = await import("../server/workflows/workflows");
  const { createApiKey } = await import("../server/auth/api-keys");
  const { buildGraph } = await import("../server/engine/test-helpers");
  const { startRun } = await import("../server/runs/start-run");
  const { createRunWorker } = await import("../server/runs/worker");
  const { closeRunEventHub } = await import("../server/streams/run-event-hub");
  const { default: runEventsRoute } = await import("../pages/api/runs/[runId]/events");
  // The run events route (a node handler, pages/api) on loopback, read over HTTP as a browser does.
  const eventsServer = http.createServer((req, res) => void runEventsRoute(req, res));
  await new Promise<void>((resolve) => eventsServer.listen(0, "127.0.0.1", resolve));
  const eventsOrigin = `http://127.0.0.1:${(eventsServer.address() as AddressInfo).port}`;

  const db = getDb();
  const worker = createRunWorker(db, { concurrency: 2 });
  await worker.waitUntilReady();
  const workspaceId = newId("ws");
  try {
    // The floor: the model's own time to first token, seen by a client streaming from it.
    const client = new OpenAI({ baseURL: demo.baseUrl, apiKey: "demo", maxRetries: 0 });
    const direct: number[] = [];
    for (let i = 0; i < WARMUP + SAMPLES; i += 1) {
      const started = performance.now();
      const stream = await client.chat.completions.create({
        model: "agentflow-demo-1",
        messages: [{ role: "user", content: `${TASK} (${i})` }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let first: number | undefined;
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta;
        if (first === undefined && (delta?.content || delta?.tool_calls?.length)) first = performance.now() - started;
      }
      if (i >= WARMUP && first !== undefined) direct.push(first);
    }

    // Through a run and its event stream.
    await db.workspace.create({ data: { id: workspaceId, name: "bench streaming" } });
    const system = { workspaceId, actor: { kind: "system" as const, name: "bench" }, ip: null };
    const key = await createApiKey(db, system, { name: "bench viewer", scopes: ["read"] });
    const viaRun: number[] = [];
    for (let i = 0; i < WARMUP + SAMPLES; i += 1) {
      const graph = buildGraph(
        [["trigger", "trigger"], ["writer", "agent", { task: `${TASK} (${i})` }], ["out", "output"]],
        [["trigger", "writer"], ["writer", "out"]],
      );
      const { id: workflowId } = await createWorkflow(db, workspaceId, { name: `bench streaming ${i}`, graph });
      const { runId } = await startRun(db, { workspaceId, workflowId, input: {}, trigger: "manual", startedBy: "bench" });
      const abort = new AbortController();
      const response = await fetch(`${eventsOrigin}/api/runs/${runId}/events`, { headers: { authorization: `Bearer ${key.token}` }, signal: abort.signal });
      if (response.status !== 200 || !response.body) throw new Error(`the run stream answered ${response.status}`);
      const tokenAt = await firstTokenFrame(response.body);
      abort.abort();
      if (i >= WARMUP) viaRun.push(tokenAt - lastModelRequestAt);
      // One run at a time, so the model's last request is this run's.
      for (let waited = 0; waited < 10_000; waited += 25) {
        const run = await db.run.findUniqueOrThrow({ where: { id: runId }, select: { status: true } });
        if (run.status === "succeeded" || run.status === "failed") break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }

    const floor = summarize(direct);
    const seen = summarize(viaRun);
    const added = summarize(viaRun.map((ms) => ms - floor.p50));
    return [
      `streaming: time to first token, demo model direct p50 ${fmt(floor.p50)} ms p99 ${fmt(floor.p99)} ms | run stream (SSE token) p50 ${fmt(seen.p50)} ms p99 ${fmt(seen.p99)} ms | added by AgentFlow p50 ${fmt(added.p50)} ms p99 ${fmt(added.p99)} ms  (n=${SAMPLES}; the model waits 200 ms, then a word every 10 ms)`,
    ];
  } finally {
    eventsServer.closeAllConnections();
    eventsServer.close();
    await worker.close();
    await getRunsQueue().obliterate({ force: true }).catch(() => undefined);
    await getRunsQueue().close();
    await db.workspace.delete({ where: { id: workspaceId } }).catch(() => undefined);
    await closeRunEventHub();
    await closeRedis();
    await closeDb();
    await demo.close();
  }
}

// `tsx scripts/bench-streaming.ts` runs this part alone (bench.ts starts it that way).
runAloneIfMain(import.meta.url, benchStreaming);
