import { expect, test } from "@playwright/test";
import { createNode, GRAPH_SCHEMA_VERSION, type GraphNode } from "../../server/engine/graph";
import { node, openWorkflow, startRun } from "../support/editor";

/** A for-each in progress on the canvas: items finish over time, a few at a time, and the card counts them. */

function withData<N extends GraphNode>(made: N, data: Partial<N["data"]>): N {
  return { ...made, data: { ...made.data, ...data } };
}

test("the for-each card counts items as they finish, a few at a time, up to all of them", async ({ page, request }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  // Each item's model call takes about a second (a demo model directive in the item), three at a time.
  const items = Array.from({ length: 9 }, (_, index) => `ticket ${index + 1} #demo:slow:900`);
  await openWorkflow(page, request, "For each progress", {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: [
      withData(createNode("trigger", "trigger", { x: 0, y: 96 }), { sampleInput: JSON.stringify({ items }) }),
      withData(createNode("for_each", "each", { x: 288, y: 96 }), { label: "Tickets", items: "input.items", concurrency: 3 }),
      withData(createNode("agent", "triage", { x: 576, y: 320 }), { label: "Triage", task: "Triage {{item}}" }),
      createNode("output", "out", { x: 864, y: 96 }),
    ],
    edges: [
      { id: "e1", source: "trigger", target: "each", sourceHandle: null, targetHandle: null },
      { id: "e2", source: "each", target: "triage", sourceHandle: "item", targetHandle: null },
      { id: "e3", source: "triage", target: "each", sourceHandle: null, targetHandle: null },
      { id: "e4", source: "each", target: "out", sourceHandle: "done", targetHandle: null },
    ],
  });
  await startRun(page);
  const progress = node(page, "each").getByTestId("for-each-progress-text");
  // Part-way: some done, three running.
  await expect(progress).toHaveText(/^[3-6] \/ 9 done · 3 running$/, { timeout: 30_000 });
  await page.screenshot({ path: "/tmp/shots/for-each-in-progress-light-1440.png" });
  await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 60_000 });
  await expect(progress).toHaveText("9 / 9 done");

  // Zoomed out to the compact cards, the count stays on the card.
  for (let clicks = 0; clicks < 12 && (await node(page, "each").locator("[data-compact]").count()) === 0; clicks++) {
    await page.locator(".react-flow__controls-zoomout").click();
    await page.waitForTimeout(350);
  }
  await expect(node(page, "each").getByTestId("for-each-compact-progress")).toHaveText("9/9");
  await page.screenshot({ path: "/tmp/shots/for-each-compact-light-1440.png" });
});
