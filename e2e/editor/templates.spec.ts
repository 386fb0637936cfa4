import { expect, test } from "@playwright/test";
import { node, startRun } from "../support/editor";

test("creates a workflow from the Approval gate template, runs it, approves, and shows the output", async ({ page }) => {
  await page.goto("/workflows");
  const card = page.getByTestId("template-card").filter({ hasText: "Approval gate" });
  await expect(page.getByTestId("template-card")).not.toHaveCount(0);
  await expect(card).toContainText("5 nodes");
  await card.getByRole("button", { name: "Use template" }).click();

  await expect(page).toHaveURL(/\/workflows\/wf_/);
  await expect(page.getByLabel("Workflow name")).toHaveValue("Approval gate");
  await expect(page.locator(".react-flow__node")).toHaveCount(5);
  await expect(page.getByTestId("problems-panel")).toContainText("Ready to run");

  await startRun(page);
  await expect(node(page, "gate").locator("[data-run-status]")).toHaveAttribute("data-run-status", "waiting", { timeout: 30_000 });
  await node(page, "gate").getByRole("button", { name: "Approve" }).click();
  await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 30_000 });
  await expect(node(page, "done").locator("[data-run-status]")).toHaveAttribute("data-run-status", "succeeded");
  await expect(node(page, "declined").locator("[data-run-status]")).toHaveAttribute("data-run-status", "skipped");
  await expect(page.getByTestId("run-output")).toContainText("Refund order #4821");
});
