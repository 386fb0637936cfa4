import { expect, test } from "@playwright/test";
import { trpcMutation, trpcQuery } from "../support/api";
import { node, startRun } from "../support/editor";
import { approvalGraph } from "../support/graphs";
import { pageAs, personOf } from "../support/users";

test.describe("human tasks by role", () => {
  test("a viewer sees a waiting approval on the run page and in the Inbox, with nothing to press", async ({ browser, request }) => {
    const name = `Viewer waiting ${Date.now()}`;
    const { id } = await trpcMutation(request, "workflow", "create", { name, graph: approvalGraph() });
    const { runId } = await trpcMutation(request, "run", "start", { workflowId: id, input: { topic: "viewer check" } });
    await expect.poll(async () => (await trpcQuery(request, "run", "get", { runId })).status, { timeout: 30_000 }).toBe("waiting_for_human");

    const page = await pageAs(browser, "viewer");
    await page.goto(`/runs/${runId}`);
    const task = node(page, "review").getByTestId("human-task");
    await expect(task).toContainText("Approval needed");
    await expect(task).toContainText("Waiting for an operator");
    await expect(task.getByRole("button")).toHaveCount(0);
    await expect(page.getByTestId("run-started-by")).toHaveText(personOf("owner").name);
    for (const control of ["Pause", "Resume", "Cancel run"]) await expect(page.getByRole("button", { name: control })).toHaveCount(0);

    await page.goto("/inbox");
    const card = page.locator("article").filter({ hasText: name });
    await expect(card).toContainText("Waiting for an operator");
    await expect(card.getByRole("button")).toHaveCount(0);
    await expect(page.getByTestId("view-only-badge")).toContainText("viewer");

    // The run is still waiting: nothing the viewer saw answered it.
    expect((await trpcQuery(request, "run", "get", { runId })).status).toBe("waiting_for_human");
    await page.context().close();
  });

  test("after an operator approves, the run page says who approved and who started it", async ({ browser, request }) => {
    const name = `Operator approves ${Date.now()}`;
    const { id } = await trpcMutation(request, "workflow", "create", { name, graph: approvalGraph() });
    const operator = personOf("operator").name;

    const page = await pageAs(browser, "operator");
    await page.goto(`/workflows/${id}`);
    await startRun(page);
    await node(page, "review").getByRole("button", { name: "Approve" }).click({ timeout: 30_000 });
    await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 30_000 });
    const runLink = page.getByRole("region", { name: "Run" }).locator('a[href^="/runs/"]');
    const runId = (await runLink.textContent())?.trim() ?? "";
    expect(runId).toMatch(/^run_/);
    await page.context().close();

    // Seen by someone else, later: the owner opens the finished run.
    const owner = await pageAs(browser, "owner");
    await owner.goto(`/runs/${runId}`);
    await expect(owner.getByTestId("run-status")).toHaveText("succeeded");
    await expect(owner.getByTestId("run-started-by")).toHaveText(operator);
    await expect(node(owner, "review").getByTestId("human-outcome")).toContainText(`Approved by ${operator}`);
    await node(owner, "review").click();
    await expect(owner.getByTestId("human-decision")).toContainText(`Approved by ${operator}`);
    await owner.getByRole("tab", { name: /^Events/ }).click();
    await expect(owner.getByTestId("run-events").locator('[data-event-type="human_responded"]')).toContainText(`approve by ${operator}`);

    await owner.goto("/runs");
    await expect(owner.locator(`tr[data-run-id="${runId}"]`).getByTestId("run-started-by")).toHaveText(operator);
    await owner.context().close();

    const run = await trpcQuery(request, "run", "get", { runId });
    expect(run.startedBy).toBe(operator);
    expect(run.humanTasks.map((task) => task.respondedByName)).toEqual([operator]);
  });
});
