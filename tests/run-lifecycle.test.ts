import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitForRun, waitUntil, type Harness } from "./support/harness";
import { getRunsQueue } from "../server/queue";
import type { Graph } from "../server/engine/graph";
import type { Db } from "../server/db";
import { startRun } from "../server/runs/start-run";
import { respondToHumanTask } from "../server/runs/respond-human";
import { createWorkflow } from "../server/workflows/workflows";
import { buildGraph } from "../server/engine/test-helpers";
import { replay } from "../server/engine/state";
import { step } from "../server/engine/step";
import { getRunEvents } from "../server/runs/queries";
import { testAccess, testRunScope, testWorkspace } from "./support/workspace";
import { commitEvents, StaleRunError } from "../server/runs/commit";
import { createSubscriber, runChannel } from "../server/events";
import { newId } from "../server/ids";
import type { RunState } from "../server/engine/state";

/**
 * The whole run path on real parts: Postgres, Redis/BullMQ, the demo model over HTTP,
 * the worker loop, the human gate. No mocks. (Env is read lazily, so isolating it in
 * beforeAll is early enough.)
 */

let harness: Harness;
let db: Db;
let demo: Harness["demo"];
const mod = { startRun, respond: respondToHumanTask, createWorkflow, buildGraph, replay, step, getRunEvents };

beforeAll(async () => {
  harness = await startHarness();
  ({ db, demo } = harness);
});

afterAll(() => harness.stop());

const waitForStatus = (runId: string, statuses: string[]) => waitForRun(db, runId, statuses);

function approvalGraph(): Graph {
  return mod.buildGraph(
    [
      ["trigger", "trigger"],
      ["writer", "agent", { task: "Write release notes about {{input.topic}}" }],
      ["review", "human", { message: "Approve the notes?" }],
      ["out", "output"],
    ],
    [
      ["trigger", "writer"],
      ["writer", "review"],
      ["review", "out", "approve"],
    ],
  );
}

describe("run lifecycle", () => {
  it("runs an agent on the demo model, waits for a human, and finishes on approve", async () => {
    const { id: workflowId } = await mod.createWorkflow(db, await testWorkspace(db), { name: "lifecycle", graph: approvalGraph() });
    const before = demo.requests();
    const { runId } = await mod.startRun(db, { ...(await testRunScope(db)), workflowId, input: { topic: "dark mode" }, trigger: "manual" });

    const waiting = await waitForStatus(runId, ["waiting_for_human"]);
    expect(waiting.status).toBe("waiting_for_human");
    expect(demo.requests() - before).toBe(1);
    const task = await db.humanTask.findFirstOrThrow({ where: { runId, status: "pending" } });
    expect(task.nodeId).toBe("review");
    expect(String(task.context)).toContain("dark mode");

    await mod.respond(db, await testAccess(db), { taskId: task.id, decision: "approve" });
    await expect(mod.respond(db, await testAccess(db), { taskId: task.id, decision: "reject" })).rejects.toThrow(/already answered/);

    const done = await waitForStatus(runId, ["succeeded", "failed"]);
    expect(done.status).toBe("succeeded");
    expect(String(done.output)).toContain('Demo answer to: "Write release notes about dark mode"');
    expect(done.tokens).toBeGreaterThan(0);

    // The stored state is exactly the fold of the stored log; seqs are 1..n without gaps.
    const events = await mod.getRunEvents(db, runId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(mod.replay(events, mod.step)).toEqual(done.state);
    expect(events.at(-1)).toMatchObject({ type: "run_finished", status: "succeeded" });
  });

  it("ends rejected when the reviewer rejects", async () => {
    const { id: workflowId } = await mod.createWorkflow(db, await testWorkspace(db), { name: "reject", graph: approvalGraph() });
    const { runId } = await mod.startRun(db, { ...(await testRunScope(db)), workflowId, input: { topic: "x" }, trigger: "api" });
    await waitForStatus(runId, ["waiting_for_human"]);
    const task = await db.humanTask.findFirstOrThrow({ where: { runId } });
    await mod.respond(db, await testAccess(db), { taskId: task.id, decision: "reject", comment: "not good" });
    const done = await waitForStatus(runId, ["rejected", "succeeded", "failed"]);
    expect(done.status).toBe("rejected");
  });

  it("keeps input keys named __proto__, constructor and prototype as data, in the state, the log and the human task", async () => {
    const { id: workflowId } = await mod.createWorkflow(db, await testWorkspace(db), { name: "odd keys", graph: approvalGraph() });
    const input = JSON.parse('{"__proto__":{"polluted":"yes"},"constructor":"c","prototype":1,"topic":"keys"}') as Record<string, unknown>;
    const { runId } = await mod.startRun(db, { ...(await testRunScope(db)), workflowId, input, trigger: "api" });
    const waiting = await waitForStatus(runId, ["waiting_for_human"]);
    // Written with the human task's row too: the stored state is still the fold of the log.
    const events = await mod.getRunEvents(db, runId);
    expect(mod.replay(events, mod.step)).toEqual(waiting.state);
    const stateInput = (waiting.state as { input: Record<string, unknown> }).input;
    expect(Object.hasOwn(stateInput, "__proto__")).toBe(true);
    expect(stateInput).toMatchObject({ constructor: "c", prototype: 1, topic: "keys" });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("asks a gate's person in one commit with the task row: the run goes in with its steps up to the gate, the worker asks", async () => {
    const graph = mod.buildGraph(
      [
        ["trigger", "trigger"],
        ["review", "human", { message: "Ship {{input.topic}}?", timeoutSeconds: 600 }],
        ["out", "output"],
      ],
      [
        ["trigger", "review"],
        ["review", "out", "approve"],
      ],
    );
    const { id: workflowId } = await mod.createWorkflow(db, await testWorkspace(db), { name: "one commit per gate", graph });
    const runId = newId("run");
    const notices: { type: string; nodeId?: string; seq: number }[][] = [];
    const subscriber = createSubscriber();
    try {
      subscriber.on("message", (_channel: string, message: string) => notices.push(JSON.parse(message) as { type: string; seq: number }[]));
      await subscriber.subscribe(runChannel(runId));
      await mod.startRun(db, { ...(await testRunScope(db)), runId, workflowId, input: { topic: "v2" }, trigger: "api" });
      await waitForStatus(runId, ["waiting_for_human"]);
      await waitUntil(() => notices.flat().some((event) => event.type === "human_requested"), "the human_requested notice");
    } finally {
      await subscriber.quit();
    }
    // The run goes in with its pure steps up to the gate (one notice); the worker asks the person in one commit (one more).
    expect(notices.map((events) => events.map((event) => `${event.type}:${event.nodeId ?? ""}`))).toEqual([
      ["run_started:", "node_started:trigger", "node_finished:trigger", "node_started:review"],
      ["human_requested:review"],
    ]);
    const asking = notices[1] ?? [];
    const task = await db.humanTask.findFirstOrThrow({ where: { runId } });
    expect(task).toMatchObject({ nodeId: "review", kind: "gate", status: "pending", message: "Ship v2?" });
    expect(task.dueAt?.getTime()).toBeGreaterThan(Date.now() + 590_000);
    expect(asking.find((event) => event.type === "human_requested")).toMatchObject({ taskId: task.id });
  });

  it("a commit that lost the race to another writer inserts no task row", async () => {
    const { id: workflowId } = await mod.createWorkflow(db, await testWorkspace(db), { name: "stale ask", graph: approvalGraph() });
    const { runId } = await mod.startRun(db, { ...(await testRunScope(db)), workflowId, input: { topic: "race" }, trigger: "api" });
    const waiting = await waitForStatus(runId, ["waiting_for_human"]);
    const stale = { ...(waiting.state as RunState), lastSeq: (waiting.state as RunState).lastSeq - 1 };
    const task = { id: newId("ht"), nodeId: "review", kind: "gate", status: "pending" as const, message: "again?", context: null, dueAt: null };
    await expect(commitEvents(db, runId, stale, [{ type: "human_requested", nodeId: "review", taskId: task.id, kind: "gate", message: "again?", context: null }], { humanTasks: [task] })).rejects.toThrow(StaleRunError);
    expect(await db.humanTask.count({ where: { id: task.id } })).toBe(0);
    expect(await db.humanTask.count({ where: { runId } })).toBe(1);
  });

  it("ten people answering one task at once: one answer is recorded, closed and audited once, the others are refused", async () => {
    const { id: workflowId } = await mod.createWorkflow(db, await testWorkspace(db), { name: "answer race", graph: approvalGraph() });
    const { runId } = await mod.startRun(db, { ...(await testRunScope(db)), workflowId, input: { topic: "race" }, trigger: "api" });
    await waitForStatus(runId, ["waiting_for_human"]);
    const task = await db.humanTask.findFirstOrThrow({ where: { runId } });
    const access = await testAccess(db);
    const answers = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => mod.respond(db, access, { taskId: task.id, decision: i % 2 === 0 ? "approve" : "reject", comment: `answer ${i}` })),
    );
    const refused = answers.filter((answer) => answer.status === "rejected");
    expect(answers.filter((answer) => answer.status === "fulfilled")).toHaveLength(1);
    for (const answer of refused) expect(String(answer.reason)).toMatch(/already answered|busy/);
    const events = (await mod.getRunEvents(db, runId)).filter((event) => event.type === "human_responded");
    expect(events).toHaveLength(1);
    const closed = await db.humanTask.findUniqueOrThrow({ where: { id: task.id } });
    const winner = events[0] as { decision: string; comment: string };
    expect(closed).toMatchObject({ status: winner.decision === "approve" ? "approved" : "rejected", comment: winner.comment, respondedByName: expect.any(String) });
    expect(closed.respondedAt).toBeInstanceOf(Date);
    const audited = await db.auditEntry.findMany({ where: { targetId: task.id } });
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ action: winner.decision === "approve" ? "human_task.approved" : "human_task.rejected", details: { runId, comment: winner.comment } });
  });

  it("refuses to start an invalid workflow and saves nothing", async () => {
    const graph = mod.buildGraph([["a", "agent"]], []);
    const { id: workflowId } = await mod.createWorkflow(db, await testWorkspace(db), { name: "invalid", graph });
    await expect(mod.startRun(db, { ...(await testRunScope(db)), workflowId, input: {}, trigger: "manual" })).rejects.toThrow(/needs a Trigger/);
    expect(await db.run.count({ where: { workflowId } })).toBe(0);
  });
});

describe("run control", () => {
  it("pauses a waiting run, records the answer without resuming, and resumes to the end", async () => {
    const { pauseRun, resumeRun } = await import("../server/runs/control");
    const { id: workflowId } = await mod.createWorkflow(db, await testWorkspace(db), { name: "pause", graph: approvalGraph() });
    const { runId } = await mod.startRun(db, { ...(await testRunScope(db)), workflowId, input: { topic: "p" }, trigger: "manual" });
    await waitForStatus(runId, ["waiting_for_human"]);
    await pauseRun(db, runId);
    const task = await db.humanTask.findFirstOrThrow({ where: { runId } });
    await mod.respond(db, await testAccess(db), { taskId: task.id, decision: "approve" });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await db.run.findUniqueOrThrow({ where: { id: runId } })).status).toBe("paused");
    await resumeRun(db, runId);
    expect((await waitForStatus(runId, ["succeeded", "failed"])).status).toBe("succeeded");
  });

  it("cancels a waiting run and closes its human task", async () => {
    const { cancelRun } = await import("../server/runs/control");
    const { id: workflowId } = await mod.createWorkflow(db, await testWorkspace(db), { name: "cancel", graph: approvalGraph() });
    const { runId } = await mod.startRun(db, { ...(await testRunScope(db)), workflowId, input: { topic: "c" }, trigger: "manual" });
    await waitForStatus(runId, ["waiting_for_human"]);
    await cancelRun(db, runId);
    const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("cancelled");
    expect((await db.humanTask.findFirstOrThrow({ where: { runId } })).status).toBe("cancelled");
    await expect(cancelRun(db, runId)).rejects.toThrow(/already ended/);
  });
});

describe("parallel branches", () => {
  it("runs branches concurrently and the join waits for both", async () => {
    const graph = mod.buildGraph(
      [
        ["trigger", "trigger"],
        ["fork", "parallel"],
        ["a", "agent", { task: "Branch A #demo:slow:800" }],
        ["b", "agent", { task: "Branch B #demo:slow:800" }],
        ["join", "join"],
        ["out", "output"],
      ],
      [["trigger", "fork"], ["fork", "a"], ["fork", "b"], ["a", "join"], ["b", "join"], ["join", "out"]],
    );
    const { id: workflowId } = await mod.createWorkflow(db, await testWorkspace(db), { name: "parallel", graph });
    const started = Date.now();
    const { runId } = await mod.startRun(db, { ...(await testRunScope(db)), workflowId, input: {}, trigger: "manual" });
    const done = await waitForStatus(runId, ["succeeded", "failed"]);
    const elapsed = Date.now() - started;
    expect(done.status).toBe("succeeded");
    // Two 800 ms model calls in parallel: well under the 1600 ms they would take in sequence.
    expect(elapsed).toBeLessThan(1_500);
    expect(Object.keys(done.output as Record<string, unknown>).sort()).toEqual(["a", "b"]);
  });
});

describe("branches move independently", () => {
  it("commits a fast branch's steps while a slow sibling's model call is still in flight", async () => {
    const graph = mod.buildGraph(
      [
        ["trigger", "trigger"],
        ["fork", "parallel"],
        ["slow", "agent", { task: "Slow branch #demo:slow:1500" }],
        ["fast", "agent", { task: "Fast branch\n#demo:call:list_files {}", allowedTools: ["list_files"] }],
        ["join", "join"],
        ["out", "output"],
      ],
      [["trigger", "fork"], ["fork", "slow"], ["fork", "fast"], ["slow", "join"], ["fast", "join"], ["join", "out"]],
    );
    const { id: workflowId } = await mod.createWorkflow(db, await testWorkspace(db), { name: "independent branches", graph });
    const { runId } = await mod.startRun(db, { ...(await testRunScope(db)), workflowId, input: {}, trigger: "manual" });
    expect((await waitForStatus(runId, ["succeeded", "failed"])).status).toBe("succeeded");

    const events = await mod.getRunEvents(db, runId);
    const seqOf = (type: string, nodeId: string) => events.find((e) => e.type === type && "nodeId" in e && e.nodeId === nodeId)?.seq ?? -1;
    // The fast branch made two model calls and ran a tool, and finished, before the slow
    // branch's one reply was committed: no lock-step rounds.
    expect(events.filter((e) => e.type === "llm_response" && e.nodeId === "fast")).toHaveLength(2);
    expect(seqOf("tool_result", "fast")).toBeGreaterThan(0);
    expect(seqOf("node_finished", "fast")).toBeLessThan(seqOf("llm_response", "slow"));
    expect(seqOf("node_started", "join")).toBeGreaterThan(seqOf("node_finished", "slow"));
  });
});

describe("one job per run", () => {
  it("an answer given while another branch's model call is in flight continues at once, and no call is made twice", async () => {
    const graph = mod.buildGraph(
      [
        ["trigger", "trigger"],
        ["fork", "parallel"],
        ["review", "human", { message: "Go ahead?" }],
        ["after", "agent", { task: "Follow up on the approval" }],
        ["slow", "agent", { task: "Slow branch #demo:slow:2000" }],
        ["join", "join"],
        ["out", "output"],
      ],
      [["trigger", "fork"], ["fork", "review"], ["review", "after", "approve"], ["fork", "slow"], ["after", "join"], ["slow", "join"], ["join", "out"]],
    );
    const { id: workflowId } = await mod.createWorkflow(db, await testWorkspace(db), { name: "answer mid-flight", graph });
    const before = demo.requests();
    const { runId } = await mod.startRun(db, { ...(await testRunScope(db)), workflowId, input: {}, trigger: "manual" });
    await waitUntil(() => demo.requests() > before, "the slow model call to start");
    const task = await (async () => {
      await waitUntil(async () => (await db.humanTask.count({ where: { runId, status: "pending" } })) === 1, "the review task");
      return db.humanTask.findFirstOrThrow({ where: { runId, status: "pending" } });
    })();
    // Answered while the first job is still waiting on the slow branch: that job re-reads the
    // run and goes on; the job enqueued by the answer waits its turn instead of advancing too.
    await mod.respond(db, await testAccess(db), { taskId: task.id, decision: "approve" });

    expect((await waitForStatus(runId, ["succeeded", "failed"])).status).toBe("succeeded");
    const events = await mod.getRunEvents(db, runId);
    const seqOf = (type: string, nodeId: string) => events.find((e) => e.type === type && "nodeId" in e && e.nodeId === nodeId)?.seq ?? -1;
    expect(seqOf("node_finished", "after")).toBeLessThan(seqOf("llm_response", "slow"));
    // One call for "slow", one for "after": a second job advancing the run would have asked
    // the model for "slow" again.
    expect(demo.requests() - before).toBe(2);
    expect(events.filter((e) => e.type === "llm_response")).toHaveLength(2);
  });
});

describe("pause and cancel during a model call", () => {
  function oneAgent(task: string): Graph {
    return mod.buildGraph(
      [["trigger", "trigger"], ["agent", "agent", { task }], ["out", "output"]],
      [["trigger", "agent"], ["agent", "out"]],
    );
  }

  /** Starts a run and returns once its model call has reached the demo model. */
  async function startWithCallInFlight(task: string) {
    const { id: workflowId } = await mod.createWorkflow(db, await testWorkspace(db), { name: `in flight ${task}`, graph: oneAgent(task) });
    const before = demo.requests();
    const { runId } = await mod.startRun(db, { ...(await testRunScope(db)), workflowId, input: {}, trigger: "manual" });
    await waitUntil(() => demo.requests() > before, "the model call to start");
    return runId;
  }

  it("cancel aborts the in-flight model call at once and commits nothing after it", async () => {
    const { cancelRun } = await import("../server/runs/control");
    const runId = await startWithCallInFlight("Never answers #demo:hang");
    const abandonedBefore = demo.abandoned();
    await cancelRun(db, runId);

    // The demo model never answers and the client's timeout is 30 s: only the cancel can
    // have closed this connection.
    await waitUntil(() => demo.abandoned() > abandonedBefore, "the worker to hang up on the model", 5_000);
    // The worker let go of the run: its job completed.
    await waitUntil(async () => !(await getRunsQueue().getActive()).some((job) => job.data.runId === runId), "the job to end", 5_000);
    const events = await mod.getRunEvents(db, runId);
    expect(events.at(-1)).toMatchObject({ type: "run_finished", status: "cancelled" });
    expect(events.some((e) => e.type === "llm_response" || e.type === "llm_error")).toBe(false);
  });

  it("pause lets the in-flight call finish, keeps its reply, and resume does not ask the model again", async () => {
    const { pauseRun, resumeRun } = await import("../server/runs/control");
    const before = demo.requests();
    const runId = await startWithCallInFlight("Takes a while #demo:slow:600");
    await pauseRun(db, runId);
    // The reply that was already on its way is committed while paused.
    await waitUntil(async () => (await mod.getRunEvents(db, runId)).some((e) => e.type === "llm_response"), "the reply to be committed");
    expect((await db.run.findUniqueOrThrow({ where: { id: runId } })).status).toBe("paused");

    await resumeRun(db, runId);
    expect((await waitForStatus(runId, ["succeeded", "failed"])).status).toBe("succeeded");
    expect(demo.requests() - before).toBe(1);
  });
});

describe("dashboard figures", () => {
  it("counts runs by status and model calls by provider", async () => {
    const { runStats } = await import("../server/runs/stats");
    const stats = await runStats(db, await testWorkspace(db), { sinceHours: 1 });
    const runs = await db.run.count({ where: { workspaceId: await testWorkspace(db) } });
    expect(stats.runs).toBe(runs);
    expect(stats.statusCounts.succeeded).toBeGreaterThan(0);
    expect(stats.statusCounts.cancelled).toBeGreaterThan(0);
    const demoCalls = await db.runStep.count({ where: { type: "llm_response", run: { workspaceId: await testWorkspace(db) } } });
    expect(stats.byProvider).toEqual([expect.objectContaining({ provider: "demo", calls: demoCalls })]);
    expect(stats.tokens).toBeGreaterThan(0);
  });
});
