import { afterAll, beforeAll, expect, it } from "vitest";
import { startHarness, waitForRun, waitUntil, type Harness } from "./support/harness";
import { testAccess, testRunScope, testWorkspace } from "./support/workspace";
import { forkRun, rerunRun, retryRun } from "../server/runs/lineage";
import { createWorkflow } from "../server/workflows/workflows";
import { publishVersion } from "../server/workflows/versions";
import { buildGraph } from "../server/engine/test-helpers";
import { startRun } from "../server/runs/start-run";
import { getRunEvents } from "../server/runs/queries";
import { cancelRun } from "../server/runs/control";
import { loadRun } from "../server/runs/load";
import type { CommittedEvent } from "../server/engine/events";
import type { Graph } from "../server/engine/graph";
import type { Db } from "../server/db";

/**
 * For-each and sub-workflow nodes on the real worker, Postgres, Redis and the demo model over
 * HTTP: each item (and each called workflow) is a child run of its own; the parent waits for
 * them without a job, gathers their outcomes in order, and takes them down when it ends.
 */

let harness: Harness;
let db: Db;

beforeAll(async () => {
  harness = await startHarness();
  db = harness.db;
});

afterAll(() => harness.stop());

async function run(graph: Graph, input: unknown, name: string, options: { publish?: boolean } = {}) {
  const workspaceId = await testWorkspace(db);
  const { id } = await createWorkflow(db, workspaceId, { name, graph });
  if (options.publish) await publishVersion(db, workspaceId, id);
  const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId: id, input, trigger: options.publish ? "api" : "manual" });
  return { workflowId: id, runId };
}

/** The most children in flight at once, as the parent's log tells it. */
function peakInFlight(events: readonly CommittedEvent[]): number {
  let now = 0;
  let peak = 0;
  for (const event of events) {
    if (event.type === "child_started") peak = Math.max(peak, (now += 1));
    if (event.type === "child_finished") now -= 1;
  }
  return peak;
}

const sampleInput = JSON.stringify({ tickets: ["x"] });

it("map-reduce: one child run per item, at most `concurrency` at a time, results in the list's order, then a summary", async () => {
  const tickets = ["printer jammed", "invoice twice", "password reset", "app crashes", "refund please", "dark mode", "slow search"];
  const graph = buildGraph(
    [
      ["trigger", "trigger", { sampleInput }],
      ["each", "for_each", { items: "input.tickets", concurrency: 3 }],
      ["classify", "agent", { task: "Ticket #{{index}}: {{item}}" }],
      ["summarise", "agent", { task: "Summarise {{previous}}" }],
      ["out", "output"],
    ],
    [["trigger", "each"], ["each", "classify", "item"], ["classify", "each"], ["each", "summarise", "done"], ["summarise", "out"]],
  );
  const { runId } = await run(graph, { tickets }, "map-reduce");
  const parent = await waitForRun(db, runId, ["succeeded", "failed"], 30_000);
  expect(parent.status).toBe("succeeded");

  const { state } = await loadRun(db, runId);
  const results = state.nodes.each?.output as string[];
  expect(results).toHaveLength(tickets.length);
  tickets.forEach((ticket, index) => expect(results[index]).toContain(`Ticket #${index}: ${ticket}`));
  expect(String(parent.output)).toContain("Summarise");
  // The parent's state holds each item's result, not its thread.
  expect(Object.keys(state.threads)).toEqual(["summarise"]);

  const events = await getRunEvents(db, runId);
  expect(peakInFlight(events)).toBeLessThanOrEqual(3);
  expect(peakInFlight(events)).toBeGreaterThan(1);
  expect(events.filter((event) => event.type === "child_started")).toHaveLength(tickets.length);

  const children = await db.run.findMany({ where: { callerRunId: runId }, orderBy: { callerIndex: "asc" } });
  expect(children.map((child) => [child.callerIndex, child.status, child.trigger, child.itemOf, child.depth])).toEqual(
    tickets.map((_, index) => [index, "succeeded", "workflow", "each", 1]),
  );
  expect(children.map((child) => child.input)).toEqual(tickets);
  // An item's run is inspectable on its own: its log has the agent's call and its thread.
  const item = await loadRun(db, children[2]!.id);
  expect(item.graph.nodes.map((node) => node.id)).toEqual(["each__item", "classify", "each__result"]);
  expect(item.state.threads.classify?.messages[1]?.content).toBe("Ticket #2: password reset");
  // An item goes on only through its parent: it cannot be re-run, retried or forked on its own.
  const access = await testAccess(db);
  await expect(rerunRun(db, access, children[2]!.id, "same")).rejects.toThrow("cannot be run again on its own");
  await expect(retryRun(db, access, children[2]!.id)).rejects.toThrow("cannot be retried on its own");
  await expect(forkRun(db, access, children[2]!.id, 1, undefined)).rejects.toThrow("cannot be forked on its own");
});

it("on an item's failure: collect keeps its error in place; fail fails the node and cancels the items still running", async () => {
  // A "bad" item takes the tool branch, whose arguments are invalid: its run fails.
  const graphWith = (onError: string, concurrency: number) =>
    buildGraph(
      [
        ["trigger", "trigger", { sampleInput }],
        ["each", "for_each", { items: "input.tickets", concurrency, onError }],
        ["check", "condition", { expression: 'item != "bad"' }],
        ["answer", "agent", { task: "{{item}}{{input.slow}}" }],
        ["broken", "tool", { tool: "http_request", arguments: '{"url": 5}', approval: "never" }],
        ["out", "output"],
      ],
      [["trigger", "each"], ["each", "check", "item"], ["check", "answer", "true"], ["check", "broken", "false"], ["answer", "each"], ["broken", "each"], ["each", "out", "done"]],
    );
  const collected = await run(graphWith("collect", 2), { tickets: ["good one", "bad", "good two"], slow: "" }, "collect");
  expect((await waitForRun(db, collected.runId, ["succeeded", "failed"], 30_000)).status).toBe("succeeded");
  const output = (await loadRun(db, collected.runId)).state.nodes.each?.output as unknown[];
  expect(output).toHaveLength(3);
  expect(String(output[0])).toContain("good one");
  expect(output[1]).toMatchObject({ error: expect.stringContaining("invalid arguments for http_request") });

  // Under `fail`, the first failure fails the node; the slow items still running are cancelled with the run.
  const failing = await run(graphWith("fail", 3), { tickets: ["bad", "slow one", "slow two"], slow: " #demo:slow:4000" }, "fail");
  const parent = await waitForRun(db, failing.runId, ["succeeded", "failed"], 30_000);
  expect(parent.status).toBe("failed");
  expect(parent.error).toContain("item 1 of 3");
  await waitUntil(async () => (await db.run.count({ where: { callerRunId: failing.runId, status: "cancelled" } })) === 2, "the running items to be cancelled");
});

it("an item that waits for a person shows in its own run's tasks; cancelling the parent cancels the item and closes its task", async () => {
  const graph = buildGraph(
    [
      ["trigger", "trigger", { sampleInput }],
      ["each", "for_each", { items: "input.tickets", concurrency: 2 }],
      ["approve", "human", { message: "Approve {{item}}?" }],
      ["out", "output"],
    ],
    [["trigger", "each"], ["each", "approve", "item"], ["approve", "each", "approve"], ["each", "out", "done"]],
  );
  const { runId } = await run(graph, { tickets: ["a", "b"] }, "item waits");
  await waitUntil(async () => (await db.humanTask.count({ where: { run: { callerRunId: runId }, status: "pending" } })) === 2, "both items to wait for a person");
  const task = await db.humanTask.findFirstOrThrow({ where: { run: { callerRunId: runId } }, orderBy: { message: "asc" } });
  expect(task.message).toBe("Approve a?");
  expect((await db.run.findUniqueOrThrow({ where: { id: runId } })).status).toBe("running");

  await cancelRun(db, runId, "integration test");
  await waitUntil(async () => (await db.run.count({ where: { callerRunId: runId, status: "cancelled" } })) === 2, "the items to be cancelled");
  expect(await db.humanTask.count({ where: { run: { callerRunId: runId }, status: "pending" } })).toBe(0);
});

it("a sub-workflow runs the published version of another workflow as a child run with mapped input, and takes its output", async () => {
  const workspaceId = await testWorkspace(db);
  const childGraph = buildGraph(
    [["trigger", "trigger", { sampleInput: '{"topic": "x"}' }], ["write", "agent", { task: "Write about {{input.topic}}" }], ["out", "output"]],
    [["trigger", "write"], ["write", "out"]],
  );
  const { id: childWorkflowId } = await createWorkflow(db, workspaceId, { name: "child", graph: childGraph });
  const callerGraph = buildGraph(
    [["trigger", "trigger", { sampleInput: '{"subject": "x"}' }], ["call", "subworkflow", { workflowId: childWorkflowId, input: '{"topic": "{{input.subject}} tides"}' }], ["out", "output"]],
    [["trigger", "call"], ["call", "out"]],
  );

  // Not published yet: the node fails and says why.
  const early = await run(callerGraph, { subject: "moon" }, "caller early");
  const failed = await waitForRun(db, early.runId, ["succeeded", "failed"], 20_000);
  expect(failed.error).toContain("no published version");

  const published = await publishVersion(db, workspaceId, childWorkflowId);
  const { runId } = await run(callerGraph, { subject: "moon" }, "caller");
  const parent = await waitForRun(db, runId, ["succeeded", "failed"], 20_000);
  expect(parent.status).toBe("succeeded");
  expect(String(parent.output)).toContain("Write about moon tides");
  const child = await db.run.findFirstOrThrow({ where: { callerRunId: runId } });
  expect(child).toMatchObject({ workflowId: childWorkflowId, versionId: published.id, callerNodeId: "call", itemOf: null, depth: 1, trigger: "workflow", input: { topic: "moon tides" } });
  const started = (await getRunEvents(db, runId)).find((event) => event.type === "child_started");
  expect(started).toMatchObject({ childRunId: child.id, workflowId: childWorkflowId, versionId: published.id });
});

it("a circle of sub-workflows is refused when published, and capped at run time if one is closed anyway", async () => {
  const workspaceId = await testWorkspace(db);
  const trivial = buildGraph([["trigger", "trigger"], ["out", "output"]], [["trigger", "out"]]);
  const { id: a } = await createWorkflow(db, workspaceId, { name: "ping", graph: trivial });
  const { id: b } = await createWorkflow(db, workspaceId, { name: "pong", graph: trivial });
  const calling = (target: string) =>
    buildGraph([["trigger", "trigger"], ["call", "subworkflow", { label: "Call", workflowId: target }], ["out", "output"]], [["trigger", "call"], ["call", "out"]]);
  const { saveDraft } = await import("../server/workflows/workflows");
  const saveCalling = async (id: string, target: string) => {
    const current = await db.workflow.findUniqueOrThrow({ where: { id }, select: { draftRevision: true } });
    await saveDraft(db, workspaceId, { id, graph: calling(target), baseRevision: current.draftRevision });
  };
  await saveCalling(a, b);
  await publishVersion(db, workspaceId, a);
  await saveCalling(b, a);
  await expect(publishVersion(db, workspaceId, b)).rejects.toThrow(`makes a circle (${b} → ${a} → ${b})`);

  // Two publishes at the same moment could still close the circle: runs nest no deeper than 8.
  const { snapshotVersion } = await import("../server/workflows/versions");
  const forced = await snapshotVersion(db, b, calling(a));
  await db.workflowVersion.update({ where: { id: forced.id }, data: { publishedAt: new Date() } });
  const { runId } = await startRun(db, { workspaceId, startedBy: "integration test", workflowId: a, input: {}, trigger: "api" });
  const top = await waitForRun(db, runId, ["succeeded", "failed"], 30_000);
  expect(top.status).toBe("failed");
  const deepest = await db.run.findFirstOrThrow({ where: { workspaceId }, orderBy: { depth: "desc" } });
  expect(deepest.depth).toBe(8);
  expect(deepest.error).toContain("nested more than 8 deep");
});
