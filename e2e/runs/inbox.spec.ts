import { expect, test } from "@playwright/test";
import { trpcMutation, trpcQuery } from "../support/api";
import { approvalGraph } from "../support/graphs";

test("the inbox lists a waiting approval and approving it there finishes the run", async ({ page, request }) => {
  const name = `Inbox ${Date.now()}`;
  const { id } = await trpcMutation(request, "workflow", "create", { name, graph: approvalGraph() });
  const { runId } = await trpcMutation(request, "run", "start", { workflowId: id, input: { topic: "vendor contract" } });
  await expect.poll(async () => (await trpcQuery(request, "run", "get", { runId })).status, { timeout: 30_000 }).toBe("waiting_for_human");

  await page.goto("/inbox");
  const card = page.locator("article").filter({ hasText: name });
  await expect(card).toContainText("Approval");
  await card.getByRole("button", { name: "Approve" }).click();
  await expect(card).toHaveCount(0);
  await expect.poll(async () => (await trpcQuery(request, "run", "get", { runId })).status, { timeout: 30_000 }).toBe("succeeded");
});
