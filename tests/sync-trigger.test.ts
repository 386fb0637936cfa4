import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitForRun, type Harness } from "./support/harness";
import { startRestServer, type RestServer } from "./support/rest-server";
import { createTestApiKey, createTestUser, createWorkspaceWith } from "./support/identities";
import { approvalGraph, outputOnlyGraph } from "./support/graphs";
import type { Db } from "../server/db";
import { buildGraph, tripSaga } from "../server/engine/test-helpers";
import { createWorkflow } from "../server/workflows/workflows";
import { closeRunEventHub } from "../server/streams/run-event-hub";
import { controlRun } from "../server/runs/control";

/**
 * The trigger's sync mode over real HTTP with the real worker: `?wait=<s>` / `Prefer: wait=<s>`
 * answers 200 with the output when the run finishes in time, 202 with the status URL when it
 * does not, and 202 with the pending tasks when it waits for a person.
 */

let harness: Harness;
let server: RestServer;
let db: Db;
let workspaceId: string;
let triggerKey: string;

beforeAll(async () => {
  // The saga's booking API is on loopback: the only host exempt from the SSRF guard.
  harness = await startHarness({ env: { HTTP_ALLOW_PRIVATE_HOSTS: "127.0.0.1" } });
  db = harness.db;
  server = await startRestServer();
  const owner = await createTestUser("sync owner");
  workspaceId = await createWorkspaceWith(db, "Sync trigger", [{ user: owner, role: "owner" }]);
  triggerKey = (await createTestApiKey(db, workspaceId, ["trigger"])).token;
}, 60_000);

afterAll(async () => {
  await server?.close();
  await closeRunEventHub();
  await harness?.stop();
});

async function waitForAnyRun(workflowId: string) {
  for (let i = 0; i < 400; i += 1) {
    const run = await db.run.findFirst({ where: { workflowId } });
    if (run) return run;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("no run started");
}

async function newWorkflow(graph = outputOnlyGraph()): Promise<string> {
  return (await createWorkflow(db, workspaceId, { name: `sync ${randomUUID()}`, graph })).id;
}

function trigger(workflowId: string, query: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}/api/v1/workflows/${workflowId}/trigger${query}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${triggerKey}`, ...headers },
    body: JSON.stringify(body),
  });
}

type SyncAnswer = { runId: string; status: string; output?: unknown; error?: unknown; statusUrl: string; pendingTasks?: { taskId: string; nodeId: string; message: string }[] };

describe("sync trigger", () => {
  it("?wait answers 200 with the output when the run finishes in time", async () => {
    const workflowId = await newWorkflow(buildGraph([["trigger", "trigger"], ["out", "output", { template: "hello {{input.name}}" }]], [["trigger", "out"]]));
    const started = Date.now();
    const response = await trigger(workflowId, "?wait=10", { input: { name: "sync" } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as SyncAnswer;
    expect(body).toMatchObject({ status: "succeeded", output: "hello sync" });
    expect(body.statusUrl).toContain(`/api/v1/runs/${body.runId}`);
    expect(body.error).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("Prefer: wait=<s> works the same", async () => {
    const workflowId = await newWorkflow();
    const response = await trigger(workflowId, "", { input: { topic: "prefer" } }, { prefer: "respond-async, wait=10" });
    expect(response.status).toBe(200);
    expect(((await response.json()) as SyncAnswer).status).toBe("succeeded");
  });

  it("answers 202 with the status URL when the run is still going when the time is up", async () => {
    const workflowId = await newWorkflow(approvalGraph("#demo:slow:2500 Summarise {{input.topic}}"));
    const started = Date.now();
    const response = await trigger(workflowId, "?wait=1", { input: { topic: "slow" } });
    const elapsed = Date.now() - started;
    expect(response.status).toBe(202);
    const body = (await response.json()) as SyncAnswer;
    expect(["queued", "running"]).toContain(body.status);
    expect(response.headers.get("location")).toBe(body.statusUrl);
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(2_400);
    await waitForRun(db, body.runId, ["waiting_for_human"]);
  });

  it("a run that waits for a person answers 202 with its pending task", async () => {
    const workflowId = await newWorkflow(approvalGraph());
    const response = await trigger(workflowId, "?wait=15", { input: { topic: "review" } });
    expect(response.status).toBe(202);
    const body = (await response.json()) as SyncAnswer;
    expect(body.status).toBe("waiting_for_human");
    const task = await db.humanTask.findFirstOrThrow({ where: { runId: body.runId, status: "pending" } });
    expect(body.pendingTasks).toEqual([{ taskId: task.id, nodeId: "review", message: "Publish this?" }]);
  });

  it("a run cancelled while the caller waits answers 200 with its final status at once", async () => {
    const workflowId = await newWorkflow(approvalGraph("#demo:slow:1500 Summarise {{input.topic}}"));
    const pending = trigger(workflowId, "?wait=20", { input: { topic: "to cancel" } });
    const run = await waitForRun(db, (await waitForAnyRun(workflowId)).id, ["running"]);
    const cancelledAt = Date.now();
    await controlRun(db, { workspaceId, actor: { kind: "system", name: "sync test" }, ip: null }, run.id, "cancel");
    const response = await pending;
    expect(response.status).toBe(200);
    const body = (await response.json()) as SyncAnswer;
    expect(body).toMatchObject({ runId: run.id, status: "cancelled" });
    expect(Date.now() - cancelledAt).toBeLessThan(5_000);
  });

  it("an agent that keeps failing asks a person: 202 with that task", async () => {
    const workflowId = await newWorkflow(buildGraph([["trigger", "trigger"], ["writer", "agent", { task: `All down ${randomUUID()} #demo:500:1000` }], ["out", "output"]], [["trigger", "writer"], ["writer", "out"]]));
    const response = await trigger(workflowId, "?wait=30", { input: {} });
    expect(response.status, await response.clone().text()).toBe(202);
    const body = (await response.json()) as SyncAnswer;
    expect(body.status).toBe("waiting_for_human");
    expect(body.pendingTasks?.[0]?.nodeId).toBe("writer");
  }, 40_000);

  it("an idempotent retry of a sync request returns the stored final answer", async () => {
    const workflowId = await newWorkflow();
    const key = randomUUID();
    const first = await trigger(workflowId, "?wait=10", { input: { topic: "once" } }, { "Idempotency-Key": key });
    expect(first.status).toBe(200);
    const firstBody = await first.json();
    const again = await trigger(workflowId, "?wait=10", { input: { topic: "once" } }, { "Idempotency-Key": key });
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual(firstBody);
    expect(await db.run.count({ where: { workflowId } })).toBe(1);
  });

  it("refuses a bad wait with a 400 naming where it came from", async () => {
    const workflowId = await newWorkflow();
    for (const [query, headers, where] of [
      ["?wait=61", {}, "query:wait"],
      ["?wait=soon", {}, "query:wait"],
      ["", { prefer: "wait=600" }, "header:Prefer"],
    ] as const) {
      const response = await trigger(workflowId, query, { input: {} }, headers);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: "invalid_wait", path: where } });
    }
    expect(await db.run.count({ where: { workflowId } })).toBe(0);
  });
});

describe("stream trigger", () => {
  /** Reads a text/event-stream body to its end: the committed events in order, and any token frames. */
  async function readStream(response: Response) {
    const text = await response.text();
    const frames = text.split("\n\n").filter((block) => block.includes("data:"));
    const events = frames.filter((block) => block.includes("event: run-event")).map((block) => JSON.parse(block.split("\n").find((line) => line.startsWith("data: "))?.slice(6) ?? "{}") as { seq: number; type: string });
    return { events, ids: frames.filter((block) => block.includes("event: run-event")).map((block) => /^id: (\d+)$/m.exec(block)?.[1]) };
  }

  it("Accept: text/event-stream answers with the new run's events from the first to run_finished", async () => {
    const workflowId = await newWorkflow(
      buildGraph([["trigger", "trigger"], ["agent", "agent", { task: "Stream the summary" }], ["out", "output"]], [["trigger", "agent"], ["agent", "out"]]),
    );
    const response = await trigger(workflowId, "", { input: { topic: "streams" } }, { accept: "text/event-stream" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const runId = response.headers.get("x-run-id") ?? "";
    expect(runId).toMatch(/^run_/);
    expect(response.headers.get("link")).toContain(`/api/runs/${runId}/events`);
    const { events, ids } = await readStream(response);
    expect(events[0]).toMatchObject({ seq: 1, type: "run_started" });
    expect(events.at(-1)).toMatchObject({ type: "run_finished", status: "succeeded" });
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(ids).toEqual(events.map((event) => String(event.seq)));
    expect(events.some((event) => event.type === "llm_response")).toBe(true);
  });

  it("an idempotent retry of a stream request follows the same run, from where Last-Event-ID says", async () => {
    const workflowId = await newWorkflow();
    const key = randomUUID();
    const first = await trigger(workflowId, "", { input: {} }, { accept: "text/event-stream", "idempotency-key": key });
    const runId = first.headers.get("x-run-id");
    const all = await readStream(first);
    const again = await trigger(workflowId, "", { input: {} }, { accept: "text/event-stream", "idempotency-key": key, "last-event-id": "2" });
    expect(again.headers.get("x-run-id")).toBe(runId);
    const rest = await readStream(again);
    expect(rest.events.map((event) => event.seq)).toEqual(all.events.slice(2).map((event) => event.seq));
    expect(await db.run.count({ where: { workflowId } })).toBe(1);
  });

  it("refuses stream and wait together, before any run starts", async () => {
    const workflowId = await newWorkflow();
    const response = await trigger(workflowId, "?wait=5", { input: {} }, { accept: "text/event-stream" });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "invalid_mode", path: "query:wait" } });
    expect(await db.run.count({ where: { workflowId } })).toBe(0);
  });
});

describe("the seeds' patterns through the REST trigger", () => {
  it("a map-reduce answers with its summary, its items each a run of their own", async () => {
    const workflowId = await newWorkflow(
      buildGraph(
        [
          ["trigger", "trigger", { sampleInput: '{"tickets": ["x"]}' }],
          ["each", "for_each", { items: "input.tickets", concurrency: 2 }],
          ["classify", "agent", { task: "Classify {{item}}" }],
          ["summarise", "output"],
        ],
        [["trigger", "each"], ["each", "classify", "item"], ["classify", "each"], ["each", "summarise", "done"]],
      ),
    );
    const response = await trigger(workflowId, "?wait=20", { input: { tickets: ["refund please", "app crashes", "dark mode"] } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as SyncAnswer;
    expect(body.status).toBe("succeeded");
    expect(body.output).toEqual([expect.stringContaining("Classify refund please"), expect.stringContaining("Classify app crashes"), expect.stringContaining("Classify dark mode")]);
    expect(await db.run.count({ where: { callerRunId: body.runId, status: "succeeded" } })).toBe(3);
  });

  it("a saga that fails answers with its final status, compensated, and the original error", async () => {
    const { startBookingServer, closedPort } = await import("./support/booking-server");
    const api = await startBookingServer();
    try {
      const workflowId = await newWorkflow(tripSaga({ api: api.url, charge: `http://127.0.0.1:${await closedPort()}/charge` }));
      const response = await trigger(workflowId, "?wait=20", { input: {} });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: "compensated", error: expect.stringContaining("charge") });
      expect(api.requests.filter((request) => request.method === "DELETE")).toHaveLength(2);
    } finally {
      await api.close();
    }
  });
});
