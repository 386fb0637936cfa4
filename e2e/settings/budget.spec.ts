import { mkdirSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { systemClient, trpcMutation } from "../support/api";
import { openWorkflow, runDialog, startRun } from "../support/editor";
import { agentGraph } from "../support/graphs";
import { pageAs } from "../support/users";

/**
 * Settings → Budget and Settings → Alerts in the browser, against the production build and a
 * real worker: the owner sets a monthly cap the workspace has already reached, a run started
 * from the editor and a REST trigger are refused with the spend and what to do, the owner
 * allows an override and the run starts; a viewer reads the page without its forms. Then an
 * admin adds an alert rule and turns it off. A workflow's own cap is set from the same page and
 * refuses that workflow's trigger, naming it.
 */

const SHOTS = "/tmp/shots";
mkdirSync(SHOTS, { recursive: true });

test.describe.configure({ mode: "serial" });

test("a reached monthly budget refuses runs with the reason; an owner's override lets them start", async ({ page, request, playwright, baseURL, browser }) => {
  try {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto("/settings/budget");
    await expect(page.getByRole("heading", { name: "Budget", exact: true })).toBeVisible();
    await expect(page.getByTestId("budget-spend")).toContainText("Spend in");
    // A cap of $0 is reached whatever this workspace spent before (other specs may have priced the demo model).
    await page.getByLabel("Cap, USD per month").fill("0");
    await page.getByRole("button", { name: "Save cap" }).click();
    await expect(page.getByText("The monthly cap is now $0.00.")).toBeVisible();
    await expect(page.getByTestId("budget-state")).toContainText("The budget is reached: new runs are refused");
    await expect(page.getByRole("progressbar", { name: "Spend against the monthly cap" })).toHaveAttribute("aria-valuenow", "100");
    await page.screenshot({ path: `${SHOTS}/budget-reached-1440.png`, fullPage: true });
    await page.setViewportSize({ width: 1024, height: 800 });
    await page.screenshot({ path: `${SHOTS}/budget-reached-1024.png`, fullPage: true });
    await page.setViewportSize({ width: 1440, height: 900 });

    // The editor's Run: refused in the Run form with the spend and what to do.
    const workflowId = await openWorkflow(page, request, "Budget", agentGraph());
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await runDialog(page).getByRole("button", { name: "Start run" }).click();
    await expect(runDialog(page)).toContainText(/spent \$\d+\.\d\d of \$0\.00 this month; an owner can raise the budget or allow an override/);
    await page.screenshot({ path: `${SHOTS}/budget-run-refused-1440.png` });
    await page.keyboard.press("Escape");
    await expect(runDialog(page)).toBeHidden();

    // A REST trigger (the draft: it is valid and nothing was published): 402 budget_exceeded.
    const { token } = await trpcMutation(request, "apiKeys", "create", { name: `budget ${Date.now()}`, scopes: ["trigger"] });
    const client = await systemClient(playwright, baseURL);
    const refused = await client.post(`/api/v1/workflows/${workflowId}/trigger`, { headers: { authorization: `Bearer ${token}` }, data: { input: {} } });
    expect(refused.status()).toBe(402);
    expect(await refused.json()).toMatchObject({ error: { code: "budget_exceeded", message: expect.stringMatching(/spent \$\d+\.\d\d of \$0\.00 this month/) } });

    // A viewer sees the spend and the cap, not the forms.
    const viewer = await pageAs(browser, "viewer");
    await viewer.goto("/settings/budget");
    await expect(viewer.getByText("Only admins can set the budget, and only owners can override it.")).toBeVisible();
    await expect(viewer.getByTestId("budget-state")).toContainText("The budget is reached");
    await expect(viewer.getByRole("button", { name: "Save cap" })).toHaveCount(0);
    await expect(viewer.getByRole("button", { name: "Allow override" })).toHaveCount(0);
    await viewer.close();

    // The owner's override: runs start again, from the editor and over REST.
    await page.goto("/settings/budget");
    await page.getByRole("button", { name: "Allow override" }).click();
    await expect(page.getByTestId("budget-state")).toContainText("Runs may go over the budget until");
    await page.screenshot({ path: `${SHOTS}/budget-override-1440.png`, fullPage: true });
    const accepted = await client.post(`/api/v1/workflows/${workflowId}/trigger`, { headers: { authorization: `Bearer ${token}` }, data: { input: {} } });
    expect(accepted.status()).toBe(202);
    await client.dispose();
    await page.goto(`/workflows/${workflowId}`);
    await startRun(page);

    await page.goto("/settings/audit");
    await expect(page.getByText("allowed runs over the budget").first()).toBeVisible();
  } finally {
    // Later specs run in this workspace: no cap, no override.
    await trpcMutation(request, "budgets", "override", { until: null });
    await trpcMutation(request, "budgets", "set", { monthlyCapUsd: null });
  }
});

test("a workflow's own cap: set in Settings → Budget, listed with its spend, refuses the workflow's REST trigger with a 402 naming it", async ({ page, request, playwright, baseURL, browser }) => {
  const name = `Capped flow ${Date.now()}`;
  const { id: workflowId } = await trpcMutation(request, "workflow", "create", { name, graph: agentGraph() });
  try {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto("/settings/budget");
    const caps = page.getByTestId("budget-workflow-caps");
    await expect(caps).toContainText("No workflow has a cap of its own.");
    await caps.getByLabel("Workflow", { exact: true }).selectOption({ label: name });
    // Bad amounts are told under the field, from the server.
    await caps.getByLabel("Monthly cap, USD").fill("-3");
    await caps.getByRole("button", { name: "Set workflow cap" }).click();
    await expect(caps.getByText("The cap cannot be negative")).toBeVisible();
    await caps.getByLabel("Monthly cap, USD").fill("");
    await caps.getByRole("button", { name: "Set workflow cap" }).click();
    await expect(caps.getByText("The cap must be a number of USD")).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/budget-workflow-cap-invalid-1440.png`, fullPage: true });

    // $0 is reached whatever the workflow spent.
    await caps.getByLabel("Monthly cap, USD").fill("0");
    await caps.getByRole("button", { name: "Set workflow cap" }).click();
    await expect(caps.getByText(`The monthly cap of ${name} is now $0.00.`)).toBeVisible();
    const row = caps.getByTestId("workflow-cap-row").filter({ hasText: name });
    await expect(row).toContainText("$0.00");
    await expect(row).toContainText("Reached: runs stop");
    await expect(page.getByTestId("budget-state")).toContainText("No workspace cap: only the workflow cap below stops runs");
    await expect(caps.getByText("The cap cannot be negative")).toHaveCount(0);
    await page.screenshot({ path: `${SHOTS}/budget-workflow-cap-1440.png`, fullPage: true });
    await page.setViewportSize({ width: 1024, height: 800 });
    await page.screenshot({ path: `${SHOTS}/budget-workflow-cap-1024.png`, fullPage: true });
    // The settings pane scrolls on its own: the card itself, so the form shows at this width too.
    await caps.screenshot({ path: `${SHOTS}/budget-workflow-cap-card-1024.png` });
    await page.setViewportSize({ width: 1440, height: 900 });

    // The workflow's REST trigger: 402 budget_exceeded, naming the workflow's budget (the workspace has no cap).
    const { token } = await trpcMutation(request, "apiKeys", "create", { name: `workflow budget ${Date.now()}`, scopes: ["trigger"] });
    const client = await systemClient(playwright, baseURL);
    const refused = await client.post(`/api/v1/workflows/${workflowId}/trigger`, { headers: { authorization: `Bearer ${token}` }, data: { input: {} } });
    expect(refused.status()).toBe(402);
    expect(await refused.json()).toMatchObject({
      error: { code: "budget_exceeded", message: `The monthly budget of workflow "${name}" is reached: spent $0.00 of $0.00 this month; an admin can raise the workflow's cap or an owner can allow an override` },
    });
    await client.dispose();

    // A viewer sees the caps, not the form or Remove.
    const viewer = await pageAs(browser, "viewer");
    await viewer.goto("/settings/budget");
    await expect(viewer.getByTestId("workflow-cap-row").filter({ hasText: name })).toContainText("Reached");
    await expect(viewer.getByRole("button", { name: "Set workflow cap" })).toHaveCount(0);
    await expect(viewer.getByRole("button", { name: `Remove the cap of ${name}` })).toHaveCount(0);
    await viewer.close();

    // Removed: the row goes, and the audit log says both.
    await row.getByRole("button", { name: `Remove the cap of ${name}` }).click();
    await expect(row).toHaveCount(0);
    await page.goto("/settings/audit");
    await expect(page.getByText("set a workflow's monthly budget").first()).toBeVisible();
    await expect(page.getByText("removed a workflow's monthly budget").first()).toBeVisible();
  } finally {
    await trpcMutation(request, "budgets", "removeWorkflowCap", { workflowId });
  }
});

test("an admin adds an alert rule, sees it listed, is told a bad threshold, and turns it off", async ({ browser }) => {
  const admin = await pageAs(browser, "admin");
  await admin.setViewportSize({ width: 1440, height: 900 });
  await admin.goto("/settings/alerts");
  await expect(admin.getByRole("heading", { name: "Alerts", exact: true })).toBeVisible();
  await admin.getByLabel("Watch").selectOption("failure_rate");
  await admin.getByLabel("Failed runs above, %").fill("20");
  await admin.getByLabel("Over the last, minutes").fill("15");
  await admin.getByLabel("Once at least this many runs ended").fill("10");
  await admin.getByRole("button", { name: "Add rule" }).click();
  const row = admin.getByTestId("alert-rule-row").filter({ hasText: "More than 20 % of runs fail within 15 min (at least 10 runs)" });
  await expect(row).toBeVisible();
  // A threshold out of range is refused naming the field.
  await admin.getByLabel("Failed runs above, %").fill("150");
  await admin.getByRole("button", { name: "Add rule" }).click();
  await expect(admin.getByText("A failure rate is at most 100 %")).toBeVisible();
  await admin.screenshot({ path: `${SHOTS}/alerts-1440.png`, fullPage: true });
  await admin.setViewportSize({ width: 1024, height: 800 });
  await admin.screenshot({ path: `${SHOTS}/alerts-1024.png`, fullPage: true });

  await row.getByRole("switch").click();
  await expect(row).toContainText("(off)");
  await admin.close();
});
