import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitForRun, type Harness } from "./support/harness";
import type { Db } from "../server/db";
import type { Graph } from "../server/engine/graph";
import { buildGraph } from "../server/engine/test-helpers";
import { CorruptRunDataError } from "../server/engine/events";
import { replay } from "../server/engine/state";
import { step } from "../server/engine/step";
import { startRun } from "../server/runs/start-run";
import { respondToHumanTask } from "../server/runs/respond-human";
import { forkRun, rerunRun, retryRun } from "../server/runs/lineage";
import { expireOverdueTasks } from "../server/runs/human-timeouts";
import { getRunDetail, getRunEvents } from "../server/runs/queries";
import { loadRun } from "../server/runs/load";
import { createWorkflow } from "../server/workflows/workflows";
import { newId } from "../server/ids";
import { createTestApiKey } from "./support/identities";
import { testAccess, testRunScope, testWorkspace } from "./support/workspace";
import * as runActionRoute from "../app/api/v1/runs/[runId]/[action]/route";
import * as humanTaskRoute from "../app/api/v1/human-tasks/[taskId]/route";
import * as runRoute from "../app/api/v1/runs/[runId]/route";

/**
 * Operating runs on the real worker, Postgres, Redis and the demo model over HTTP: review with
 * edits and reasons, timeouts, re-run, retry (model requests counted at the demo model) and
 * fork. The harness checks at the end that every run — forks included — replays from its log.
 */

let harness: Harness;
let db: Db;

beforeAll(async () => {
  // Each model error is one request (no client retries), so the counts below are exact.
  harness = await startHarness({ env: { LLM_MAX_RETRIES: "0" } });
  ({ db } = harness);
});

afterAll(() => harness.stop());

async function workflowOf(name: string, graph: Graph): Promise<string> {
  return (await createWorkflow(db, await testWorkspace(db), { name, graph })).id;
}

async function pendingTask(runId: string) {
  await waitForRun(db, runId, ["waiting_for_human"]);
  return db.humanTask.findFirstOrThrow({ where: { runId, status: "pending" } });
}

const reviewGraph = (human: Record<string, unknown> = {}) =>
  buildGraph(
    [
      ["trigger", "trigger"],
      ["writer", "agent", { task: "Write a tagline about {{input.topic}}" }],
      ["review", "human", { message: "Is this good for {{input.topic}}? {{previous}}", ...human }],
      ["out", "output"],
      ["revise", "output", { label: "Revise" }],
      ["late", "output", { label: "Late" }],
    ],
    [
      ["trigger", "writer"],
      ["writer", "review"],
      ["review", "out", "approve"],
      ["review", "revise", "reject"],
      ["review", "late", "timeout"],
    ],
  );

describe("review with context", () => {
  it("asks with the rendered message and the content, and passes the reviewer's edit on", async () => {
    const workflowId = await workflowOf("review edit", reviewGraph());
    const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId, input: { topic: "kayaks" }, trigger: "manual" });
    const task = await pendingTask(runId);
    expect(task.message).toMatch(/^Is this good for kayaks\? Demo answer to: "Write a tagline about kayaks"/);
    expect(task.context).toEqual(expect.stringContaining("Demo answer to"));

    await respondToHumanTask(db, await testAccess(db), { taskId: task.id, decision: "approve", editedContent: "Kayaks: paddle your own way." });
    const done = await waitForRun(db, runId, ["succeeded"]);
    expect(done.output).toBe("Kayaks: paddle your own way.");
    const events = await getRunEvents(db, runId);
    // The original stays in the log, beside the edit.
    expect(events.find((event) => event.type === "human_requested")).toMatchObject({ context: task.context });
    expect(events.find((event) => event.type === "human_responded")).toMatchObject({ editedContent: "Kayaks: paddle your own way." });
    const audit = await db.auditEntry.findFirst({ where: { targetId: task.id } });
    expect(audit?.action).toBe("human_task.content_edited");
  });

  it("routes a rejection's reason on the reject branch", async () => {
    const workflowId = await workflowOf("review reject", reviewGraph());
    const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId, input: { topic: "tents" }, trigger: "manual" });
    const task = await pendingTask(runId);
    await respondToHumanTask(db, await testAccess(db), { taskId: task.id, decision: "reject", comment: "Mention the weight" });
    const done = await waitForRun(db, runId, ["succeeded"]);
    expect(done.output).toEqual({ content: task.context, reason: "Mention the weight" });
  });

  it("refuses an edit where the builder did not allow one, and an edit with a rejection (400 over REST)", async () => {
    const workflowId = await workflowOf("review no edit", reviewGraph({ allowEdit: false }));
    const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId, input: { topic: "boots" }, trigger: "manual" });
    const task = await pendingTask(runId);
    await expect(respondToHumanTask(db, await testAccess(db), { taskId: task.id, decision: "approve", editedContent: "x" })).rejects.toThrow(/does not let the reviewer edit/);

    const key = await createTestApiKey(db, await testWorkspace(db), ["control"]);
    const post = (body: unknown) =>
      humanTaskRoute.POST(
        new Request(`http://localhost:3100/api/v1/human-tasks/${task.id}`, {
          method: "POST",
          headers: { host: "localhost:3100", authorization: `Bearer ${key.token}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        }),
        { params: Promise.resolve({ taskId: task.id }) },
      );
    const refused = await post({ decision: "maybe" });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { path: "decision" } });
    const answered = await post({ decision: "reject", reason: "not today" });
    expect(answered.status).toBe(200);
    expect((await waitForRun(db, runId, ["succeeded"])).output).toMatchObject({ reason: "not today" });
  });
});

describe("timeouts", () => {
  it("answers an overdue task as the node says, through the timeout branch", async () => {
    const workflowId = await workflowOf("timeout", reviewGraph({ timeoutSeconds: 60, onTimeout: "timeout" }));
    const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId, input: { topic: "lamps" }, trigger: "manual" });
    const task = await pendingTask(runId);
    expect(task.dueAt).not.toBeNull();
    // Nothing is overdue yet; a minute later it is.
    expect((await expireOverdueTasks(db, new Date())).expired).not.toContain(task.id);
    const report = await expireOverdueTasks(db, new Date(Date.now() + 61_000));
    expect(report.expired).toContain(task.id);
    const done = await waitForRun(db, runId, ["succeeded"]);
    expect(done.output).toBe(task.context);
    const state = (await loadRun(db, runId)).state;
    expect(state.nodes.late?.status).toBe("succeeded");
    expect((await db.humanTask.findUniqueOrThrow({ where: { id: task.id } })).status).toBe("timed_out");
  });

  it("never overrides a person who answered first", async () => {
    const workflowId = await workflowOf("timeout raced", reviewGraph({ timeoutSeconds: 1, onTimeout: "reject" }));
    const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId, input: { topic: "mugs" }, trigger: "manual" });
    const task = await pendingTask(runId);
    await respondToHumanTask(db, await testAccess(db), { taskId: task.id, decision: "approve" });
    expect((await expireOverdueTasks(db, new Date(Date.now() + 5_000))).expired).not.toContain(task.id);
    expect((await waitForRun(db, runId, ["succeeded"])).output).toBe(task.context);
  });
});

/** trigger → a → b → out; when flaky, b's model answers 500 three times (the demo model's fault mode). */
const chainGraph = (tag: string, flaky = true) =>
  buildGraph(
    [
      ["trigger", "trigger"],
      ["a", "agent", { task: `Research ${tag}: {{input.topic}}` }],
      ["b", "agent", { systemPrompt: `You are a careful editor.${flaky ? " #demo:500:3" : ""}`, task: `Edit ${tag}: {{previous}}` }],
      ["out", "output"],
    ],
    [
      ["trigger", "a"],
      ["a", "b"],
      ["b", "out"],
    ],
  );

/** Runs the flaky graph until b has failed three times and a reviewer stopped it: the run failed. */
async function failedRun(tag: string): Promise<string> {
  const workflowId = await workflowOf(`flaky ${tag}`, chainGraph(tag));
  const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId, input: { topic: tag }, trigger: "manual" });
  const ask = await pendingTask(runId);
  expect(ask.kind).toBe("errors");
  await respondToHumanTask(db, await testAccess(db), { taskId: ask.id, decision: "reject", comment: "stop for now" });
  await waitForRun(db, runId, ["failed"]);
  return runId;
}

describe("retry", () => {
  it("continues the same run from the failed step, paying only for what had not succeeded", async () => {
    const runId = await failedRun("retry");
    const before = harness.demo.requests();
    await retryRun(db, await testAccess(db), runId);
    const done = await waitForRun(db, runId, ["succeeded"]);
    // One model request: b's (its fault count is spent). a's reply was reused, not bought again.
    expect(harness.demo.requests() - before).toBe(1);
    const events = await getRunEvents(db, runId);
    expect(events.filter((event) => event.type === "llm_response" && event.nodeId === "a")).toHaveLength(1);
    expect(events.some((event) => event.type === "run_retried")).toBe(true);
    expect(done.output).toEqual(expect.stringContaining("Demo answer"));
  });

  it("refuses to retry a run that did not fail, with a reason", async () => {
    const workflowId = await workflowOf("ok", reviewGraph());
    const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId, input: { topic: "ok" }, trigger: "manual" });
    await pendingTask(runId);
    await expect(retryRun(db, await testAccess(db), runId)).rejects.toThrow(/Only a failed or cancelled run can be retried/);
  });

  it("retries a cancelled run that waited for a person: the person is asked again", async () => {
    const workflowId = await workflowOf("cancelled", reviewGraph());
    const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId, input: { topic: "cancel" }, trigger: "manual" });
    await pendingTask(runId);
    const access = await testAccess(db);
    const { cancelRun } = await import("../server/runs/control");
    await cancelRun(db, runId, "test");
    await retryRun(db, access, runId);
    const again = await pendingTask(runId);
    await respondToHumanTask(db, access, { taskId: again.id, decision: "approve" });
    await waitForRun(db, runId, ["succeeded"]);
  });
});

describe("re-run and fork", () => {
  it("re-runs with the same input on the same version, linked to its parent", async () => {
    const parentId = await failedRun("rerun");
    const { runId } = await rerunRun(db, await testAccess(db), parentId, "same");
    const [parent, child] = await Promise.all([db.run.findUniqueOrThrow({ where: { id: parentId } }), db.run.findUniqueOrThrow({ where: { id: runId } })]);
    expect(child).toMatchObject({ parentRunId: parentId, origin: "rerun", versionId: parent.versionId, input: parent.input });
    const detail = await getRunDetail(db, await testWorkspace(db), parentId);
    expect(detail.children.map((c) => c.id)).toContain(runId);
  });

  it("forks from a node's finished event with an edited output: nothing before it runs again", async () => {
    const workflowId = await workflowOf("fork", chainGraph("fork", false));
    const { runId: parentId } = await startRun(db, { ...(await testRunScope(db)), workflowId, input: { topic: "fork" }, trigger: "manual" });
    await waitForRun(db, parentId, ["succeeded"]);
    const parentEvents = await getRunEvents(db, parentId);
    const aFinished = parentEvents.find((event) => event.type === "node_finished" && event.nodeId === "a");
    if (!aFinished) throw new Error("a never finished");
    const before = harness.demo.requests();
    const { runId } = await forkRun(db, await testAccess(db), parentId, aFinished.seq, { kind: "node_output", nodeId: "a", value: "An edited brief" });
    const fork = await waitForRun(db, runId, ["succeeded"]);
    // Only b was asked (once, with the edit): a's work came with the shared history.
    expect(harness.demo.requests() - before).toBe(1);
    expect(fork.output).toEqual(expect.stringContaining("An edited brief"));
    expect(fork).toMatchObject({ parentRunId: parentId, origin: "fork", forkedAtSeq: aFinished.seq });
    const forkEvents = await getRunEvents(db, runId);
    // The fork's log is the parent's prefix plus its own; its state is their fold.
    expect(forkEvents.slice(0, aFinished.seq)).toEqual(parentEvents.slice(0, aFinished.seq));
    expect(forkEvents[aFinished.seq]).toMatchObject({ type: "run_forked", fromRunId: parentId, atSeq: aFinished.seq });
    expect(forkEvents.slice(aFinished.seq).some((event) => event.type === "node_started" && event.nodeId === "a")).toBe(false);
    expect(replay(forkEvents, step)).toEqual((await loadRun(db, runId)).state);
  });

  it("refuses a fork at an event that does not exist or with an edit that does not fit (400 over REST)", async () => {
    const parentId = await failedRun("fork-bad");
    const key = await createTestApiKey(db, await testWorkspace(db), ["trigger"]);
    const post = (action: string, body: unknown) =>
      runActionRoute.POST(
        new Request(`http://localhost:3100/api/v1/runs/${parentId}/${action}`, {
          method: "POST",
          headers: { host: "localhost:3100", authorization: `Bearer ${key.token}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        }),
        { params: Promise.resolve({ runId: parentId, action }) },
      );
    const tooFar = await post("fork", { atSeq: 10_000 });
    expect(tooFar.status).toBe(400);
    expect(await tooFar.json()).toMatchObject({ error: { path: "atSeq" } });
    const badEdit = await post("fork", { atSeq: 2, edit: { kind: "node_output", nodeId: "b", value: 1 } });
    expect(badEdit.status).toBe(400);
    expect(await badEdit.json()).toMatchObject({ error: { path: "edit" } });
    const noKind = await post("fork", { atSeq: 2, edit: { nodeId: "a" } });
    expect(noKind.status).toBe(400);
    // A trigger key starts runs, so it may re-run and fork, but not retry (control).
    const rerun = await post("rerun", { version: "latest" });
    expect(rerun.status).toBe(201);
    expect((await post("retry", {})).status).toBe(403);
  });
});

describe("time travel over REST", () => {
  it("answers a run's events and its state at any event; a bad atSeq is a 400 naming it", async () => {
    const workflowId = await workflowOf("rest state", chainGraph("rest", false));
    const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId, input: { topic: "rest" }, trigger: "manual" });
    await waitForRun(db, runId, ["succeeded"]);
    const key = await createTestApiKey(db, await testWorkspace(db), ["read"]);
    const get = (query: string) =>
      runRoute.GET(new Request(`http://localhost:3100/api/v1/runs/${runId}${query}`, { headers: { host: "localhost:3100", authorization: `Bearer ${key.token}` } }), {
        params: Promise.resolve({ runId }),
      });
    const events = await getRunEvents(db, runId);
    const aFinished = events.find((event) => event.type === "node_finished" && event.nodeId === "a");
    if (!aFinished) throw new Error("a never finished");

    const withEvents = (await (await get("?events=true")).json()) as { events: unknown[] };
    expect(withEvents.events).toHaveLength(events.length);
    const atA = (await (await get(`?atSeq=${aFinished.seq}`)).json()) as { state: { nodes: Record<string, { status: string }> } };
    expect(atA.state).toEqual(replay(events.slice(0, aFinished.seq), step));
    expect(atA.state.nodes.a?.status).toBe("succeeded");
    expect(atA.state.nodes.b).toBeUndefined();

    for (const bad of ["?atSeq=0", "?atSeq=abc", `?atSeq=${events.length + 1}`]) {
      const response = await get(bad);
      expect(response.status, bad).toBe(400);
      expect(await response.json()).toMatchObject({ error: { path: "atSeq" } });
    }
  });
});

describe("the stored log", () => {
  it("is checked when read: an event that does not parse is reported with its place, never folded", async () => {
    const workflowId = await workflowOf("corrupt", reviewGraph());
    const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId, input: { topic: "x" }, trigger: "manual" });
    await pendingTask(runId);
    await db.runStep.create({ data: { id: newId("evt"), runId, seq: 999, type: "node_finished", nodeId: "x", payload: { type: "node_finished", seq: 999 } } });
    await expect(getRunEvents(db, runId)).rejects.toThrow(CorruptRunDataError);
    await expect(getRunEvents(db, runId)).rejects.toThrow(/event #\d+.*nodeId/);
    // Not a run the replay check should see.
    await db.run.delete({ where: { id: runId } });
  });
});
