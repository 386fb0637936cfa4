import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitForRun, type Harness } from "./support/harness";
import { testAccess, testRunScope, testWorkspace } from "./support/workspace";
import { createTestApiKey, createWorkspaceWith } from "./support/identities";
import { createWorkflow } from "../server/workflows/workflows";
import { publishVersion } from "../server/workflows/versions";
import { createTriggerToken } from "../server/workflows/trigger-tokens";
import { buildGraph } from "../server/engine/test-helpers";
import { startRun } from "../server/runs/start-run";
import * as workflowsRoute from "../app/api/v1/workflows/route";
import * as tasksRoute from "../app/api/v1/human-tasks/route";
import * as runRoute from "../app/api/v1/runs/[runId]/route";

/**
 * The REST lists an integrator (and the CLI) starts from: GET /api/v1/workflows and
 * GET /api/v1/human-tasks, through their route handlers with real credentials against the
 * real database — each caller sees its own workspace's, a trigger token its own workflow's.
 */

const BASE = "http://localhost:3100";
let harness: Harness;
let readKey: string;
let outsiderKey: string;
let gatedWorkflowId: string;
let otherWorkflowId: string;
let gatedToken: string;

const get = (route: { GET: (request: Request) => Promise<Response> }, path: string, token: string) =>
  route.GET(new Request(`${BASE}${path}`, { headers: { host: "localhost:3100", authorization: `Bearer ${token}` } }));

beforeAll(async () => {
  harness = await startHarness();
  const workspaceId = await testWorkspace(harness.db);
  readKey = (await createTestApiKey(harness.db, workspaceId, ["read"])).token;
  outsiderKey = (await createTestApiKey(harness.db, await createWorkspaceWith(harness.db, "Elsewhere", []), ["admin"])).token;
  const gate = buildGraph([["trigger", "trigger"], ["review", "human", { message: "Check {{input.topic}}" }], ["out", "output"]], [["trigger", "review"], ["review", "out", "approve"]]);
  gatedWorkflowId = (await createWorkflow(harness.db, workspaceId, { name: `Gated ${Date.now()}`, graph: gate })).id;
  otherWorkflowId = (await createWorkflow(harness.db, workspaceId, { name: `Other ${Date.now()}`, graph: gate })).id;
  await publishVersion(harness.db, workspaceId, gatedWorkflowId);
  gatedToken = (await createTriggerToken(harness.db, await testAccess(harness.db), gatedWorkflowId)).token;
  for (const workflowId of [gatedWorkflowId, otherWorkflowId]) {
    const { runId } = await startRun(harness.db, { ...(await testRunScope(harness.db)), workflowId, input: { topic: "the invoice" }, trigger: "manual" });
    await waitForRun(harness.db, runId, ["waiting_for_human"]);
  }
}, 60_000);

afterAll(() => harness.stop());

describe("GET /api/v1/workflows", () => {
  it("lists the workspace's workflows with their trigger URL and the version the API runs", async () => {
    const response = await get(workflowsRoute, "/api/v1/workflows", readKey);
    expect(response.status).toBe(200);
    const { workflows } = (await response.json()) as { workflows: { id: string; triggerUrl: string; published: { version: number } | null; lastRun: { status: string } | null }[] };
    const gated = workflows.find((workflow) => workflow.id === gatedWorkflowId);
    expect(gated).toMatchObject({ triggerUrl: expect.stringMatching(new RegExp(`/api/v1/workflows/${gatedWorkflowId}/trigger$`)), published: { version: expect.any(Number) }, lastRun: { status: "waiting_for_human" } });
    expect(workflows.find((workflow) => workflow.id === otherWorkflowId)).toMatchObject({ published: null });
  });

  it("shows another workspace none of them, and refuses parameters it does not take", async () => {
    const { workflows } = (await (await get(workflowsRoute, "/api/v1/workflows", outsiderKey)).json()) as { workflows: { id: string }[] };
    expect(workflows.map((workflow) => workflow.id)).not.toContain(gatedWorkflowId);
    const refused = await get(workflowsRoute, "/api/v1/workflows?status=active", readKey);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: { code: "invalid_parameter", message: "status: this list takes no parameters", path: "status" } });
  });
});

describe("GET /api/v1/human-tasks", () => {
  type Task = { id: string; workflowId: string; message: string; kind: string; allowEdit: boolean };
  const tasksOf = async (path: string, token: string) => ((await (await get(tasksRoute, path, token)).json()) as { tasks: Task[] }).tasks;

  it("lists the tasks waiting for a person, with the rendered message", async () => {
    const tasks = await tasksOf("/api/v1/human-tasks", readKey);
    const gated = tasks.filter((task) => task.workflowId === gatedWorkflowId);
    expect(gated).toHaveLength(1);
    expect(gated[0]).toMatchObject({ kind: "gate", message: "Check the invoice", allowEdit: true });
    expect(tasks.some((task) => task.workflowId === otherWorkflowId)).toBe(true);
    expect((await tasksOf(`/api/v1/human-tasks?workflowId=${otherWorkflowId}`, readKey)).every((task) => task.workflowId === otherWorkflowId)).toBe(true);
  });

  it("gives a trigger token only its own workflow's tasks, and another workspace none", async () => {
    const own = await tasksOf("/api/v1/human-tasks", gatedToken);
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((task) => task.workflowId === gatedWorkflowId)).toBe(true);
    expect(await tasksOf(`/api/v1/human-tasks?workflowId=${otherWorkflowId}`, gatedToken)).toEqual([]);
    expect((await tasksOf("/api/v1/human-tasks", outsiderKey)).some((task) => task.workflowId === gatedWorkflowId)).toBe(false);
  });

  it("says which parameter is wrong", async () => {
    for (const [query, path] of [["limit=0", "limit"], ["limit=abc", "limit"], ["workflowId=../x", "workflowId"], ["state=pending", "state"], ["limit=5&limit=6", "limit"]] as const) {
      const response = await get(tasksRoute, `/api/v1/human-tasks?${query}`, readKey);
      expect(response.status, query).toBe(400);
      expect(((await response.json()) as { error: { path: string } }).error.path, query).toBe(path);
    }
  });
});

describe("GET /api/v1/runs/:runId?events=true, a page at a time", () => {
  const getRun = async (runId: string, query: string) =>
    runRoute.GET(new Request(`${BASE}/api/v1/runs/${runId}?${query}`, { headers: { host: "localhost:3100", authorization: `Bearer ${readKey}` } }), {
      params: Promise.resolve({ runId }),
    });

  it("pages through the whole log with eventsAfter / eventsLimit, ending with nextEventsAfter: null", async () => {
    const run = await harness.db.run.findFirstOrThrow({ where: { workflowId: gatedWorkflowId } });
    const whole = (await (await getRun(run.id, "events=true")).json()) as { events: { seq: number }[]; nextEventsAfter: number | null };
    expect(whole.events.map((event) => event.seq)).toEqual(Array.from({ length: run.lastSeq }, (_, index) => index + 1));
    expect(whole.nextEventsAfter).toBeNull();
    const seen: number[] = [];
    let after = 0;
    for (let pages = 0; pages < 50; pages += 1) {
      const page = (await (await getRun(run.id, `events=true&eventsLimit=2&eventsAfter=${after}`)).json()) as { events: { seq: number }[]; nextEventsAfter: number | null };
      expect(page.events.length).toBeLessThanOrEqual(2);
      seen.push(...page.events.map((event) => event.seq));
      if (page.nextEventsAfter === null) break;
      after = page.nextEventsAfter;
    }
    expect(seen).toEqual(whole.events.map((event) => event.seq));
  });

  it("says which paging parameter is wrong", async () => {
    const run = await harness.db.run.findFirstOrThrow({ where: { workflowId: gatedWorkflowId } });
    for (const [query, path] of [["events=true&eventsLimit=0", "eventsLimit"], ["events=true&eventsLimit=1001", "eventsLimit"], ["events=true&eventsAfter=-1", "eventsAfter"], ["events=yes", "events"]] as const) {
      const response = await getRun(run.id, query);
      expect(response.status, query).toBe(400);
      expect(((await response.json()) as { error: { path: string } }).error.path, query).toBe(path);
    }
  });
});

