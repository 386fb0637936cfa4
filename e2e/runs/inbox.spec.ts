import { expect, test } from "@playwright/test";
import { trpcMutation, trpcQuery } from "../support/api";
import { approvalGraph, toolApprovalGraph } from "../support/graphs";

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

test("a tool call approved from the inbox with edited arguments runs with the edited arguments", async ({ page, request }) => {
  // Private IP literals: the SSRF guard refuses them before any socket or DNS lookup, and its
  // error names the address, so the tool result shows which URL the tool actually got.
  const modelUrl = "http://10.0.0.1/model-choice";
  const editedUrl = "http://10.0.0.2/edited-by-reviewer";
  const name = `Inbox tool call ${Date.now()}`;
  const { id } = await trpcMutation(request, "workflow", "create", { name, graph: toolApprovalGraph({ url: modelUrl }) });
  const { runId } = await trpcMutation(request, "run", "start", { workflowId: id, input: {} });
  await expect.poll(async () => (await trpcQuery(request, "run", "get", { runId })).status, { timeout: 30_000 }).toBe("waiting_for_human");

  await page.goto("/inbox");
  const card = page.locator("article").filter({ hasText: name });
  await expect(card).toContainText("Tool call");
  await expect(card).toContainText("http_request");
  await expect(card).toContainText(modelUrl);

  await card.getByRole("button", { name: "Edit arguments" }).click();
  const editor = card.getByLabel("Tool arguments (JSON)");
  await expect(editor).toHaveValue(JSON.stringify({ url: modelUrl }, null, 2));
  const approve = card.getByRole("button", { name: "Approve" });

  await editor.fill('{ "url": ');
  await expect(card).toContainText("Not valid JSON");
  await expect(approve).toBeDisabled();
  await editor.fill(`["${editedUrl}"]`);
  await expect(card).toContainText("Arguments must be a JSON object");
  await expect(approve).toBeDisabled();

  await editor.fill(JSON.stringify({ url: editedUrl }, null, 2));
  await expect(card).not.toContainText("Not valid JSON");
  await expect(approve).toBeEnabled();
  await approve.click();
  await expect(card).toHaveCount(0);

  await expect.poll(async () => (await trpcQuery(request, "run", "get", { runId })).status, { timeout: 30_000 }).toBe("succeeded");
  const run = await trpcQuery(request, "run", "get", { runId });
  const responded = run.events.find((event) => event.type === "human_responded");
  expect(responded).toMatchObject({ decision: "approve", editedArguments: JSON.stringify({ url: editedUrl }) });
  const toolResult = run.events.find((event) => event.type === "tool_result" && event.name === "http_request");
  expect(toolResult?.type === "tool_result" ? toolResult.content : "").toContain("blocked: 10.0.0.2 is");
  expect(toolResult?.type === "tool_result" ? toolResult.content : "").not.toContain("10.0.0.1");

  // The run's output (the agent's answer, which quotes its tool results) shows the same.
  await page.goto(`/runs/${runId}`);
  await expect(page.getByTestId("run-output")).toContainText("Error: blocked: 10.0.0.2 is a private address");
});
