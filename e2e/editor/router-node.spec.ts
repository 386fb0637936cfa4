import { expect, test } from "@playwright/test";
import { node, startRun } from "../support/editor";

test("the LLM router template: the model picks a team, the canvas shows the choice and its reason, the log names it", async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto("/workflows");
  const card = page.getByTestId("template-card").filter({ hasText: "LLM router" });
  await card.getByRole("button", { name: "Use template" }).click();
  await expect(page).toHaveURL(/\/workflows\/wf_/);
  await expect(page.getByTestId("problems-panel")).toContainText("Ready to run");

  // Each branch is an output of the router, named on the card.
  const router = node(page, "route");
  for (const branch of ["billing", "technical", "general"]) await expect(router.locator(`.react-flow__handle[data-handleid="${branch}"]`)).toHaveCount(1);

  // The sample input is about a double charge and a refund: the billing team.
  await startRun(page);
  await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 30_000 });
  await expect(router.getByTestId("router-choice")).toContainText("Chose → billing");
  await expect(router.getByTestId("router-choice")).toContainText("key word");
  await expect(node(page, "billing").locator("[data-run-status]")).toHaveAttribute("data-run-status", "succeeded");
  await expect(node(page, "technical").locator("[data-run-status]")).toHaveAttribute("data-run-status", "skipped");
  await expect(node(page, "general").locator("[data-run-status]")).toHaveAttribute("data-run-status", "skipped");
  await page.screenshot({ path: "/tmp/shots/router-choice-1440.png" });

  // The run page's log names the choice in plain words.
  await page.locator('a[href^="/runs/run_"]').first().click();
  await expect(page).toHaveURL(/\/runs\/run_/);
  await expect(page.getByTestId("run-events")).toContainText("Branch chosen");
  await expect(page.getByTestId("run-events")).toContainText("→ billing: The message shares");
});

test("the router's branches are edited in the inspector: a new branch is a new output, names are made valid, two at least", async ({ page }) => {
  await page.goto("/workflows");
  await page.getByTestId("template-card").filter({ hasText: "LLM router" }).getByRole("button", { name: "Use template" }).click();
  await expect(page).toHaveURL(/\/workflows\/wf_/);
  const router = node(page, "route");
  await router.click();
  const branches = page.getByTestId("router-branch");
  await expect(branches).toHaveCount(3);

  await page.getByRole("button", { name: "Add branch" }).click();
  await expect(branches).toHaveCount(4);
  await page.getByLabel("Branch 4 name").fill("Sales Leads");
  // Typed with a space and capitals: stored as the engine accepts it.
  await expect(page.getByLabel("Branch 4 name")).toHaveValue("sales_leads");
  await page.getByLabel("Branch 4 description").fill("Someone wants to buy more seats");
  await expect(router.locator('.react-flow__handle[data-handleid="sales_leads"]')).toHaveCount(1);
  await page.screenshot({ path: "/tmp/shots/router-inspector-1440.png" });

  // The default follows a renamed branch; removing stops at two.
  await page.getByLabel("Branch 3 name").fill("desk");
  await expect(page.getByLabel("Default branch")).toHaveValue("desk");
  await page.getByRole("button", { name: "Remove branch sales_leads" }).click();
  await page.getByRole("button", { name: "Remove branch desk" }).click();
  await expect(branches).toHaveCount(2);
  await expect(page.getByRole("button", { name: "Remove branch billing" })).toBeDisabled();
  await expect(page.getByLabel("Default branch")).toHaveValue("billing");
});

test("the state machine template: a loop and a router walk a ticket through four states to closed", async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto("/workflows");
  await page.getByTestId("template-card").filter({ hasText: "State machine" }).getByRole("button", { name: "Use template" }).click();
  await expect(page).toHaveURL(/\/workflows\/wf_/);
  await startRun(page);
  await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 30_000 });
  // The canvas shows the last round: the router chose "close", the other states were skipped in it.
  await expect(node(page, "next").getByTestId("router-choice")).toContainText("Chose → close");
  await expect(node(page, "close").locator("[data-run-status]")).toHaveAttribute("data-run-status", "succeeded");
  for (const state of ["triage", "fix", "verify"]) await expect(node(page, state).locator("[data-run-status]")).toHaveAttribute("data-run-status", "skipped");
  await expect(page.getByTestId("run-output")).toContainText("CLOSED");
  await page.screenshot({ path: "/tmp/shots/state-machine-1440.png" });
});
