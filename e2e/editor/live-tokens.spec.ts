import { expect, test } from "@playwright/test";
import { createNode, GRAPH_SCHEMA_VERSION, type Graph } from "../../server/engine/graph";
import { trpcMutation } from "../support/api";
import { node, startRun } from "../support/editor";

/**
 * trigger → agent → output, the agent on the demo model typing its answer a word every 400 ms
 * (~13 s in all): long enough for a second page to open and join while it still writes, even
 * on a slow machine, where the first page's checks and the new page's load took 7 s of it.
 */
function slowWriterGraph(): Graph {
  const agent = createNode("agent", "writer", { x: 272, y: 112 });
  if (agent.type === "agent") {
    agent.data.label = "Writer";
    agent.data.task = "Write a field note about the river otters of the northern estuary and their winter dens #demo:slow:500 #demo:drip:400";
  }
  return {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: [createNode("trigger", "trigger", { x: 0, y: 112 }), agent, createNode("output", "output", { x: 560, y: 112 })],
    edges: [
      { id: "e-trigger-writer", source: "trigger", target: "writer", sourceHandle: null, targetHandle: null },
      { id: "e-writer-output", source: "writer", target: "output", sourceHandle: null, targetHandle: null },
    ],
  };
}

test("the agent's answer streams into its card while the model writes it, then the committed answer takes over", async ({ page, request }) => {
  const { id } = await trpcMutation(request, "workflow", "create", { name: `Live tokens ${Date.now()}`, graph: slowWriterGraph() });
  await page.goto(`/workflows/${id}`);
  await expect(node(page, "writer")).toBeVisible();
  await startRun(page);

  const live = node(page, "writer").getByTestId("node-live-text");
  await expect(live).toContainText("Demo answer to", { timeout: 30_000 });
  const early = (await live.textContent()) ?? "";
  // It grows while the node is still running: more words arrive on the same card.
  await expect.poll(async () => ((await live.textContent()) ?? "").length, { timeout: 10_000 }).toBeGreaterThan(early.length + 20);
  await expect(node(page, "writer").locator("[data-run-status]")).toHaveAttribute("data-run-status", "running");
  const box = await node(page, "writer").boundingBox();
  if (box) await page.screenshot({ path: "/tmp/shots/live-tokens-node.png", clip: { x: box.x - 40, y: box.y - 30, width: box.width + 80, height: box.height + 60 } });
  await page.screenshot({ path: "/tmp/shots/live-tokens-canvas.png" });

  // Someone opens the run page mid-answer: the card there starts from the text so far, and grows.
  const runPage = await page.context().newPage();
  await runPage.goto(`/runs/${await page.getByRole("link", { name: /^run_/ }).textContent()}`);
  const joined = node(runPage, "writer").getByTestId("node-live-text");
  await expect(joined).toContainText("Demo answer to", { timeout: 10_000 });
  const joinedFirst = (await joined.textContent()) ?? "";
  await expect.poll(async () => ((await joined.textContent()) ?? "").length, { timeout: 10_000 }).toBeGreaterThan(joinedFirst.length);
  await node(runPage, "writer").click();
  await expect(runPage.getByTestId("node-details-live-text")).toContainText("Demo answer to");
  await runPage.screenshot({ path: "/tmp/shots/live-tokens-run-page.png" });
  await expect(runPage.getByTestId("run-status")).toHaveText("succeeded", { timeout: 30_000 });
  await expect(joined).toBeHidden();
  await runPage.close();

  // The answer is committed once; the live text gives way to it.
  await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 30_000 });
  await expect(live).toBeHidden();
  await expect(page.getByTestId("run-output")).toContainText("river otters");
});
