import { expect, test, type Page } from "@playwright/test";
import { createNode, GRAPH_SCHEMA_VERSION, type Graph, type GraphNode } from "../../server/engine/graph";
import { trpcMutation } from "../support/api";
import { node, openWorkflow, startRun } from "../support/editor";

/**
 * A for-each on the real worker and the demo model: the canvas counts the items as their runs
 * finish, the run page lists each item's run, and an item's page links back to its parent.
 */

function withData<N extends GraphNode>(made: N, data: Partial<N["data"]>): N {
  return { ...made, data: { ...made.data, ...data } };
}

/** trigger → each (for-each over input.items) ─item→ body ─(backHandle)→ back into each; each ─done→ output. */
function forEachGraph(items: unknown[], body: GraphNode, backHandle: string | null = null): Graph {
  return {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: [
      withData(createNode("trigger", "trigger", { x: 0, y: 96 }), { sampleInput: JSON.stringify({ items }) }),
      withData(createNode("for_each", "each", { x: 288, y: 96 }), { label: "Letters", items: "input.items", concurrency: 2 }),
      { ...body, position: { x: 576, y: 320 } },
      createNode("output", "out", { x: 864, y: 96 }),
    ],
    edges: [
      { id: "e-trigger-each", source: "trigger", target: "each", sourceHandle: null, targetHandle: null },
      { id: "e-each:item-body", source: "each", target: body.id, sourceHandle: "item", targetHandle: null },
      { id: "e-body-each", source: body.id, target: "each", sourceHandle: backHandle, targetHandle: null },
      { id: "e-each:done-out", source: "each", target: "out", sourceHandle: "done", targetHandle: null },
    ],
  };
}

async function openRunPage(page: Page): Promise<string> {
  // The run panel's link to the run (not a sub-workflow card's link to its child run).
  await page.locator('a[href^="/runs/run_"]:not([data-testid="open-child-run"])').first().click();
  await expect(page).toHaveURL(/\/runs\/run_/);
  return new URL(page.url()).pathname.split("/").at(-1) as string;
}

test("a for-each runs each item as a run of its own: progress on the card, each item's run listed and linked back to the parent", async ({ page, request }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const agent = withData(createNode("agent", "work", { x: 0, y: 0 }), { task: "Item {{index}}: {{item}}" });
  await openWorkflow(page, request, "For each run", forEachGraph(["a", "b", "c"], agent));
  await expect(page.getByTestId("problems-panel")).toContainText("Ready to run");

  await startRun(page);
  await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 60_000 });
  await expect(node(page, "each").getByTestId("for-each-progress-text")).toHaveText("3 / 3 done");
  await page.screenshot({ path: "/tmp/shots/for-each-run-done-light-1440.png" });

  const parentId = await openRunPage(page);
  // The items' model calls are theirs: shown beside the parent's own figures.
  await expect(page.getByTestId("run-called-cost")).toContainText("tokens");
  await expect(page.getByText("In 3 child runs")).toBeVisible();
  await expect(page.getByTestId("run-events")).toContainText("Items listed");
  await expect(page.getByTestId("run-events")).toContainText("Child run finished");
  await node(page, "each").click();
  const children = page.getByTestId("child-runs");
  await expect(children.locator("li[data-child-run-id]")).toHaveCount(3);
  for (const index of [1, 2, 3]) await expect(children).toContainText(`Item ${index}`);
  await expect(children.locator('li[data-status="succeeded"]')).toHaveCount(3);
  await page.screenshot({ path: "/tmp/shots/for-each-run-items-light-1440.png" });

  // Item 2's page: the body it ran, and the way back to the run that started it.
  await children.locator("li").filter({ hasText: "Item 2" }).locator('a[href^="/runs/"]').click();
  await expect(page).not.toHaveURL(new RegExp(`/runs/${parentId}$`));
  await expect(page.getByTestId("run-caller")).toContainText(`Item 2 of For each “Letters” in run ${parentId}`);
  await expect(page.getByTestId("run-status")).toHaveText("succeeded");
  await expect(node(page, "work")).toBeVisible();
  await page.screenshot({ path: "/tmp/shots/for-each-item-run-light-1440.png" });
  await page.getByTestId("run-caller-link").click();
  await expect(page).toHaveURL(new RegExp(`/runs/${parentId}$`));
});

test("an item waiting for a person is marked in the parent's list of item runs", async ({ page, request }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const review = withData(createNode("human", "check", { x: 0, y: 0 }), { message: "Is {{item}} fine?" });
  await openWorkflow(page, request, "For each waits", forEachGraph(["x", "y"], review, "approve"));
  // The human node's approve output goes back into the for-each (an item's result); its reject goes nowhere.
  await startRun(page);
  await expect(node(page, "each").getByTestId("for-each-progress-text")).toHaveText("0 / 2 done · 2 running", { timeout: 60_000 });

  const runId = await openRunPage(page);
  await node(page, "each").click();
  const children = page.getByTestId("child-runs");
  await expect(children.getByTestId("needs-a-person")).toHaveCount(2, { timeout: 30_000 });
  await expect(children.getByTestId("child-runs-waiting")).toHaveText("· 2 need a person");
  // The card says so too, without opening the list.
  await expect(node(page, "each").getByTestId("for-each-waiting")).toHaveText("2 need a person");
  await page.screenshot({ path: "/tmp/shots/for-each-needs-person-light-1440.png" });

  // Cancelling the parent cancels its items: the list follows, and no task is left for later specs.
  await trpcMutation(request, "run", "cancel", { runId });
  await expect(children.locator('li[data-status="cancelled"]')).toHaveCount(2, { timeout: 30_000 });
  await expect(children.getByTestId("needs-a-person")).toHaveCount(0);
});

test("a sub-workflow's card links to its child run, and the child's page links back to the run that called it", async ({ page, request }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const childName = `Tide writer ${Date.now()}`;
  const child = await trpcMutation(request, "workflow", "create", {
    name: childName,
    graph: {
      schemaVersion: GRAPH_SCHEMA_VERSION,
      nodes: [
        createNode("trigger", "trigger", { x: 0, y: 96 }),
        withData(createNode("agent", "write", { x: 288, y: 96 }), { task: "Write about {{input.topic}}" }),
        createNode("output", "out", { x: 576, y: 96 }),
      ],
      edges: [
        { id: "e-trigger-write", source: "trigger", target: "write", sourceHandle: null, targetHandle: null },
        { id: "e-write-out", source: "write", target: "out", sourceHandle: null, targetHandle: null },
      ],
    },
  });
  await trpcMutation(request, "workflow", "publish", { id: child.id });
  const graph: Graph = {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: [
      withData(createNode("trigger", "trigger", { x: 0, y: 96 }), { sampleInput: JSON.stringify({ subject: "moon" }) }),
      withData(createNode("subworkflow", "call", { x: 288, y: 96 }), { label: "Write it", workflowId: child.id, input: '{"topic": "{{input.subject}} tides"}' }),
      createNode("output", "out", { x: 576, y: 96 }),
    ],
    edges: [
      { id: "e-trigger-call", source: "trigger", target: "call", sourceHandle: null, targetHandle: null },
      { id: "e-call-out", source: "call", target: "out", sourceHandle: null, targetHandle: null },
    ],
  };
  await openWorkflow(page, request, "Calls a writer", graph);
  await expect(node(page, "call").getByTestId("subworkflow-target")).toHaveText(`Runs ${childName}`);
  await startRun(page);
  await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 60_000 });
  await expect(node(page, "call").getByTestId("subworkflow-child")).toHaveAttribute("data-child-status", "succeeded");

  const parentId = await openRunPage(page);
  await expect(node(page, "call").getByTestId("subworkflow-child")).toHaveAttribute("data-child-status", "succeeded");
  await page.screenshot({ path: "/tmp/shots/subworkflow-parent-light-1440.png" });
  await node(page, "call").getByTestId("open-child-run").click();
  await expect(page).not.toHaveURL(new RegExp(`/runs/${parentId}$`));
  await expect(page.getByTestId("run-caller")).toContainText(`Called by run ${parentId} (Sub-workflow “Write it”)`);
  await expect(page.getByTestId("run-output")).toContainText("Write about moon tides");
  await page.screenshot({ path: "/tmp/shots/subworkflow-child-light-1440.png" });
  await page.getByTestId("run-caller-link").click();
  await expect(page).toHaveURL(new RegExp(`/runs/${parentId}$`));
});

test("a called workflow waiting for a person shows on the sub-workflow's card in the parent", async ({ page, request }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const child = await trpcMutation(request, "workflow", "create", {
    name: `Needs sign-off ${Date.now()}`,
    graph: {
      schemaVersion: GRAPH_SCHEMA_VERSION,
      nodes: [
        createNode("trigger", "trigger", { x: 0, y: 96 }),
        withData(createNode("human", "sign", { x: 288, y: 96 }), { message: "Sign off {{previous}}?" }),
        createNode("output", "out", { x: 576, y: 96 }),
      ],
      edges: [
        { id: "e-trigger-sign", source: "trigger", target: "sign", sourceHandle: null, targetHandle: null },
        { id: "e-sign:approve-out", source: "sign", target: "out", sourceHandle: "approve", targetHandle: null },
      ],
    },
  });
  await trpcMutation(request, "workflow", "publish", { id: child.id });
  await openWorkflow(page, request, "Calls for sign-off", {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: [
      createNode("trigger", "trigger", { x: 0, y: 96 }),
      withData(createNode("subworkflow", "call", { x: 288, y: 96 }), { label: "Sign-off", workflowId: child.id }),
      createNode("output", "out", { x: 576, y: 96 }),
    ],
    edges: [
      { id: "e-trigger-call", source: "trigger", target: "call", sourceHandle: null, targetHandle: null },
      { id: "e-call-out", source: "call", target: "out", sourceHandle: null, targetHandle: null },
    ],
  });
  await startRun(page);
  const card = node(page, "call").getByTestId("subworkflow-child");
  await expect(card).toHaveAttribute("data-child-status", "waiting_for_human", { timeout: 30_000 });
  await expect(card).toContainText("Needs a person in the child run");
  await page.screenshot({ path: "/tmp/shots/subworkflow-child-waiting-light-1440.png" });

  const runId = await openRunPage(page);
  await expect(node(page, "call").getByTestId("subworkflow-child")).toHaveAttribute("data-child-status", "waiting_for_human");
  await trpcMutation(request, "run", "cancel", { runId });
  await expect(page.getByTestId("run-status")).toHaveText("cancelled", { timeout: 30_000 });
});
