import { afterAll, beforeAll, expect, it } from "vitest";
import { startHarness, waitForRun, waitUntil, type Harness } from "./support/harness";
import { testRunScope, testWorkspace } from "./support/workspace";
import { createWorkflow } from "../server/workflows/workflows";
import { publishVersion } from "../server/workflows/versions";
import { buildGraph } from "../server/engine/test-helpers";
import { startRun } from "../server/runs/start-run";
import { cancelRun } from "../server/runs/control";
import { CHILD_RUNS_PAGE_SIZE, getRunDetail, listChildRuns } from "../server/runs/queries";
import { NotFoundError } from "../server/errors";
import { newId } from "../server/ids";
import type { Graph } from "../server/engine/graph";
import type { Db } from "../server/db";

/**
 * What the run page reads of child runs (server/runs/queries.ts) on the real worker: a parent's
 * item runs in order, a page at a time, with the ones waiting for a person counted; an item's
 * or a called workflow's run naming its caller; nothing of it from another workspace.
 */

let harness: Harness;
let db: Db;

beforeAll(async () => {
  harness = await startHarness();
  db = harness.db;
});

afterAll(() => harness.stop());

async function run(graph: Graph, input: unknown, name: string) {
  const workspaceId = await testWorkspace(db);
  const { id } = await createWorkflow(db, workspaceId, { name, graph });
  const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId: id, input, trigger: "manual" });
  return { workspaceId, workflowId: id, runId };
}

it("lists a for-each's item runs by index, a page at a time, and each item's run names the for-each that started it", async () => {
  const items = Array.from({ length: CHILD_RUNS_PAGE_SIZE + 7 }, (_, index) => `item ${index}`);
  const graph = buildGraph(
    [
      ["trigger", "trigger"],
      ["each", "for_each", { label: "Every line", items: "input.items", concurrency: 20 }],
      ["say", "agent", { task: "{{index}}: {{item}}" }],
      ["out", "output"],
    ],
    [["trigger", "each"], ["each", "say", "item"], ["say", "each"], ["each", "out", "done"]],
  );
  const { workspaceId, runId } = await run(graph, { items }, "paged items");
  expect((await waitForRun(db, runId, ["succeeded", "failed"], 60_000)).status).toBe("succeeded");

  const first = await listChildRuns(db, workspaceId, { runId, nodeId: "each" });
  expect(first.total).toBe(items.length);
  expect(first.waitingForHuman).toBe(0);
  expect(first.items.map((row) => row.callerIndex)).toEqual(Array.from({ length: CHILD_RUNS_PAGE_SIZE }, (_, index) => index));
  expect(first.nextCursor).toBe(CHILD_RUNS_PAGE_SIZE);
  const second = await listChildRuns(db, workspaceId, { runId, nodeId: "each", cursor: first.nextCursor ?? undefined });
  expect(second.items.map((row) => row.callerIndex)).toEqual(Array.from({ length: 7 }, (_, index) => CHILD_RUNS_PAGE_SIZE + index));
  expect(second.nextCursor).toBeNull();
  expect(second.items.every((row) => row.status === "succeeded" && row.itemOf === "each" && row.callerNodeId === "each" && row.finishedAt !== null)).toBe(true);
  // Without a node: the same runs (the graph has one node with children); another node's: none.
  expect((await listChildRuns(db, workspaceId, { runId })).total).toBe(items.length);
  expect((await listChildRuns(db, workspaceId, { runId, nodeId: "say" })).items).toEqual([]);

  const third = first.items[2];
  if (!third) throw new Error("no third item");
  const detail = await getRunDetail(db, workspaceId, third.id);
  expect(detail).toMatchObject({ callerRunId: runId, callerNodeId: "each", callerIndex: 2, itemOf: "each", depth: 1, callerNodeLabel: "Every line" });
  // The parent itself was started by no run.
  expect(await getRunDetail(db, workspaceId, runId)).toMatchObject({ callerRunId: null, callerNodeId: null, callerIndex: null, itemOf: null, depth: 0, callerNodeLabel: null });
});

it("counts the item runs waiting for a person, and answers another workspace as if the run did not exist", async () => {
  const graph = buildGraph(
    [
      ["trigger", "trigger"],
      ["each", "for_each", { items: "input.items", concurrency: 3 }],
      ["check", "human", { message: "Fine: {{item}}?" }],
      ["out", "output"],
    ],
    [["trigger", "each"], ["each", "check", "item"], ["check", "each", "approve"], ["each", "out", "done"]],
  );
  const { workspaceId, runId } = await run(graph, { items: ["a", "b", "c"] }, "items wait");
  await waitUntil(async () => (await listChildRuns(db, workspaceId, { runId, nodeId: "each" })).waitingForHuman === 3, "the three items to wait for a person", 20_000);
  const listed = await listChildRuns(db, workspaceId, { runId, nodeId: "each" });
  expect(listed.items.map((row) => row.status)).toEqual(["waiting_for_human", "waiting_for_human", "waiting_for_human"]);

  const other = newId("ws");
  await db.workspace.create({ data: { id: other, name: `other ${other}` } });
  await expect(listChildRuns(db, other, { runId })).rejects.toBeInstanceOf(NotFoundError);
  await expect(getRunDetail(db, other, listed.items[0]?.id ?? "")).rejects.toBeInstanceOf(NotFoundError);

  await cancelRun(db, runId, "integration test");
  await waitUntil(async () => (await listChildRuns(db, workspaceId, { runId })).waitingForHuman === 0, "the items to be cancelled with their parent", 20_000);
});

it("a called workflow's run names the sub-workflow node that called it", async () => {
  const workspaceId = await testWorkspace(db);
  const childGraph = buildGraph([["trigger", "trigger"], ["out", "output"]], [["trigger", "out"]]);
  const { id: childWorkflowId } = await createWorkflow(db, workspaceId, { name: "called", graph: childGraph });
  await publishVersion(db, workspaceId, childWorkflowId);
  const callerGraph = buildGraph(
    [["trigger", "trigger"], ["call", "subworkflow", { label: "Billing", workflowId: childWorkflowId }], ["out", "output"]],
    [["trigger", "call"], ["call", "out"]],
  );
  const { runId } = await run(callerGraph, { any: 1 }, "caller");
  expect((await waitForRun(db, runId, ["succeeded", "failed"], 20_000)).status).toBe("succeeded");
  const { items } = await listChildRuns(db, workspaceId, { runId, nodeId: "call" });
  expect(items).toHaveLength(1);
  expect(items[0]).toMatchObject({ callerIndex: 0, itemOf: null, workflowId: childWorkflowId, status: "succeeded" });
  const detail = await getRunDetail(db, workspaceId, items[0]?.id ?? "");
  expect(detail).toMatchObject({ callerRunId: runId, callerNodeId: "call", itemOf: null, depth: 1, callerNodeLabel: "Billing", workflowId: childWorkflowId });
});
