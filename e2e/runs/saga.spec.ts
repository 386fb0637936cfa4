import { expect, test } from "@playwright/test";
import { createNode, GRAPH_SCHEMA_VERSION } from "../../server/engine/graph";
import { node, openWorkflow, runDialog } from "../support/editor";

/**
 * Saga compensation in the browser: a step's "compensate" output is connected on the canvas,
 * and the Saga template, run with an order the carrier refuses, undoes its charge and its
 * reservation and ends "compensated", each undo step shown as run on the canvas.
 */

test("a step's compensate output connects to the step that undoes it, drawn as a dashed undo edge", async ({ page, request }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await openWorkflow(page, request, "Compensate edge", {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: [createNode("trigger", "trigger", { x: 0, y: 80 }), createNode("agent", "book", { x: 300, y: 80 }), createNode("agent", "cancel", { x: 300, y: 380 }), createNode("output", "out", { x: 620, y: 80 })],
    edges: [
      { id: "e1", source: "trigger", target: "book", sourceHandle: null, targetHandle: null },
      { id: "e2", source: "book", target: "out", sourceHandle: null, targetHandle: null },
    ],
  });
  // Not connected yet: the undo step is unreachable.
  await expect(page.getByTestId("problems-panel")).toContainText("not connected to the Trigger");
  await node(page, "book").locator('.react-flow__handle[data-handleid="compensate"]').dragTo(node(page, "cancel").locator(".react-flow__handle.target"));
  const label = page.locator('[data-testid="edge-label"][data-branch="compensate"]');
  await expect(label).toHaveText("undo");
  await expect(page.getByTestId("problems-panel")).toContainText("Ready to run");
  await page.screenshot({ path: "/tmp/shots/saga-compensate-edge-light-1440.png" });
});

test("the Saga template, run with an order the carrier refuses, refunds, releases the stock and ends compensated", async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto("/workflows");
  const card = page.getByTestId("template-card").filter({ hasText: "Saga: order with undo steps" });
  await card.getByRole("button", { name: "Use template" }).click();
  await expect(page).toHaveURL(/\/workflows\/wf_/);
  await expect(page.locator('[data-testid="edge-label"][data-branch="compensate"]')).toHaveCount(2);
  // The steps that undo others have no compensation of their own to connect; the steps they undo do.
  for (const id of ["refund", "release"]) await expect(node(page, id).locator('.react-flow__handle[data-handleid="compensate"]')).toHaveCount(0);
  for (const id of ["reserve", "charge"]) await expect(node(page, id).locator('.react-flow__handle[data-handleid="compensate"]')).toHaveCount(1);

  await page.getByRole("button", { name: "Run", exact: true }).click();
  const dialog = runDialog(page);
  await dialog.getByLabel("Input (JSON)").fill('{"order": "9 standing desks", "quantity": 9}');
  await dialog.getByRole("button", { name: "Start run" }).click();
  await expect(dialog).toBeHidden();

  await expect(page.getByTestId("run-status")).toHaveText("compensated", { timeout: 60_000 });
  await expect(node(page, "ship").locator("[data-run-status]")).toHaveAttribute("data-run-status", "failed");
  for (const id of ["refund", "release", "reserve", "charge"]) {
    await expect(node(page, id).locator("[data-run-status]")).toHaveAttribute("data-run-status", "succeeded");
  }
  await expect(node(page, "out").locator("[data-run-status]")).not.toHaveAttribute("data-run-status", "succeeded");
  await page.screenshot({ path: "/tmp/shots/saga-compensated-light-1440.png" });

  await page.locator('a[href^="/runs/run_"]').first().click();
  await expect(page).toHaveURL(/\/runs\/run_/);
  await expect(page.getByTestId("run-events")).toContainText("Undoing completed steps");
  await expect(page.getByTestId("run-status")).toHaveText("compensated");
  await page.screenshot({ path: "/tmp/shots/saga-run-page-light-1440.png" });
});
