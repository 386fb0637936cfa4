import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitForRun, type Harness } from "./support/harness";
import { createTestApiKey, createTestUser, createWorkspaceWith } from "./support/identities";
import { createOpenApiResponseValidator, type OpenApiResponseValidator } from "./support/openapi-validator";
import { approvalGraph, outputOnlyGraph } from "./support/graphs";
import type { Db } from "../server/db";
import { buildGraph } from "../server/engine/test-helpers";
import { createWorkflow } from "../server/workflows/workflows";
import { publishVersion } from "../server/workflows/versions";
import { createTriggerToken } from "../server/workflows/trigger-tokens";
import { closeRunEventHub } from "../server/streams/run-event-hub";
import { buildOpenApiDocument } from "../server/http/openapi";
import * as workflowsRoute from "../app/api/v1/workflows/route";
import * as triggerRoute from "../app/api/v1/workflows/[workflowId]/trigger/route";
import * as runsRoute from "../app/api/v1/runs/route";
import * as runRoute from "../app/api/v1/runs/[runId]/route";
import * as runActionRoute from "../app/api/v1/runs/[runId]/[action]/route";
import * as tasksRoute from "../app/api/v1/human-tasks/route";
import * as taskRoute from "../app/api/v1/human-tasks/[taskId]/route";
import runEventsRoute from "../pages/api/runs/[runId]/events";
import { callNodeRoute } from "./support/node-route";
import * as openApiRoute from "../app/api/v1/openapi.json/route";
import * as healthRoute from "../app/api/health/route";
import * as readyRoute from "../app/api/ready/route";
import { startWorkerHeartbeat } from "../server/ops/heartbeat";

/**
 * Every REST route handler, called with real credentials against the real database and worker,
 * for its main success case and its errors: each JSON answer must match the OpenAPI document's
 * schema for that operation and status (ajv, JSON Schema 2020-12), and every status it gives must
 * be one the document lists. A mismatch fails naming the operation and ajv's error.
 */

const BASE = "http://localhost:3100";
const document = buildOpenApiDocument({ serverUrl: BASE });
let validator: OpenApiResponseValidator;
let harness: Harness;
let db: Db;
let workspaceId: string;
let adminKey: string;
let readKey: string;
let simpleWorkflowId: string;
let gatedWorkflowId: string;
let gatedToken: string;
/** operationId → statuses checked, to prove every operation was called for success and error. */
const seen = new Map<string, Set<number>>();

type Params = Record<string, string>;
const call = <P extends Params>(handler: (request: Request, context: { params: Promise<P> }) => Promise<Response>, params: P) => (request: Request) =>
  handler(request, { params: Promise.resolve(params) });

function request(path: string, init: { method?: string; token?: string | null; body?: unknown; headers?: Record<string, string> } = {}): Request {
  const headers = new Headers({ host: "localhost:3100", ...init.headers });
  const token = init.token === undefined ? adminKey : init.token;
  if (token) headers.set("authorization", `Bearer ${token}`);
  if (init.body !== undefined) headers.set("content-type", "application/json");
  return new Request(`${BASE}${path}`, { method: init.method ?? (init.body === undefined ? "GET" : "POST"), headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
}

/** Calls the handler, checks the status and that the JSON body matches the document; returns the body. */
async function expectConforming<T = Record<string, unknown>>(operationId: string, response: Response | Promise<Response>, status: number): Promise<T> {
  const answer = await response;
  const text = await answer.text();
  expect(answer.status, `${operationId}: ${text.slice(0, 300)}`).toBe(status);
  expect(answer.headers.get("content-type"), operationId).toMatch(/^application\/json/);
  const body = JSON.parse(text) as T;
  const problem = validator.check(operationId, status, body);
  if (problem) expect.fail(problem);
  if (!seen.has(operationId)) seen.set(operationId, new Set());
  seen.get(operationId)!.add(status);
  return body;
}

async function gatedRunWaiting(): Promise<string> {
  const { runId } = await expectConforming<{ runId: string }>(
    "triggerWorkflow",
    triggerRoute.POST(request(`/api/v1/workflows/${gatedWorkflowId}/trigger`, { body: { input: { topic: "conformance" } } }), { params: Promise.resolve({ workflowId: gatedWorkflowId }) }),
    202,
  );
  await waitForRun(db, runId, ["waiting_for_human"]);
  return runId;
}

async function finishedSimpleRun(): Promise<string> {
  const body = await expectConforming<{ runId: string; status: string }>(
    "triggerWorkflow",
    triggerRoute.POST(request(`/api/v1/workflows/${simpleWorkflowId}/trigger?wait=20`, { body: { input: { topic: "sync" } } }), { params: Promise.resolve({ workflowId: simpleWorkflowId }) }),
    200,
  );
  expect(body.status).toBe("succeeded");
  return body.runId;
}

const action = (runId: string, name: string, init: Parameters<typeof request>[1] = {}) =>
  runActionRoute.POST(request(`/api/v1/runs/${runId}/${name}`, { method: "POST", ...init }), { params: Promise.resolve({ runId, action: name }) });

beforeAll(async () => {
  harness = await startHarness();
  db = harness.db;
  validator = createOpenApiResponseValidator(document);
  const owner = await createTestUser("openapi owner");
  workspaceId = await createWorkspaceWith(db, "OpenAPI conformance", [{ user: owner, role: "owner" }]);
  adminKey = (await createTestApiKey(db, workspaceId, ["admin"])).token;
  readKey = (await createTestApiKey(db, workspaceId, ["read"])).token;
  const gate = buildGraph([["trigger", "trigger"], ["review", "human", { message: "Check {{input.topic}}" }], ["out", "output"]], [["trigger", "review"], ["review", "out", "approve"]]);
  simpleWorkflowId = (await createWorkflow(db, workspaceId, { name: "Simple", graph: outputOnlyGraph() })).id;
  gatedWorkflowId = (await createWorkflow(db, workspaceId, { name: "Gated", graph: gate })).id;
  // A workflow whose agent runs on the demo model: its events carry model messages and usage.
  const agentWorkflowId = (await createWorkflow(db, workspaceId, { name: "Agent", graph: approvalGraph() })).id;
  for (const id of [simpleWorkflowId, gatedWorkflowId, agentWorkflowId]) await publishVersion(db, workspaceId, id);
  gatedToken = (await createTriggerToken(db, { workspaceId, actor: { kind: "system", name: "conformance" }, ip: null }, gatedWorkflowId)).token;
  const { runId } = await expectConforming<{ runId: string }>(
    "triggerWorkflow",
    triggerRoute.POST(request(`/api/v1/workflows/${agentWorkflowId}/trigger`, { body: { input: { topic: "agents" } } }), { params: Promise.resolve({ workflowId: agentWorkflowId }) }),
    202,
  );
  await waitForRun(db, runId, ["waiting_for_human"]);
}, 60_000);

afterAll(async () => {
  await closeRunEventHub();
  await harness?.stop();
});

describe("every REST answer matches the OpenAPI document", () => {
  it("GET /api/v1/workflows", async () => {
    const { workflows } = await expectConforming<{ workflows: unknown[] }>("listWorkflows", workflowsRoute.GET(request("/api/v1/workflows")), 200);
    expect(workflows.length).toBeGreaterThanOrEqual(3);
    await expectConforming("listWorkflows", workflowsRoute.GET(request("/api/v1/workflows?status=active")), 400);
    await expectConforming("listWorkflows", workflowsRoute.GET(request("/api/v1/workflows", { token: null })), 401);
    await expectConforming("listWorkflows", workflowsRoute.GET(request("/api/v1/workflows", { token: gatedToken })), 403);
  });

  it("POST /api/v1/workflows/{workflowId}/trigger: async, sync finished, sync waiting, and its errors", async () => {
    await finishedSimpleRun();
    const waiting = await expectConforming<{ status: string; pendingTasks: unknown[] }>(
      "triggerWorkflow",
      triggerRoute.POST(request(`/api/v1/workflows/${gatedWorkflowId}/trigger?wait=20`, { body: { input: { topic: "sync gate" } } }), { params: Promise.resolve({ workflowId: gatedWorkflowId }) }),
      202,
    );
    expect(waiting).toMatchObject({ status: "waiting_for_human", pendingTasks: [expect.objectContaining({ nodeId: "review" })] });
    await gatedRunWaiting();
    const trigger = (path: string, init: Parameters<typeof request>[1], workflowId = simpleWorkflowId) =>
      triggerRoute.POST(request(path, { method: "POST", ...init }), { params: Promise.resolve({ workflowId }) });
    const error = await expectConforming<{ error: { path: string } }>("triggerWorkflow", trigger(`/api/v1/workflows/${simpleWorkflowId}/trigger`, { body: { inputs: {} } }), 400);
    expect(error.error.path).toBeTruthy();
    await expectConforming("triggerWorkflow", trigger(`/api/v1/workflows/${simpleWorkflowId}/trigger?wait=999`, { body: {} }), 400);
    await expectConforming("triggerWorkflow", trigger(`/api/v1/workflows/${simpleWorkflowId}/trigger`, { token: null, body: {} }), 401);
    await expectConforming("triggerWorkflow", trigger(`/api/v1/workflows/${simpleWorkflowId}/trigger`, { token: readKey, body: {} }), 403);
    await expectConforming("triggerWorkflow", trigger("/api/v1/workflows/wf_missing/trigger", { body: {} }, "wf_missing"), 404);
    const key = `conformance-${Date.now()}`;
    await expectConforming("triggerWorkflow", trigger(`/api/v1/workflows/${simpleWorkflowId}/trigger`, { body: { input: 1 }, headers: { "idempotency-key": key } }), 202);
    await expectConforming("triggerWorkflow", trigger(`/api/v1/workflows/${simpleWorkflowId}/trigger`, { body: { input: 2 }, headers: { "idempotency-key": key } }), 422);
  });

  it("GET /api/v1/runs", async () => {
    await finishedSimpleRun();
    const page = await expectConforming<{ runs: unknown[] }>("listRuns", runsRoute.GET(request("/api/v1/runs?limit=50")), 200);
    expect(page.runs.length).toBeGreaterThan(0);
    await expectConforming("listRuns", runsRoute.GET(request("/api/v1/runs?status=succeeded,waiting_for_human&trigger=api&from=2020-01-01")), 200);
    await expectConforming("listRuns", runsRoute.GET(request("/api/v1/runs?statuses=failed")), 400);
    await expectConforming("listRuns", runsRoute.GET(request("/api/v1/runs", { token: null })), 401);
  });

  it("GET /api/v1/runs/{runId}, with its event log and its state at an event", async () => {
    const finished = await finishedSimpleRun();
    const get = (runId: string, query = "", token?: string | null) => call(runRoute.GET, { runId })(request(`/api/v1/runs/${runId}${query}`, { token }));
    const detail = await expectConforming<{ output: unknown }>("getRun", get(finished), 200);
    expect(detail).toHaveProperty("output");
    await expectConforming("getRun", get(finished, "?events=true"), 200);
    await expectConforming("getRun", get(finished, "?atSeq=2"), 200);
    // A run with model calls and a pending task: its events and state hold every kind of field.
    const agentRun = await db.run.findFirstOrThrow({ where: { workspaceId, workflow: { name: "Agent" } }, select: { id: true, lastSeq: true } });
    const withEvents = await expectConforming<{ events: { type: string }[] }>("getRun", get(agentRun.id, "?events=true"), 200);
    expect(withEvents.events.map((event) => event.type)).toContain("llm_response");
    await expectConforming("getRun", get(agentRun.id, `?atSeq=${agentRun.lastSeq}`), 200);
    await expectConforming("getRun", get(finished, "?events=maybe"), 400);
    await expectConforming("getRun", get("run_missing"), 404);
    await expectConforming("getRun", get(finished, "", null), 401);
  });

  it("POST /api/v1/runs/{runId}/pause, resume, cancel, retry", async () => {
    const runId = await gatedRunWaiting();
    expect(await expectConforming("pauseRun", action(runId, "pause"), 200)).toMatchObject({ status: "paused" });
    await expectConforming("pauseRun", action(runId, "pause"), 409);
    await expectConforming("resumeRun", action(runId, "resume"), 200);
    await expectConforming("resumeRun", action(runId, "resume"), 409);
    expect(await expectConforming("cancelRun", action(runId, "cancel"), 200)).toMatchObject({ status: "cancelled" });
    await expectConforming("cancelRun", action(runId, "cancel", { token: null }), 401);
    await expectConforming("cancelRun", action(runId, "cancel", { token: readKey }), 403);
    await expectConforming("retryRun", action(runId, "retry"), 200);
    await expectConforming("retryRun", action("run_missing", "retry"), 404);
    await expectConforming("pauseRun", action(runId, "pause", { headers: { "idempotency-key": "\u0001" } }), 400);
  });

  it("POST /api/v1/runs/{runId}/rerun and fork", async () => {
    const finished = await finishedSimpleRun();
    expect(await expectConforming("rerunRun", action(finished, "rerun", { body: { version: "latest" } }), 201)).toMatchObject({ parentRunId: finished });
    await expectConforming("rerunRun", action(finished, "rerun", { body: { version: "newest" } }), 400);
    expect(await expectConforming("forkRun", action(finished, "fork", { body: { atSeq: 1 } }), 201)).toMatchObject({ parentRunId: finished });
    await expectConforming("forkRun", action(finished, "fork", { body: { atSeq: 0 } }), 400);
    await expectConforming("forkRun", action("run_missing", "fork", { body: { atSeq: 1 } }), 404);
  });

  it("GET /api/v1/human-tasks and POST /api/v1/human-tasks/{taskId}", async () => {
    await gatedRunWaiting();
    const { tasks } = await expectConforming<{ tasks: { id: string; workflowId: string }[] }>("listHumanTasks", tasksRoute.GET(request("/api/v1/human-tasks?limit=200")), 200);
    const task = tasks.find((candidate) => candidate.workflowId === gatedWorkflowId);
    expect(task).toBeDefined();
    await expectConforming("listHumanTasks", tasksRoute.GET(request("/api/v1/human-tasks?limit=0")), 400);
    await expectConforming("listHumanTasks", tasksRoute.GET(request("/api/v1/human-tasks", { token: null })), 401);
    const answer = (taskId: string, body: unknown, token?: string | null) => call(taskRoute.POST, { taskId })(request(`/api/v1/human-tasks/${taskId}`, { method: "POST", body, token }));
    await expectConforming("answerHumanTask", answer(task!.id, { decision: "maybe" }), 400);
    await expectConforming("answerHumanTask", answer(task!.id, { decision: "approve" }, readKey), 403);
    await expectConforming("answerHumanTask", answer("task_missing", { decision: "approve" }), 404);
    expect(await expectConforming("answerHumanTask", answer(task!.id, { decision: "approve", reason: "fine" }), 200)).toMatchObject({ taskId: task!.id, decision: "approve" });
  });

  it("GET /api/runs/{runId}/events: every frame's data matches its schema; errors are JSON", async () => {
    const runId = await finishedSimpleRun();
    const stream = await callNodeRoute(runEventsRoute, request(`/api/runs/${runId}/events`));
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(validator.statuses("streamRunEvents")).toContain("200");
    const frames = (await stream.text()).split("\n\n").filter((frame) => frame.trim() !== "" && !frame.startsWith(":"));
    // Each frame's data against the component its event name points at (the operation's description names them).
    const frameSchema = (component: string) => ({ get: { operationId: component, responses: { "200": { content: { "application/json": { schema: { $ref: `#/components/schemas/${component}` } } } } } } });
    const ajvFrames = createOpenApiResponseValidator({ paths: { "/run-event": frameSchema("RunEvent"), "/token": frameSchema("TokenFrame") }, components: document.components });
    const FRAME_COMPONENTS: Record<string, string> = { "run-event": "RunEvent", token: "TokenFrame" };
    let lastSeq = 0;
    for (const frame of frames) {
      const fields = Object.fromEntries(frame.split("\n").map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)]));
      if (fields.event === undefined) continue; // `retry:` and comments
      const component = FRAME_COMPONENTS[fields.event];
      expect(component, `streamRunEvents: undocumented frame "${fields.event}"`).toBeDefined();
      const problem = ajvFrames.check(component!, 200, JSON.parse(fields.data ?? "null"));
      if (problem) expect.fail(`streamRunEvents ${fields.event} frame: ${problem}`);
      if (fields.event === "run-event") lastSeq = Number(fields.id);
    }
    expect(lastSeq).toBeGreaterThan(1);
    const finished = await callNodeRoute(runEventsRoute, request(`/api/runs/${runId}/events`, { headers: { "last-event-id": String(lastSeq) } }));
    expect(finished.status).toBe(204);
    expect(validator.statuses("streamRunEvents")).toContain("204");
    await expectConforming("streamRunEvents", callNodeRoute(runEventsRoute, request("/api/runs/run_missing/events")), 404);
    await expectConforming("streamRunEvents", callNodeRoute(runEventsRoute, request(`/api/runs/${runId}/events`, { token: null })), 401);
  });

  it("GET /api/v1/openapi.json serves this document to any credential", async () => {
    const served = await expectConforming<{ openapi: string; paths: Record<string, unknown> }>("getOpenApiDocument", openApiRoute.GET(request("/api/v1/openapi.json", { token: gatedToken })), 200);
    expect(served.openapi).toBe("3.1.0");
    expect(Object.keys(served.paths).sort()).toEqual(Object.keys(document.paths).sort());
    await expectConforming("getOpenApiDocument", openApiRoute.GET(request("/api/v1/openapi.json", { token: null })), 401);
  });

  it("GET /api/health and /api/ready (ready with a worker heartbeat, 503 without)", async () => {
    await expectConforming("getHealth", healthRoute.GET(), 200);
    const heartbeat = await startWorkerHeartbeat({ concurrency: 8 });
    try {
      expect(await expectConforming("getReadiness", readyRoute.GET(), 200)).toMatchObject({ status: "ready" });
    } finally {
      await heartbeat.stop();
    }
    expect(await expectConforming("getReadiness", readyRoute.GET(), 503)).toMatchObject({ status: "not_ready" });
  });

  it("called every operation for a success and an error", () => {
    const operations = Object.values(document.paths).flatMap((methods) => Object.values(methods).map((operation) => String(operation.operationId)));
    for (const operationId of operations) {
      if (operationId === "streamRunEvents") continue; // its 200 is a stream, checked frame by frame above
      const statuses = [...(seen.get(operationId) ?? [])];
      expect(statuses.some((status) => status < 300), `${operationId}: no success checked`).toBe(true);
    }
    for (const operationId of operations) {
      if (operationId === "getHealth") continue; // liveness has no failure answer: a process that cannot answer is the failure
      expect([...(seen.get(operationId) ?? [])].some((status) => status >= 400), `${operationId}: no error checked`).toBe(true);
    }
  });
});
