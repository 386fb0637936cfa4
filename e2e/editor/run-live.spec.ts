import { expect, test, type Page } from "@playwright/test";
import { trpcMutation, trpcQuery } from "../support/api";
import { runDialog, startRun } from "../support/editor";
import { approvalGraph, toolApprovalGraph } from "../support/graphs";

const node = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

test.describe("running from the editor", () => {
  test("saves, runs, shows live node statuses and continues after Approve", async ({ page, request }) => {
    const { id } = await trpcMutation(request, "workflow", "create", { name: `Run live ${Date.now()}`, graph: approvalGraph() });
    await page.goto(`/workflows/${id}`);
    // An unsaved edit: Run must save it first, since runs use the saved draft.
    await node(page, "trigger").click();
    await page.getByLabel("Sample input (JSON)").fill('{"topic": "quarterly billing"}');
    // The Run form starts from the sample (the workflow has not run yet).
    await startRun(page);

    await expect(page.getByTestId("save-state")).toHaveText("Saved");
    await expect(node(page, "review").locator("[data-run-status]")).toHaveAttribute("data-run-status", "waiting", { timeout: 30_000 });
    await expect(node(page, "agent_1").locator("[data-run-status]")).toHaveAttribute("data-run-status", "succeeded");
    await expect(page.getByTestId("run-status")).toHaveText("waiting_for_human");
    await expect(node(page, "output").locator("[data-run-status]")).toHaveAttribute("data-run-status", "pending");

    await node(page, "review").getByRole("button", { name: "Approve" }).click();
    await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 30_000 });
    await expect(node(page, "output").locator("[data-run-status]")).toHaveAttribute("data-run-status", "succeeded");
    await expect(page.getByTestId("run-output")).toContainText("quarterly billing");
  });

  test("Reject ends the run through the reject branch", async ({ page, request }) => {
    const { id } = await trpcMutation(request, "workflow", "create", { name: `Run reject ${Date.now()}`, graph: approvalGraph() });
    await page.goto(`/workflows/${id}`);
    await startRun(page);
    // The roomy review (a dialog over the canvas): Reject asks for an optional reason first.
    await node(page, "review").getByRole("button", { name: "Review" }).click({ timeout: 30_000 });
    const review = page.getByRole("dialog");
    await review.getByRole("button", { name: "Reject" }).click();
    await review.getByRole("button", { name: "Confirm reject" }).click();
    await expect(page.getByTestId("run-status")).toHaveText("rejected", { timeout: 30_000 });
    await expect(node(page, "output").locator("[data-run-status]")).toHaveAttribute("data-run-status", "skipped");
  });

  test("a tool call approved on the node with edited arguments runs with the edited arguments", async ({ page, request }) => {
    const graph = toolApprovalGraph({ url: "http://10.0.0.1/model-choice" });
    const { id } = await trpcMutation(request, "workflow", "create", { name: `Run tool approval ${Date.now()}`, graph });
    await page.goto(`/workflows/${id}`);
    await startRun(page);

    const panel = node(page, "agent_1").getByTestId("human-task");
    await expect(panel).toContainText("Tool call needs approval", { timeout: 30_000 });
    await expect(panel).toContainText("http://10.0.0.1/model-choice");
    await panel.getByRole("button", { name: "Edit arguments" }).click();
    const editor = panel.getByLabel("Tool arguments (JSON)");
    await editor.fill("{ not json");
    await expect(panel).toContainText("Not valid JSON");
    await expect(panel.getByRole("button", { name: "Approve" })).toBeDisabled();

    await editor.fill('{"url": "http://10.0.0.3/edited-on-canvas"}');
    // The card has grown under the run bar: decide in its roomy review, which keeps the edit.
    await panel.getByRole("button", { name: "Review" }).click();
    const review = page.getByRole("dialog");
    await expect(review.getByLabel("Tool arguments (JSON)")).toHaveValue('{"url": "http://10.0.0.3/edited-on-canvas"}');
    await review.getByRole("button", { name: "Approve" }).click();
    await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 30_000 });
    // The SSRF guard refuses private addresses by name, so the output shows the URL the tool got.
    await expect(page.getByTestId("run-output")).toContainText("Error: blocked: 10.0.0.3 is a private address");
  });

  test("does not start a run while the input is not JSON", async ({ page, request }) => {
    const { id } = await trpcMutation(request, "workflow", "create", { name: `Run bad input ${Date.now()}`, graph: approvalGraph() });
    await page.goto(`/workflows/${id}`);
    await node(page, "trigger").click();
    await page.getByLabel("Sample input (JSON)").fill("{ not json");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    // The Run form shows the sample as written, and refuses it.
    const dialog = runDialog(page);
    await expect(dialog.getByLabel("Input (JSON)")).toHaveValue("{ not json");
    await dialog.getByRole("button", { name: "Start run" }).click();
    await expect(dialog.getByRole("alert")).toContainText("Not valid JSON");
    await expect(dialog).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId("run-status")).toHaveCount(0);
    expect(await trpcQuery(request, "workflow", "lastRunInput", { workflowId: id })).toBeNull();
  });

  test("a waiting run can be paused, resumed and cancelled from the run bar", async ({ page, request }) => {
    const { id } = await trpcMutation(request, "workflow", "create", { name: `Run controls ${Date.now()}`, graph: approvalGraph() });
    await page.goto(`/workflows/${id}`);
    await startRun(page);
    await expect(page.getByTestId("run-status")).toHaveText("waiting_for_human", { timeout: 30_000 });

    await page.getByRole("button", { name: "Pause" }).click();
    await expect(page.getByTestId("run-status")).toHaveText("paused");
    await page.getByRole("button", { name: "Resume" }).click();
    await expect(page.getByTestId("run-status")).toHaveText("waiting_for_human");
    await page.getByRole("button", { name: "Cancel run" }).click();
    await expect(page.getByTestId("run-status")).toHaveText("cancelled");
    // The node the run was waiting on no longer offers a decision.
    await expect(node(page, "review").getByRole("button", { name: "Approve" })).toHaveCount(0);
  });
});
