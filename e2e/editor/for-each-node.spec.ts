import { expect, test, type Page } from "@playwright/test";
import { createNode, GRAPH_SCHEMA_VERSION, type Graph } from "../../server/engine/graph";
import { trpcMutation, trpcQuery } from "../support/api";
import { clickPane, node, openWorkflow, saveState } from "../support/editor";

/** A trigger whose sample has a list, an agent for the body and an output, not yet connected: the spec builds the rest. */
function unconnectedGraph(): Graph {
  const trigger = createNode("trigger", "trigger", { x: 0, y: 96 });
  if (trigger.type === "trigger") trigger.data.sampleInput = JSON.stringify({ tickets: ["a", "b", "c"] });
  const agent = createNode("agent", "agent_1", { x: 560, y: 336 });
  if (agent.type === "agent") agent.data.task = "Answer ticket {{index}}: {{item}}";
  return {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: [trigger, agent, createNode("output", "output", { x: 832, y: 96 })],
    edges: [],
  };
}

/** Without an id, a source is the node's output on its right (not the "compensate" one below an agent). */
const handle = (page: Page, nodeId: string, kind: "source" | "target", id?: string) =>
  node(page, nodeId).locator(`.react-flow__handle.${kind}${id ? `[data-handleid="${id}"]` : kind === "source" ? ".react-flow__handle-right" : ""}`);

async function shoot(page: Page, name: string) {
  for (const [width, height] of [
    [1440, 900],
    [1024, 768],
  ] as const) {
    await page.setViewportSize({ width, height });
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: `/tmp/shots/${name}-${scheme}-${width}.png` });
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 1440, height: 900 });
}

test("a For each from the palette: configured in the inspector, its item and done outputs connected, saved, its settings on the card", async ({ page, request }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const id = await openWorkflow(page, request, "For each", unconnectedGraph());

  await page.getByRole("button", { name: "Add For each" }).dragTo(page.locator(".react-flow__pane"), { targetPosition: { x: 420, y: 160 } });
  const forEach = node(page, "for_each_1");
  await expect(forEach).toBeVisible();
  const inspector = page.getByTestId("inspector");
  await expect(inspector).toContainText("for_each_1");
  // Its two outputs, named on the card like a Loop's.
  await expect(handle(page, "for_each_1", "source", "item")).toHaveCount(1);
  await expect(handle(page, "for_each_1", "source", "done")).toHaveCount(1);

  // No list is a problem at the field; the sample's list is offered.
  const items = inspector.getByLabel("Items");
  await items.fill("");
  await expect(inspector).toContainText("Say which list to go through");
  await inspector.getByRole("button", { name: "input.tickets" }).click();
  await expect(items).toHaveValue("input.tickets");
  await inspector.getByLabel("Label").fill("Tickets");
  await inspector.getByLabel("Concurrency").fill("60");
  await expect(inspector).toContainText("Concurrency");
  await expect(inspector.getByLabel("Concurrency")).toHaveAttribute("aria-invalid", "true");
  await inspector.getByLabel("Concurrency").fill("3");
  await inspector.getByLabel("On error").selectOption({ label: "Skip the item" });
  await expect(inspector).toContainText("A failed item is left out of the results");

  await handle(page, "trigger", "source").dragTo(handle(page, "for_each_1", "target"));
  await handle(page, "for_each_1", "source", "item").dragTo(handle(page, "agent_1", "target"));
  await handle(page, "agent_1", "source").dragTo(handle(page, "for_each_1", "target"));
  await handle(page, "for_each_1", "source", "done").dragTo(handle(page, "output", "target"));
  await expect(page.locator(".react-flow__edge")).toHaveCount(4);

  // The card shows the settings: the list, how many at a time, what a failure does.
  await expect(forEach).toContainText("Tickets");
  await expect(forEach.getByTestId("for-each-items")).toHaveText("in input.tickets");
  await expect(forEach.getByTestId("for-each-settings")).toHaveText("3 at a time · skip failed");

  // In the body, the agent's task can insert the item and its index.
  await node(page, "agent_1").click();
  await expect(page.getByTestId("inspector").getByRole("button", { name: "{{item}}" }).first()).toBeVisible();
  await expect(page.getByTestId("inspector").getByRole("button", { name: "{{nodes.for_each_1.output}}" })).toHaveCount(0);

  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(saveState(page)).toHaveText("Saved");
  const saved = await trpcQuery(request, "workflow", "get", { id });
  expect(saved.graph.nodes.find((n) => n.id === "for_each_1")?.data).toEqual({ label: "Tickets", items: "input.tickets", concurrency: 3, onError: "skip" });
  expect(saved.graph.edges.map((edge) => [edge.source, edge.sourceHandle ?? null, edge.target])).toEqual(
    expect.arrayContaining([
      ["trigger", null, "for_each_1"],
      ["for_each_1", "item", "agent_1"],
      ["agent_1", null, "for_each_1"],
      ["for_each_1", "done", "output"],
    ]),
  );
  expect(saved.problems.filter((problem) => problem.nodeId === "for_each_1" && problem.severity === "error")).toEqual([]);

  // After a reload the card still says what it was set to.
  await page.reload();
  await expect(node(page, "for_each_1").getByTestId("for-each-items")).toHaveText("in input.tickets");
  await node(page, "for_each_1").click();
  await expect(page.getByTestId("inspector").getByLabel("On error")).toHaveValue("skip");
  await shoot(page, "for-each-configured");
});

test("a Sub-workflow picks one of the workspace's other workflows, never itself, and names it on the card", async ({ page, request }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const targetName = `Billing helper ${Date.now()}`;
  const target = { ...(await trpcMutation(request, "workflow", "create", { name: targetName })), name: targetName };
  const id = await openWorkflow(page, request, "Calls another");
  const own = await trpcQuery(request, "workflow", "get", { id });

  await page.getByRole("button", { name: "Add Sub-workflow" }).dragTo(page.locator(".react-flow__pane"), { targetPosition: { x: 520, y: 640 } });
  const sub = node(page, "subworkflow_1");
  await expect(sub).toContainText("No workflow chosen");
  const picker = page.getByTestId("inspector").getByLabel("Workflow");
  await expect(picker.locator("option", { hasText: target.name })).toHaveCount(1);
  await expect(picker.locator("option", { hasText: own.name })).toHaveCount(0);
  await picker.selectOption({ label: target.name });
  await expect(sub.getByTestId("subworkflow-target")).toHaveText(`Runs ${target.name}`);
  // Never published: the inspector says the run would fail here.
  await expect(page.getByTestId("inspector")).toContainText("no published version");

  const input = page.getByTestId("inspector").getByLabel("Input (JSON)");
  await input.fill('{"topic": ');
  await expect(page.getByTestId("inspector")).toContainText("Not valid JSON");
  await input.fill('{"topic": "{{previous}}"}');
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(saveState(page)).toHaveText("Saved");
  const saved = await trpcQuery(request, "workflow", "get", { id });
  expect(saved.graph.nodes.find((n) => n.id === "subworkflow_1")?.data).toEqual({ label: "Sub-workflow", workflowId: target.id, input: '{"topic": "{{previous}}"}' });
  await clickPane(page);
  await sub.click();
  await shoot(page, "subworkflow-configured");
});
