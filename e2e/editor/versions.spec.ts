import { expect, test } from "@playwright/test";
import { trpcQuery } from "../support/api";
import { approvalGraph } from "../support/graphs";
import { node, openWorkflow, saveState } from "../support/editor";

test("publishes a version, opens it read-only, and restores it into the draft", async ({ page, request }) => {
  const id = await openWorkflow(page, request, "Versions", approvalGraph());
  await page.getByRole("button", { name: "Publish", exact: true }).click();
  // Publishing asks for an optional note first.
  await page.getByRole("dialog", { name: "Publish the draft" }).getByRole("button", { name: "Publish version" }).click();
  await expect(page.getByTestId("editor-notice")).toHaveText("Published version 1");

  await page.getByRole("tab", { name: "Versions" }).click();
  const v1 = page.locator('[data-testid="version-row"][data-version="1"]');
  await expect(v1).toContainText("Published");
  await expect(v1.getByTestId("version-runs")).toHaveText("0 runs");

  // Change the draft after publishing: add a node and rename the agent.
  await page.getByRole("button", { name: "Add Join" }).click();
  await expect(node(page, "join_1")).toBeVisible();
  await node(page, "agent_1").click();
  await page.getByLabel("Label").fill("Changed after v1");
  await expect(saveState(page)).toHaveText("Saved", { timeout: 10_000 });

  // Open v1: the published graph, read-only.
  await page.getByRole("tab", { name: "Versions" }).click();
  await page.getByRole("button", { name: "Open version 1" }).click();
  const view = page.getByTestId("version-view");
  await expect(view).toBeVisible();
  await expect(view.getByTestId("read-only-badge")).toBeVisible();
  await expect(view).toContainText("Version 1");
  await expect(node(page, "join_1")).toHaveCount(0);
  await expect(node(page, "agent_1")).toContainText("Agent");
  await expect(page.getByRole("button", { name: "Add Join" })).toHaveCount(0);
  await node(page, "agent_1").click();
  await page.getByRole("tab", { name: "Inspector" }).click();
  await expect(page.getByLabel("Label")).toBeDisabled();
  // Keyboard edits are refused too.
  await page.locator(".react-flow__pane").click({ position: { x: 30, y: 30 } });
  await node(page, "agent_1").click();
  await page.keyboard.press("Delete");
  await expect(node(page, "agent_1")).toBeVisible();

  await page.getByRole("button", { name: "Restore into draft" }).click();
  await expect(view).toHaveCount(0);
  await expect(node(page, "join_1")).toHaveCount(0);
  await expect(saveState(page)).toHaveText("Saved");
  const draft = await trpcQuery(request, "workflow", "get", { id });
  expect(draft.graph.nodes.map((n) => n.id).sort()).toEqual(["agent_1", "output", "review", "trigger"]);
  expect(draft.graph.nodes.find((n) => n.id === "agent_1")?.data.label).toBe("Agent");
});
