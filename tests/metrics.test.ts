import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitForRun, waitUntil, type Harness } from "./support/harness";
import { startWorkerProcess, waitForOutput } from "./support/worker-process";
import { createTestApiKey } from "./support/identities";
import { testAccess, testRunScope, testWorkspace } from "./support/workspace";
import { approvalGraph } from "./support/graphs";
import * as metricsRoute from "../app/api/metrics/route";
import type { Db } from "../server/db";
import { buildGraph } from "../server/engine/test-helpers";
import { DEMO_MODEL_NAME } from "../server/llm/demo-model";
import { setModelPrice } from "../server/llm/model-prices";
import { newId } from "../server/ids";
import { listLiveWorkers } from "../server/ops/workers";
import { getRunEvents } from "../server/runs/queries";
import { startRun } from "../server/runs/start-run";
import { createWorkflow } from "../server/workflows/workflows";

/**
 * GET /api/metrics against the real stores and a real workers/main.ts process: a run's
 * counters and histograms move by exactly what its committed log says, the worker's series
 * arrive through Redis labelled with its id, the scrape-time gauges (queue, workers, human
 * tasks) are there, and the route is never open.
 */

const METRICS_TOKEN = `metrics-${newId("tok")}`;
let harness: Harness;
let db: Db;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  // No in-process worker: every worker series must come from the child process, through Redis.
  harness = await startHarness({ worker: false, env: { METRICS_TOKEN } });
  db = harness.db;
  const worker = startWorkerProcess(workers);
  await waitForOutput(worker, "[worker] ready");
}, 30_000);

afterAll(async () => {
  for (const worker of workers.splice(0)) worker.kill("SIGKILL");
  await harness?.stop();
});

async function scrape(bearer: string | null): Promise<Response> {
  const headers = new Headers(bearer === null ? {} : { authorization: `Bearer ${bearer}` });
  return metricsRoute.GET(new Request("http://localhost:3100/api/metrics", { headers }));
}

async function scrapeText(bearer = METRICS_TOKEN): Promise<string> {
  const response = await scrape(bearer);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain");
  return response.text();
}

type Sample = { name: string; labels: Record<string, string>; value: number };

/** The samples of Prometheus text exposition (what a scraper parses). */
function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1] as string] = pair[2] as string;
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of `name` over the samples whose labels include `labels`. */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}

function matching(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

describe("GET /api/metrics", () => {
  it("is never open: 401 without a credential, 403 for a key without the metrics scope, 200 with the token or a metrics key", async () => {
    const workspaceId = await testWorkspace(db);
    expect((await scrape(null)).status).toBe(401);
    expect((await scrape("not-the-token-at-all")).status).toBe(401);
    expect((await scrape(`${METRICS_TOKEN}x`)).status).toBe(401);
    const revoked = await createTestApiKey(db, workspaceId, ["metrics"], "revoked metrics");
    await db.apiKey.update({ where: { id: revoked.id }, data: { revokedAt: new Date() } });
    expect((await scrape(revoked.token)).status).toBe(401);
    const unauthorized = await scrape(null);
    expect(await unauthorized.json()).toMatchObject({ error: { code: "unauthorized" } });
    for (const scopes of [["read"], ["admin"], ["trigger", "control"]] as const) {
      const key = await createTestApiKey(db, workspaceId, [...scopes]);
      const response = await scrape(key.token);
      expect(response.status, scopes.join("+")).toBe(403);
      expect(await response.json()).toMatchObject({ error: { code: "forbidden" } });
    }
    expect((await scrape(METRICS_TOKEN)).status).toBe(200);
    expect((await scrape((await createTestApiKey(db, workspaceId, ["metrics"])).token)).status).toBe(200);
  });

  it("moves run, step, model, token, cost and tool series by exactly what a run committed, through the worker's push", async () => {
    const workspaceId = await testWorkspace(db);
    // A price for the demo model in this workspace, so the cost counter has something to count.
    await setModelPrice(db, await testAccess(db), { model: DEMO_MODEL_NAME, inputPerMTok: 3, outputPerMTok: 15 });
    const task = ['Write the plan down.', '#demo:call:write_file {"path":"plan.md","content":"ship it"}'].join("\n");
    const graph = buildGraph([["trigger", "trigger"], ["dev", "agent", { task, allowedTools: ["write_file"] }], ["out", "output"]], [["trigger", "dev"], ["dev", "out"]]);
    const { id: workflowId } = await createWorkflow(db, workspaceId, { name: `metrics ${Date.now()}`, graph });
    const ours = { workspace: workspaceId, workflow: workflowId };

    const before = parseSamples(await scrapeText());
    const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId, input: {}, trigger: "manual" });
    const run = await waitForRun(db, runId, ["succeeded", "failed"]);
    expect(run.status).toBe("succeeded");

    // The worker pushes every few seconds: wait for the snapshot that has the run's end.
    let after: Sample[] = [];
    await waitUntil(async () => {
      after = parseSamples(await scrapeText());
      return total(after, "agentflow_runs_finished_total", ours) === 1;
    }, "the worker's pushed snapshot to show the finished run", 15_000);
    const delta = (name: string, labels: Record<string, string>) => total(after, name, labels) - total(before, name, labels);

    const events = await getRunEvents(db, runId);
    const responses = events.flatMap((event) => (event.type === "llm_response" ? [event] : []));
    // A step's duration is observed for each node that started and finished in the log.
    const started = new Set(events.flatMap((event) => (event.type === "node_started" ? [event.nodeId] : [])));
    const nodeEnds = events.filter((event) => event.type === "node_finished" && started.has(event.nodeId));
    expect(responses.length).toBeGreaterThanOrEqual(2); // the tool call, then complete_task's answer

    // Started in this (web) process; everything else committed by the worker, labelled with its id.
    expect(delta("agentflow_runs_started_total", { ...ours, trigger: "manual" })).toBe(1);
    const [workerId] = matching(after, "agentflow_runs_finished_total", ours).map((s) => s.labels.worker);
    expect((await listLiveWorkers()).map((w) => w.id)).toContain(workerId);
    const fromWorker = { ...ours, worker: workerId as string };
    expect(delta("agentflow_runs_finished_total", { ...fromWorker, status: "succeeded" })).toBe(1);

    expect(delta("agentflow_run_duration_seconds_count", { ...fromWorker, status: "succeeded" })).toBe(1);
    const runSeconds = ((run.finishedAt?.getTime() ?? 0) - (run.startedAt?.getTime() ?? 0)) / 1_000;
    expect(delta("agentflow_run_duration_seconds_sum", { ...fromWorker, status: "succeeded" })).toBeCloseTo(runSeconds, 3);
    // The run took under 10 s: it is in the 10 s bucket and every larger one.
    expect(delta("agentflow_run_duration_seconds_bucket", { ...fromWorker, le: "10" })).toBe(1);
    expect(delta("agentflow_run_duration_seconds_bucket", { ...fromWorker, le: "+Inf" })).toBe(1);

    // The trigger's step is committed with the run's start (this process), the others by the worker.
    expect(delta("agentflow_step_duration_seconds_count", { ...ours, outcome: "succeeded" })).toBe(nodeEnds.length);

    const model = { workspace: workspaceId, worker: workerId as string, provider: responses[0]?.provider as string, model: DEMO_MODEL_NAME };
    expect(delta("agentflow_model_call_duration_seconds_count", { ...model, outcome: "ok" })).toBe(responses.length);
    expect(delta("agentflow_model_call_duration_seconds_sum", { ...model, outcome: "ok" })).toBeCloseTo(responses.reduce((sum, r) => sum + r.latencyMs / 1_000, 0), 6);
    expect(delta("agentflow_model_tokens_total", { ...model, kind: "prompt" })).toBe(responses.reduce((sum, r) => sum + r.usage.promptTokens, 0));
    expect(delta("agentflow_model_tokens_total", { ...model, kind: "completion" })).toBe(responses.reduce((sum, r) => sum + r.usage.completionTokens, 0));
    expect(run.costUsd).toBeGreaterThan(0);
    expect(delta("agentflow_model_cost_usd_total", model)).toBeCloseTo(run.costUsd, 9);

    expect(delta("agentflow_tool_calls_total", { workspace: workspaceId, worker: workerId as string, tool: "write_file", outcome: "ok" })).toBe(1);
    expect(delta("agentflow_tool_calls_total", { workspace: workspaceId, outcome: "error" })).toBe(0);

    // Per process: the web's own process metrics (no worker label) and the worker's.
    expect(matching(after, "nodejs_eventloop_lag_seconds").some((s) => s.labels.worker === undefined)).toBe(true);
    expect(matching(after, "nodejs_eventloop_lag_seconds", { worker: workerId as string })).toHaveLength(1);
    expect(matching(after, "process_resident_memory_bytes", { worker: workerId as string })).toHaveLength(1);
    // No run id is ever a label value.
    expect(after.some((s) => Object.values(s.labels).includes(runId))).toBe(false);
  });

  it("reads the queue, live workers and pending human tasks from the stores at scrape time", async () => {
    const workspaceId = await testWorkspace(db);
    const { id: workflowId } = await createWorkflow(db, workspaceId, { name: `metrics gate ${Date.now()}`, graph: approvalGraph() });
    const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId, input: { topic: "metrics" }, trigger: "manual" });
    await waitForRun(db, runId, ["waiting_for_human"]);
    const task = await db.humanTask.findFirstOrThrow({ where: { runId, status: "pending" } });
    const pendingInWorkspace = await db.humanTask.count({ where: { status: "pending", run: { workspaceId } } });

    const samples = parseSamples(await scrapeText());
    expect(total(samples, "agentflow_human_tasks_pending", { workspace: workspaceId })).toBe(pendingInWorkspace);
    const oldestAge = total(samples, "agentflow_human_task_oldest_pending_age_seconds", { workspace: workspaceId });
    expect(oldestAge).toBeGreaterThanOrEqual((Date.now() - task.createdAt.getTime()) / 1_000 - 1);
    expect(oldestAge).toBeLessThan(120);

    const live = await listLiveWorkers();
    expect(total(samples, "agentflow_workers_alive")).toBe(live.length);
    for (const worker of live) expect(total(samples, "agentflow_worker_last_heartbeat_timestamp_seconds", { worker: worker.id })).toBe(Date.parse(worker.lastBeatAt) / 1_000);
    for (const state of ["waiting", "active", "delayed", "failed"]) expect(matching(samples, "agentflow_queue_jobs", { queue: "runs", state }), state).toHaveLength(1);
    for (const source of ["queue", "postgres", "workers"]) expect(total(samples, "agentflow_metrics_source_up", { source })).toBe(1);
  });

  it("shows a workspace's metrics key only series without tenant data and its own workspace's", async () => {
    const workspaceId = await testWorkspace(db);
    const otherWorkspaceId = newId("ws");
    await db.workspace.create({ data: { id: otherWorkspaceId, name: "other metrics workspace" } });
    const ownKey = await createTestApiKey(db, workspaceId, ["metrics"]);
    const otherKey = await createTestApiKey(db, otherWorkspaceId, ["metrics"]);

    const everything = parseSamples(await scrapeText());
    expect(everything.some((s) => s.labels.workspace === workspaceId)).toBe(true);

    const own = parseSamples(await scrapeText(ownKey.token));
    expect(own.some((s) => s.labels.workspace === workspaceId)).toBe(true);
    expect(own.every((s) => s.labels.workspace === undefined || s.labels.workspace === workspaceId)).toBe(true);

    const other = parseSamples(await scrapeText(otherKey.token));
    expect(other.some((s) => s.labels.workspace !== undefined)).toBe(false);
    // What carries no tenant data is there for both: the queue, the workers, the processes.
    expect(matching(other, "agentflow_queue_jobs").length).toBeGreaterThan(0);
    expect(total(other, "agentflow_workers_alive")).toBeGreaterThanOrEqual(1);
    expect(matching(other, "nodejs_eventloop_lag_seconds").length).toBeGreaterThan(0);
  });

  it("drops a worker's series when it shuts down cleanly", async () => {
    const [worker] = workers;
    const [live] = await listLiveWorkers();
    expect(live).toBeDefined();
    const exited = new Promise((resolve) => worker?.once("exit", resolve));
    worker?.kill("SIGTERM");
    await exited;
    const samples = parseSamples(await scrapeText());
    expect(samples.some((s) => s.labels.worker === live?.id)).toBe(false);
    expect(total(samples, "agentflow_workers_alive")).toBe(0);
  });
});
