import { expect, test, type Page } from "@playwright/test";
import { trpcMutation } from "../support/api";
import { approvalGraph } from "../support/graphs";

const node = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

test.describe("runs", () => {
  test("a run started elsewhere is listed, followed live on its page and approved there", async ({ page, request }) => {
    const name = `Run page ${Date.now()}`;
    const { id } = await trpcMutation(request, "workflow", "create", { name, graph: approvalGraph() });
    const { runId } = await trpcMutation(request, "run", "start", { workflowId: id, input: { topic: "incident review" } });

    await page.goto("/runs");
    const row = page.locator(`tr[data-run-id="${runId}"]`);
    await expect(row.getByRole("link", { name })).toBeVisible();
    await row.getByRole("link", { name }).click();
    await expect(page).toHaveURL(new RegExp(`/runs/${runId}$`));

    // The pinned graph is read-only: no palette, no deleting.
    await expect(page.getByRole("button", { name: "Add Agent" })).toHaveCount(0);
    await expect(node(page, "review").locator("[data-run-status]")).toHaveAttribute("data-run-status", "waiting", { timeout: 30_000 });
    await node(page, "review").getByRole("button", { name: "Approve" }).click();

    await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 30_000 });
    await expect(page.getByTestId("run-output")).toContainText("incident review");
    const events = page.getByTestId("run-events");
    await expect(events.locator('[data-event-type="human_responded"]')).toHaveCount(1);
    await expect(events.locator('[data-event-type="run_finished"]')).toHaveCount(1);

    await node(page, "agent_1").click();
    await page.keyboard.press("Delete");
    await expect(page.locator(".react-flow__node")).toHaveCount(4);
  });
});
