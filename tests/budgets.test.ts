import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { startHarness, waitForRun, type Harness } from "./support/harness";
import { startRestServer, type RestServer } from "./support/rest-server";
import { createTestApiKey, createTestUser, createWorkspaceWith, type TestUser } from "./support/identities";
import { startDemoModelServer, type DemoModelServer } from "../server/llm/serve-demo-model";
import type { WorkspaceAccess } from "../server/auth/access";
import { appRouter } from "../server/api/root";
import { createCallerFactory, createTrpcContext } from "../server/api/trpc";
import { buildGraph } from "../server/engine/test-helpers";
import type { Graph } from "../server/engine/graph";
import { setModelPrice } from "../server/llm/model-prices";
import {
  BUDGET_PAUSE_BY,
  budgetOverview,
  checkBudget,
  removeWorkflowCap,
  resumeBudgetPausedRuns,
  setBudget,
  setBudgetOverride,
  setBudgetSchema,
  setWorkflowCap,
  setWorkflowCapSchema,
} from "../server/ops/budgets";
import { BudgetExceededError } from "../server/ops/budget-error";
import { startRun } from "../server/runs/start-run";
import { respondToHumanTask } from "../server/runs/respond-human";
import { getRunEvents } from "../server/runs/queries";
import { createWorkflow } from "../server/workflows/workflows";
import { publishVersion } from "../server/workflows/versions";
import { closeRunEventHub } from "../server/streams/run-event-hub";
import { UserInputError } from "../server/errors";
import { WORKSPACE_COOKIE } from "../server/auth/request";

/**
 * Monthly budgets on the real worker, Postgres, Redis and an OpenAI-wire model over HTTP with a
 * workspace price, so runs really cost money: a spent budget refuses new runs (402 over REST,
 * PAYMENT_REQUIRED over tRPC), pauses a running run before its next model call, an owner's
 * override lets them go on, and MAX_MONTHLY_COST is the default cap.
 */

const MODEL = "gpt-budget-test";
let harness: Harness;
let paid: DemoModelServer;
let server: RestServer;
let owner: TestUser;
let admin: TestUser;
let editor: TestUser;

const createCaller = createCallerFactory(appRouter);
/** A member acting in `workspaceId` (members of several workspaces pick one with the workspace cookie). */
async function callerFor(user: TestUser, workspaceId: string) {
  const req = new Request("http://localhost:3100/api/trpc", { headers: { cookie: `${user.cookie}; ${WORKSPACE_COOKIE}=${workspaceId}`, host: "localhost:3100" } });
  return createCaller(await createTrpcContext({ req, resHeaders: new Headers() }));
}

const system = (workspaceId: string): WorkspaceAccess => ({ workspaceId, actor: { kind: "system", name: "budget test" }, ip: null });

beforeAll(async () => {
  paid = await startDemoModelServer();
  // MAX_MONTHLY_COST: the default cap of every workspace without its own (large: no test hits it by accident).
  harness = await startHarness({ env: { OPENAI_API_KEY: "sk-test-budgets", OPENAI_BASE_URL: paid.baseUrl, LLM_MAX_RETRIES: "0", MAX_MONTHLY_COST: "5000" } });
  server = await startRestServer();
  owner = await createTestUser("budget owner");
  admin = await createTestUser("budget admin");
  editor = await createTestUser("budget editor");
}, 60_000);

afterAll(async () => {
  await server?.close();
  await closeRunEventHub();
  await harness?.stop();
  await paid?.close();
});

/** A workspace whose model calls cost $0.10 a token (so one call is a few dollars). */
async function pricedWorkspace(name: string): Promise<string> {
  const workspaceId = await createWorkspaceWith(harness.db, name, [
    { user: owner, role: "owner" },
    { user: admin, role: "admin" },
    { user: editor, role: "editor" },
  ]);
  await setModelPrice(harness.db, system(workspaceId), { model: MODEL, inputPerMTok: 100_000, outputPerMTok: 100_000 });
  return workspaceId;
}

const agentGraph = (): Graph =>
  buildGraph(
    [["trigger", "trigger"], ["agent", "agent", { provider: "openai", model: MODEL, task: "Write one line about budgets" }], ["out", "output"]],
    [["trigger", "agent"], ["agent", "out"]],
  );

/** A gate first, then a paid model call: the run is running when the budget runs out. */
const gateThenAgentGraph = (): Graph =>
  buildGraph(
    [
      ["trigger", "trigger"],
      ["gate", "human", { message: "Go on?" }],
      ["agent", "agent", { provider: "openai", model: MODEL, task: "Write one line after the gate" }],
      ["out", "output"],
    ],
    [["trigger", "gate"], ["gate", "agent", "approve"], ["agent", "out"]],
  );

async function workflowIn(workspaceId: string, graph: Graph): Promise<string> {
  return (await createWorkflow(harness.db, workspaceId, { name: `budget ${Math.random().toString(36).slice(2)}`, graph })).id;
}

async function paidRun(workspaceId: string, workflowId: string) {
  const { runId } = await startRun(harness.db, { workspaceId, workflowId, input: {}, trigger: "manual", startedBy: "budget test" });
  const run = await waitForRun(harness.db, runId, ["succeeded", "failed"]);
  expect(run.status, run.error ?? "").toBe("succeeded");
  expect(run.costUsd).toBeGreaterThan(1);
  return run;
}

describe("monthly budget", () => {
  it("uses MAX_MONTHLY_COST when the workspace sets no cap, and counts the calendar month (UTC) only", async () => {
    const workspaceId = await pricedWorkspace("budget env default");
    const workflowId = await workflowIn(workspaceId, agentGraph());
    const run = await paidRun(workspaceId, workflowId);
    const overview = await budgetOverview(harness.db, workspaceId);
    expect(overview).toMatchObject({ capUsd: 5000, capSource: "env", workspaceCapUsd: null, reached: false, blocking: false, runs: 1 });
    expect(overview.spentUsd).toBeCloseTo(run.costUsd, 9);
    const now = new Date();
    // Next month this month's runs no longer count; the first instant of this month they do.
    expect((await checkBudget(harness.db, { workspaceId, workflowId }, new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)))).spentUsd).toBe(0);
    expect((await checkBudget(harness.db, { workspaceId, workflowId }, now)).spentUsd).toBeCloseTo(run.costUsd, 9);
  });

  it("refuses new runs once the month's spend reached the cap: 402 over REST, PAYMENT_REQUIRED over tRPC; an owner's override lets them start", async () => {
    const workspaceId = await pricedWorkspace("budget refusal");
    const workflowId = await workflowIn(workspaceId, agentGraph());
    await setBudget(harness.db, system(workspaceId), { monthlyCapUsd: 1 });
    // Under the cap ($0 spent): the run starts, and costs more than the whole cap.
    const first = await paidRun(workspaceId, workflowId);

    await expect(startRun(harness.db, { workspaceId, workflowId, input: {}, trigger: "manual", startedBy: "budget test" })).rejects.toBeInstanceOf(BudgetExceededError);

    const { token } = await createTestApiKey(harness.db, workspaceId, ["trigger"]);
    const runsBefore = await harness.db.run.count({ where: { workspaceId } });
    const response = await fetch(`${server.url}/api/v1/workflows/${workflowId}/trigger`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "idempotency-key": "budget-retry-1" },
      body: JSON.stringify({ input: {} }),
    });
    expect(response.status).toBe(402);
    const body = (await response.json()) as { error: { code: string; message: string; details: unknown } };
    expect(body.error.code).toBe("budget_exceeded");
    // Which budget refused, for a program to act on.
    expect(body.error.details).toEqual({ scope: "workspace", spentUsd: first.costUsd, capUsd: 1 });
    expect(body.error.message).toBe(`The workspace's monthly budget is reached: spent $${first.costUsd.toFixed(2)} of $1.00 this month; an owner can raise the budget or allow an override`);
    expect(await harness.db.run.count({ where: { workspaceId } })).toBe(runsBefore);

    const asEditor = await callerFor(editor, workspaceId);
    await expect(asEditor.run.start({ workflowId, input: {} })).rejects.toSatisfy((error: unknown) => error instanceof TRPCError && error.code === "PAYMENT_REQUIRED" && /spent \$\d+\.\d\d of \$1\.00 this month/.test(error.message));

    // Only an owner overrides; an admin may not.
    const until = new Date(Date.now() + 3_600_000).toISOString();
    await expect((await callerFor(admin, workspaceId)).budgets.override({ until })).rejects.toSatisfy((error: unknown) => error instanceof TRPCError && error.code === "FORBIDDEN");
    const overridden = await (await callerFor(owner, workspaceId)).budgets.override({ until });
    expect(overridden).toMatchObject({ reached: true, blocking: false, overrideBy: owner.name });
    const audit = await harness.db.auditEntry.findFirstOrThrow({ where: { workspaceId, action: "budget.override_set" } });
    expect(audit.details).toMatchObject({ until });

    // The same Idempotency-Key again: the 402 was not stored, so the retry is handled afresh and starts the run.
    const retried = await fetch(`${server.url}/api/v1/workflows/${workflowId}/trigger`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "idempotency-key": "budget-retry-1" },
      body: JSON.stringify({ input: {} }),
    });
    expect(retried.status).toBe(202);
    await waitForRun(harness.db, ((await retried.json()) as { runId: string }).runId, ["succeeded"]);

    // Ending the override blocks again; raising the cap above the spend lets runs start.
    await setBudgetOverride(harness.db, system(workspaceId), { until: null });
    await expect(startRun(harness.db, { workspaceId, workflowId, input: {}, trigger: "manual", startedBy: "budget test" })).rejects.toBeInstanceOf(BudgetExceededError);
    await (await callerFor(admin, workspaceId)).budgets.set({ monthlyCapUsd: 10_000 });
    await paidRun(workspaceId, workflowId);
    expect(await harness.db.auditEntry.count({ where: { workspaceId, action: "budget.cap_set" } })).toBe(2);
  });

  it("pauses a running run before its next model call, says why, and resumes it after an override", async () => {
    const workspaceId = await pricedWorkspace("budget pause");
    const workflowId = await workflowIn(workspaceId, gateThenAgentGraph());
    const { runId } = await startRun(harness.db, { workspaceId, workflowId, input: {}, trigger: "manual", startedBy: "budget test" });
    await waitForRun(harness.db, runId, ["waiting_for_human"]);
    // The budget runs out while the run waits for a person ($0 of $0: reached).
    await setBudget(harness.db, system(workspaceId), { monthlyCapUsd: 0 });
    const requestsBefore = paid.requests();
    const task = await harness.db.humanTask.findFirstOrThrow({ where: { runId, status: "pending" } });
    await respondToHumanTask(harness.db, system(workspaceId), { taskId: task.id, decision: "approve" });

    await waitForRun(harness.db, runId, ["paused"]);
    const events = await getRunEvents(harness.db, runId);
    const pause = events.findLast((event) => event.type === "run_paused");
    expect(pause).toMatchObject({ type: "run_paused", by: `${BUDGET_PAUSE_BY} of the workspace (spent $0.00 of $0.00 this month)` });
    expect(events.some((event) => event.type === "llm_response")).toBe(false);
    expect(paid.requests()).toBe(requestsBefore);
    expect((await budgetOverview(harness.db, workspaceId)).pausedRuns).toBe(1);

    // Still blocked: resuming them would only pause them again, so it is refused with the reason.
    await expect(resumeBudgetPausedRuns(harness.db, system(workspaceId))).rejects.toThrow(/still blocks runs/);
    await setBudgetOverride(harness.db, system(workspaceId), { until: new Date(Date.now() + 86_400_000).toISOString() });
    expect(await (await callerFor(editor, workspaceId)).budgets.resumePaused()).toEqual({ resumed: 1, stillBlocked: 0 });
    const done = await waitForRun(harness.db, runId, ["succeeded", "failed"]);
    expect(done.status, done.error ?? "").toBe("succeeded");
    expect(paid.requests()).toBeGreaterThan(requestsBefore);
  });

  it("pauses a for-each's running item runs instead of failing them, and the parent finishes with every item after the override", async () => {
    const workspaceId = await pricedWorkspace("budget children");
    // Each item asks a person, then calls the paid model: the budget runs out while the items wait.
    const graph = buildGraph(
      [
        ["trigger", "trigger", { sampleInput: JSON.stringify({ items: ["x"] }) }],
        ["each", "for_each", { items: "input.items", concurrency: 3 }],
        ["gate", "human", { message: "Describe {{item}}?" }],
        ["describe", "agent", { provider: "openai", model: MODEL, task: "Describe {{item}}" }],
        ["out", "output"],
      ],
      [["trigger", "each"], ["each", "gate", "item"], ["gate", "describe", "approve"], ["describe", "each"], ["each", "out", "done"]],
    );
    const workflowId = await workflowIn(workspaceId, graph);
    const { runId } = await startRun(harness.db, { workspaceId, workflowId, input: { items: ["a", "b", "c"] }, trigger: "manual", startedBy: "budget test" });
    const children = () => harness.db.run.findMany({ where: { callerRunId: runId }, select: { id: true, status: true } });
    await expect.poll(async () => (await children()).filter((child) => child.status === "waiting_for_human").length, { timeout: 15_000 }).toBe(3);

    await setBudget(harness.db, system(workspaceId), { monthlyCapUsd: 0 });
    const requestsBefore = paid.requests();
    for (const task of await harness.db.humanTask.findMany({ where: { run: { callerRunId: runId }, status: "pending" } })) {
      await respondToHumanTask(harness.db, system(workspaceId), { taskId: task.id, decision: "approve" });
    }
    await expect.poll(async () => (await children()).map((child) => child.status), { timeout: 15_000 }).toEqual(["paused", "paused", "paused"]);
    expect(paid.requests()).toBe(requestsBefore);
    // The parent is not failed: it waits for its items.
    expect((await harness.db.run.findUniqueOrThrow({ where: { id: runId } })).status).toBe("running");
    expect((await budgetOverview(harness.db, workspaceId)).pausedRuns).toBe(3);

    await setBudgetOverride(harness.db, system(workspaceId), { until: new Date(Date.now() + 86_400_000).toISOString() });
    expect(await resumeBudgetPausedRuns(harness.db, system(workspaceId))).toEqual({ resumed: 3, stillBlocked: 0 });
    const done = await waitForRun(harness.db, runId, ["succeeded", "failed"], 30_000);
    expect(done.status, done.error ?? "").toBe("succeeded");
    expect((await children()).every((child) => child.status === "succeeded")).toBe(true);
    expect(paid.requests() - requestsBefore).toBe(3);
  });

  it("pauses a parent before it starts its child runs", async () => {
    const workspaceId = await pricedWorkspace("budget parent");
    const graph = buildGraph(
      [
        ["trigger", "trigger", { sampleInput: JSON.stringify({ items: ["x"] }) }],
        ["gate", "human", { message: "Start the items?" }],
        ["each", "for_each", { items: "input.items", concurrency: 3 }],
        ["describe", "agent", { provider: "openai", model: MODEL, task: "Describe {{item}}" }],
        ["out", "output"],
      ],
      [["trigger", "gate"], ["gate", "each", "approve"], ["each", "describe", "item"], ["describe", "each"], ["each", "out", "done"]],
    );
    const workflowId = await workflowIn(workspaceId, graph);
    const { runId } = await startRun(harness.db, { workspaceId, workflowId, input: { items: ["a", "b"] }, trigger: "manual", startedBy: "budget test" });
    await waitForRun(harness.db, runId, ["waiting_for_human"]);
    await setBudget(harness.db, system(workspaceId), { monthlyCapUsd: 0 });
    const task = await harness.db.humanTask.findFirstOrThrow({ where: { runId, status: "pending" } });
    await respondToHumanTask(harness.db, system(workspaceId), { taskId: task.id, decision: "approve" });
    await waitForRun(harness.db, runId, ["paused"]);
    expect(await harness.db.run.count({ where: { callerRunId: runId } })).toBe(0);
    await setBudget(harness.db, system(workspaceId), { monthlyCapUsd: 1_000 });
    expect(await resumeBudgetPausedRuns(harness.db, system(workspaceId))).toEqual({ resumed: 1, stillBlocked: 0 });
    const done = await waitForRun(harness.db, runId, ["succeeded", "failed"], 30_000);
    expect(done.status, done.error ?? "").toBe("succeeded");
    expect(await harness.db.run.count({ where: { callerRunId: runId, status: "succeeded" } })).toBe(2);
  });

  it("refuses bad settings naming the field", async () => {
    expect(setBudgetSchema.safeParse({ monthlyCapUsd: -1 }).success).toBe(false);
    expect(setBudgetSchema.safeParse({ monthlyCapUsd: "10" }).success).toBe(false);
    const workspaceId = await pricedWorkspace("budget validation");
    await expect(setBudgetOverride(harness.db, system(workspaceId), { until: new Date(Date.now() - 1000).toISOString() })).rejects.toSatisfy(
      (error: unknown) => error instanceof UserInputError && error.path === "until",
    );
    await expect((await callerFor(owner, workspaceId)).budgets.set({ monthlyCapUsd: -5 })).rejects.toSatisfy((error: unknown) => error instanceof TRPCError && error.code === "BAD_REQUEST");
  });
});

/** The error a tRPC call is refused with (in-process caller). */
const trpcRefusal = (code: TRPCError["code"], message?: RegExp) => (error: unknown) => error instanceof TRPCError && error.code === code && (message === undefined || message.test(error.message));

describe("monthly budget of a workflow", () => {
  async function namedWorkflow(workspaceId: string, name: string, graph: Graph): Promise<string> {
    return (await createWorkflow(harness.db, workspaceId, { name, graph })).id;
  }

  it("refuses new runs of a workflow whose cap is reached with a 402 naming the workflow; other workflows still run; the owner's override and removing the cap let it start", async () => {
    const workspaceId = await pricedWorkspace("workflow budget refusal");
    const capped = await namedWorkflow(workspaceId, "Capped summaries", agentGraph());
    const free = await namedWorkflow(workspaceId, "Free summaries", agentGraph());
    const asAdmin = await callerFor(admin, workspaceId);
    // Only those who set the workspace's cap set a workflow's.
    await expect((await callerFor(editor, workspaceId)).budgets.setWorkflowCap({ workflowId: capped, monthlyCapUsd: 1 })).rejects.toSatisfy(trpcRefusal("FORBIDDEN"));
    const overview = await asAdmin.budgets.setWorkflowCap({ workflowId: capped, monthlyCapUsd: 1 });
    expect(overview.workflowCaps).toEqual([{ workflowId: capped, name: "Capped summaries", capUsd: 1, spentUsd: 0, reached: false, blocking: false }]);
    expect(await harness.db.auditEntry.findFirstOrThrow({ where: { workspaceId, action: "budget.workflow_cap_set" } })).toMatchObject({ targetId: capped, details: { monthlyCapUsd: 1, previousCapUsd: null } });

    // Under the cap: the run starts, and costs more than the whole cap.
    const first = await paidRun(workspaceId, capped);
    const message = `The monthly budget of workflow "Capped summaries" is reached: spent $${first.costUsd.toFixed(2)} of $1.00 this month; an admin can raise the workflow's cap or an owner can allow an override`;
    await expect(startRun(harness.db, { workspaceId, workflowId: capped, input: {}, trigger: "manual", startedBy: "budget test" })).rejects.toThrow(message);

    const { token } = await createTestApiKey(harness.db, workspaceId, ["trigger"]);
    const trigger = (workflowId: string) =>
      fetch(`${server.url}/api/v1/workflows/${workflowId}/trigger`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ input: {} }) });
    const runsBefore = await harness.db.run.count({ where: { workspaceId } });
    const refused = await trigger(capped);
    expect(refused.status).toBe(402);
    expect(await refused.json()).toMatchObject({ error: { code: "budget_exceeded", message, details: { scope: "workflow", workflowId: capped, capUsd: 1, spentUsd: first.costUsd } } });
    expect(await harness.db.run.count({ where: { workspaceId } })).toBe(runsBefore);
    await expect((await callerFor(editor, workspaceId)).run.start({ workflowId: capped, input: {} })).rejects.toSatisfy(trpcRefusal("PAYMENT_REQUIRED", /workflow "Capped summaries"/));

    // The workspace's budget ($5,000 from MAX_MONTHLY_COST) is far from reached: another workflow runs, over REST too.
    await paidRun(workspaceId, free);
    const accepted = await trigger(free);
    expect(accepted.status).toBe(202);
    await waitForRun(harness.db, ((await accepted.json()) as { runId: string }).runId, ["succeeded"]);
    const listed = (await budgetOverview(harness.db, workspaceId)).workflowCaps;
    expect(listed).toMatchObject([{ workflowId: capped, reached: true, blocking: true }]);
    expect(listed[0]?.spentUsd).toBeCloseTo(first.costUsd, 9);

    // The workspace's one override lifts the workflow's cap too.
    const until = new Date(Date.now() + 3_600_000).toISOString();
    expect((await (await callerFor(owner, workspaceId)).budgets.override({ until })).workflowCaps).toMatchObject([{ workflowId: capped, reached: true, blocking: false }]);
    await paidRun(workspaceId, capped);
    await setBudgetOverride(harness.db, system(workspaceId), { until: null });
    await expect(startRun(harness.db, { workspaceId, workflowId: capped, input: {}, trigger: "manual", startedBy: "budget test" })).rejects.toBeInstanceOf(BudgetExceededError);

    // Raising it above the spend lets runs start; removing it leaves only the workspace's cap.
    await asAdmin.budgets.setWorkflowCap({ workflowId: capped, monthlyCapUsd: 10_000 });
    await paidRun(workspaceId, capped);
    await asAdmin.budgets.setWorkflowCap({ workflowId: capped, monthlyCapUsd: 0 });
    await expect(startRun(harness.db, { workspaceId, workflowId: capped, input: {}, trigger: "manual", startedBy: "budget test" })).rejects.toBeInstanceOf(BudgetExceededError);
    expect((await asAdmin.budgets.removeWorkflowCap({ workflowId: capped })).workflowCaps).toEqual([]);
    await paidRun(workspaceId, capped);
    const audit = await harness.db.auditEntry.findMany({ where: { workspaceId, action: { startsWith: "budget.workflow_cap" } }, orderBy: { at: "asc" }, select: { action: true, details: true } });
    expect(audit.map((entry) => entry.action)).toEqual(["budget.workflow_cap_set", "budget.workflow_cap_set", "budget.workflow_cap_set", "budget.workflow_cap_removed"]);
    expect(audit[2]?.details).toMatchObject({ monthlyCapUsd: 0, previousCapUsd: 10_000 });
    // Removing a cap that is not there changes nothing and records nothing.
    await removeWorkflowCap(harness.db, system(workspaceId), { workflowId: capped });
    expect(await harness.db.auditEntry.count({ where: { workspaceId, action: "budget.workflow_cap_removed" } })).toBe(1);
  });

  it("names the workspace's budget when both are reached", async () => {
    const workspaceId = await pricedWorkspace("workflow budget both");
    const workflowId = await namedWorkflow(workspaceId, "Both capped", agentGraph());
    await setWorkflowCap(harness.db, system(workspaceId), { workflowId, monthlyCapUsd: 0 });
    await expect(startRun(harness.db, { workspaceId, workflowId, input: {}, trigger: "manual", startedBy: "budget test" })).rejects.toThrow(/^The monthly budget of workflow "Both capped" is reached: spent \$0\.00 of \$0\.00/);
    await setBudget(harness.db, system(workspaceId), { monthlyCapUsd: 0 });
    await expect(startRun(harness.db, { workspaceId, workflowId, input: {}, trigger: "manual", startedBy: "budget test" })).rejects.toThrow(/^The workspace's monthly budget is reached/);
  });

  it("pauses a running run of the workflow before its next model call, says which budget, and resumes it after the override", async () => {
    const workspaceId = await pricedWorkspace("workflow budget pause");
    const gated = await namedWorkflow(workspaceId, "Gated writer", gateThenAgentGraph());
    const other = await namedWorkflow(workspaceId, "Other writer", gateThenAgentGraph());
    const start = async (workflowId: string) => (await startRun(harness.db, { workspaceId, workflowId, input: {}, trigger: "manual", startedBy: "budget test" })).runId;
    const gatedRun = await start(gated);
    const otherRun = await start(other);
    await waitForRun(harness.db, gatedRun, ["waiting_for_human"]);
    await waitForRun(harness.db, otherRun, ["waiting_for_human"]);
    // The workflow's budget runs out while its run waits for a person ($0 of $0: reached).
    await setWorkflowCap(harness.db, system(workspaceId), { workflowId: gated, monthlyCapUsd: 0 });
    const requestsBefore = paid.requests();
    for (const runId of [gatedRun, otherRun]) {
      const task = await harness.db.humanTask.findFirstOrThrow({ where: { runId, status: "pending" } });
      await respondToHumanTask(harness.db, system(workspaceId), { taskId: task.id, decision: "approve" });
    }

    await waitForRun(harness.db, gatedRun, ["paused"]);
    const events = await getRunEvents(harness.db, gatedRun);
    expect(events.findLast((event) => event.type === "run_paused")).toMatchObject({ type: "run_paused", by: `${BUDGET_PAUSE_BY} of workflow "Gated writer" (spent $0.00 of $0.00 this month)` });
    expect(events.some((event) => event.type === "llm_response")).toBe(false);
    // The other workflow's run is not under that cap: it goes on and pays its model call.
    const otherDone = await waitForRun(harness.db, otherRun, ["succeeded", "failed"]);
    expect(otherDone.status, otherDone.error ?? "").toBe("succeeded");
    expect(paid.requests()).toBe(requestsBefore + 1);
    expect((await budgetOverview(harness.db, workspaceId)).pausedRuns).toBe(1);

    // Still blocked by the workflow's cap: refused, naming it.
    await expect(resumeBudgetPausedRuns(harness.db, system(workspaceId))).rejects.toThrow(/^The monthly budget of workflow "Gated writer" still blocks runs: spent \$0\.00 of \$0\.00 this month; raise the workflow's cap or allow an override first$/);
    await (await callerFor(owner, workspaceId)).budgets.override({ until: new Date(Date.now() + 86_400_000).toISOString() });
    expect(await (await callerFor(editor, workspaceId)).budgets.resumePaused()).toEqual({ resumed: 1, stillBlocked: 0 });
    const done = await waitForRun(harness.db, gatedRun, ["succeeded", "failed"]);
    expect(done.status, done.error ?? "").toBe("succeeded");
    expect(paid.requests()).toBe(requestsBefore + 2);
  });

  it("counts a sub-workflow's child run toward the calling workflow's budget, not the called one's", async () => {
    const workspaceId = await pricedWorkspace("workflow budget children");
    const called = await namedWorkflow(workspaceId, "Called writer", agentGraph());
    await publishVersion(harness.db, workspaceId, called);
    const callerGraph = buildGraph(
      [["trigger", "trigger"], ["call", "subworkflow", { workflowId: called, input: "{}" }], ["out", "output"]],
      [["trigger", "call"], ["call", "out"]],
    );
    const caller = await namedWorkflow(workspaceId, "Caller", callerGraph);
    await setWorkflowCap(harness.db, system(workspaceId), { workflowId: caller, monthlyCapUsd: 1 });
    await setWorkflowCap(harness.db, system(workspaceId), { workflowId: called, monthlyCapUsd: 1 });
    const { runId } = await startRun(harness.db, { workspaceId, workflowId: caller, input: {}, trigger: "manual", startedBy: "budget test" });
    const parent = await waitForRun(harness.db, runId, ["succeeded", "failed"], 30_000);
    expect(parent.status, parent.error ?? "").toBe("succeeded");
    const child = await harness.db.run.findFirstOrThrow({ where: { callerRunId: runId }, select: { workflowId: true, budgetWorkflowId: true, costUsd: true } });
    expect(child).toMatchObject({ workflowId: called, budgetWorkflowId: caller });
    expect(child.costUsd).toBeGreaterThan(1);

    const caps = Object.fromEntries((await budgetOverview(harness.db, workspaceId)).workflowCaps.map((cap) => [cap.name, cap]));
    expect(caps["Caller"]?.spentUsd).toBeCloseTo(parent.costUsd + child.costUsd, 9);
    expect(caps["Caller"]?.reached).toBe(true);
    expect(caps["Called writer"]).toMatchObject({ spentUsd: 0, reached: false });
    await expect(startRun(harness.db, { workspaceId, workflowId: caller, input: {}, trigger: "manual", startedBy: "budget test" })).rejects.toThrow(/workflow "Caller" is reached/);
    // Started on its own, the called workflow counts toward itself.
    await paidRun(workspaceId, called);
    expect((await budgetOverview(harness.db, workspaceId)).workflowCaps.find((cap) => cap.name === "Called writer")?.reached).toBe(true);
  });

  it("reads a workflow's month over the (budgetWorkflowId, createdAt) index", async () => {
    // Seq scans off: on a test-sized table the planner would scan anyway; this proves the index exists and serves the query.
    const plan = await harness.db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe("SET LOCAL enable_seqscan = off");
      return tx.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(
        `EXPLAIN SELECT COALESCE(SUM(r."costUsd"), 0) FROM "Run" r WHERE r."budgetWorkflowId" = 'wf_x' AND r."createdAt" >= now() - interval '1 month'`,
      );
    });
    expect(plan.map((line) => line["QUERY PLAN"]).join("\n")).toContain("Run_budgetWorkflowId_createdAt_idx");
  });

  it("refuses a bad cap naming the field, and another workspace's workflow as not found", async () => {
    expect(setWorkflowCapSchema.safeParse({ workflowId: "wf_1", monthlyCapUsd: -1 }).success).toBe(false);
    expect(setWorkflowCapSchema.safeParse({ workflowId: "wf_1", monthlyCapUsd: Number.NaN }).success).toBe(false);
    expect(setWorkflowCapSchema.safeParse({ workflowId: "wf_1", monthlyCapUsd: Number.POSITIVE_INFINITY }).success).toBe(false);
    expect(setWorkflowCapSchema.safeParse({ workflowId: "", monthlyCapUsd: 1 }).success).toBe(false);
    const workspaceId = await pricedWorkspace("workflow budget validation");
    const elsewhere = await pricedWorkspace("workflow budget elsewhere");
    const foreign = await namedWorkflow(elsewhere, "Not yours", agentGraph());
    const own = await namedWorkflow(workspaceId, "Yours", agentGraph());
    const asOwner = await callerFor(owner, workspaceId);
    // A 400 naming the field: by the input schema (zod issues) or by the input guard before it (UserInputError's path).
    const badField = (path: string) => (error: unknown) => {
      if (!(error instanceof TRPCError) || error.code !== "BAD_REQUEST") return false;
      if (error.cause instanceof UserInputError) return error.cause.path === path;
      const issues = (error.cause as { issues?: { path: unknown[] }[] } | undefined)?.issues ?? [];
      return issues.some((issue) => issue.path.join(".") === path);
    };
    await expect(asOwner.budgets.setWorkflowCap({ workflowId: own, monthlyCapUsd: -5 })).rejects.toSatisfy(badField("monthlyCapUsd"));
    await expect(asOwner.budgets.setWorkflowCap({ workflowId: own, monthlyCapUsd: Number.NaN })).rejects.toSatisfy(badField("monthlyCapUsd"));
    await expect(asOwner.budgets.setWorkflowCap({ workflowId: "not an id!", monthlyCapUsd: 5 })).rejects.toSatisfy(badField("workflowId"));
    await expect(asOwner.budgets.setWorkflowCap({ workflowId: foreign, monthlyCapUsd: 5 })).rejects.toSatisfy(trpcRefusal("NOT_FOUND"));
    await expect(asOwner.budgets.removeWorkflowCap({ workflowId: foreign })).rejects.toSatisfy(trpcRefusal("NOT_FOUND"));
    await expect(asOwner.budgets.setWorkflowCap({ workflowId: "wf_missing", monthlyCapUsd: 5 })).rejects.toSatisfy(trpcRefusal("NOT_FOUND"));
    expect(await harness.db.workflowBudget.count({ where: { workflowId: { in: [own, foreign] } } })).toBe(0);
    expect(await harness.db.auditEntry.count({ where: { workspaceId, action: { startsWith: "budget.workflow_cap" } } })).toBe(0);
  });
});
