import { mkdirSync } from "node:fs";
import { expect, test, type APIRequestContext, type Locator, type Page } from "@playwright/test";
import { createNode, GRAPH_SCHEMA_VERSION, type Graph } from "../../server/engine/graph";
import { trpcMutation, trpcQuery } from "../support/api";
import { node, saveState } from "../support/editor";
import { personOf } from "../support/users";

/**
 * Review with context: the reviewer sees what they approve (the rendered message and the
 * content under review, as Markdown) on the canvas card, in the Inbox and on the run page;
 * rejects with a reason that travels on the reject branch; corrects the content before
 * approving (the edit flows on, the original stays in the log); and, for an agent's tool
 * call, sees the tool, its arguments and the agent's reason.
 */

const SHOTS = "/tmp/shots";
mkdirSync(SHOTS, { recursive: true });
const reviewer = personOf("owner").name;

/**
 * trigger → agent → review (a gate whose message shows the agent's output) → approve: output
 * "approved" (the gate's output as it is); reject: output "rejected" naming the reason.
 */
/** Waits until `target` lies wholly inside the canvas's visible height, where a person can click it. */
async function expectInsideCanvas(page: Page, target: Locator, what: string): Promise<void> {
  await expect
    .poll(
      async () => {
        const [canvas, box] = await Promise.all([page.locator(".react-flow").boundingBox(), target.boundingBox()]);
        return Boolean(canvas && box && box.y >= canvas.y && box.y + box.height <= canvas.y + canvas.height);
      },
      { message: `${what} is inside the canvas` },
    )
    .toBe(true);
}

function reviewGraph(): Graph {
  const agent = createNode("agent", "agent_1", { x: 272, y: 112 });
  // The demo model quotes the task: the agent's output carries this Markdown (bold and code).
  if (agent.type === "agent") agent.data.task = "Summarise **{{input.topic}}** for the `release` team";
  const review = createNode("human", "review", { x: 544, y: 112 });
  if (review.type === "human") review.data.message = "Check {{previous}}";
  const approved = createNode("output", "approved", { x: 816, y: 40 });
  const rejected = createNode("output", "rejected", { x: 816, y: 220 });
  if (rejected.type === "output") rejected.data.template = "Rejected: {{previous.reason}}";
  return {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: [createNode("trigger", "trigger", { x: 0, y: 112 }), agent, review, approved, rejected],
    edges: [
      { id: "e-trigger-agent_1", source: "trigger", target: "agent_1", sourceHandle: null, targetHandle: null },
      { id: "e-agent_1-review", source: "agent_1", target: "review", sourceHandle: null, targetHandle: null },
      { id: "e-review:approve-approved", source: "review", target: "approved", sourceHandle: "approve", targetHandle: null },
      { id: "e-review:reject-rejected", source: "review", target: "rejected", sourceHandle: "reject", targetHandle: null },
    ],
  };
}

/** trigger → review → output: the content under review is the run's input, a JSON object. */
function jsonGateGraph(): Graph {
  const review = createNode("human", "review", { x: 272, y: 112 });
  if (review.type === "human") review.data.message = "Is this order right?";
  return {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: [createNode("trigger", "trigger", { x: 0, y: 112 }), review, createNode("output", "output", { x: 544, y: 112 })],
    edges: [
      { id: "e-trigger-review", source: "trigger", target: "review", sourceHandle: null, targetHandle: null },
      { id: "e-review:approve-output", source: "review", target: "output", sourceHandle: "approve", targetHandle: null },
    ],
  };
}

async function startWaitingRun(request: APIRequestContext, name: string, graph: Graph, input: unknown): Promise<string> {
  const { id } = await trpcMutation(request, "workflow", "create", { name, graph });
  const { runId } = await trpcMutation(request, "run", "start", { workflowId: id, input });
  await expect.poll(async () => (await trpcQuery(request, "run", "get", { runId })).status, { timeout: 30_000 }).toBe("waiting_for_human");
  return runId;
}

async function finishedRun(request: APIRequestContext, runId: string) {
  await expect
    .poll(async () => (await trpcQuery(request, "run", "get", { runId })).status, { timeout: 30_000 })
    .toMatch(/^(succeeded|failed|rejected|cancelled)$/);
  return trpcQuery(request, "run", "get", { runId });
}

/** The agent's output as Markdown: bold and code rendered as elements, no literal markers. */
async function expectRenderedAgentOutput(content: Locator) {
  await expect(content.locator("strong")).toHaveText("vendor contract");
  await expect(content.locator("code")).toHaveText("release");
  await expect(content).toContainText("Demo answer to:");
  await expect(content).not.toContainText("**");
}

/** Selects a node on the run page by its title row (its task panel keeps clicks to itself). */
async function selectNode(page: Page, id: string) {
  await node(page, id).click({ position: { x: 60, y: 14 } });
}

test.describe("review with context", () => {
  test("the canvas card, the Inbox and the run page show the rendered message and content; a reject reason travels on the reject branch", async ({
    page,
    request,
  }) => {
    const name = `Review context ${Date.now()}`;
    const runId = await startWaitingRun(request, name, reviewGraph(), { topic: "vendor contract" });

    // The Inbox: roomy, the content inline.
    await page.goto("/inbox");
    const card = page.locator("article").filter({ hasText: name });
    await expect(card.getByTestId("human-task-message")).toContainText("Check Demo answer to:");
    await expect(card).not.toContainText("{{previous}}");
    await expectRenderedAgentOutput(card.getByRole("region", { name: "Content under review" }));
    await card.screenshot({ path: `${SHOTS}/review-inbox-card.png` });

    // The run page: the same task on the canvas card, and in the node's details.
    await page.goto(`/runs/${runId}`);
    const task = node(page, "review").getByTestId("human-task");
    await expect(task.getByTestId("human-task-message")).toContainText("Check Demo answer to:");
    await expect(task).not.toContainText("{{previous}}");
    await expectRenderedAgentOutput(task.getByRole("region", { name: "Content under review" }));
    await node(page, "review").screenshot({ path: `${SHOTS}/review-canvas-card.png` });

    await selectNode(page, "review");
    const details = page.getByTestId("human-task-details");
    await expect(details.getByTestId("human-decision")).toHaveText("Waiting for an operator");
    await expect(details.getByTestId("human-task-message")).toContainText("Check Demo answer to:");
    await expectRenderedAgentOutput(details.getByRole("region", { name: "Content under review" }));

    // Reject asks for a reason first; Cancel goes back without deciding.
    await task.getByRole("button", { name: "Reject" }).click();
    await task.getByRole("button", { name: "Cancel" }).click();
    await expect(task.getByLabel("Reason for rejecting (optional)")).toHaveCount(0);
    expect((await trpcQuery(request, "run", "get", { runId })).status).toBe("waiting_for_human");

    const reason = "The summary misses the renewal date";
    await task.getByRole("button", { name: "Reject" }).click();
    await task.getByLabel("Reason for rejecting (optional)").fill(reason);
    await node(page, "review").screenshot({ path: `${SHOTS}/review-reject-reason.png` });
    await task.getByRole("button", { name: "Confirm reject" }).click();

    // The reject branch ran and carries the reason; the card says who rejected and why.
    await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 30_000 });
    await expect(page.getByTestId("run-output")).toContainText(`Rejected: ${reason}`);
    await expect(node(page, "rejected").locator("[data-run-status]")).toHaveAttribute("data-run-status", "succeeded");
    await expect(node(page, "approved").locator("[data-run-status]")).toHaveAttribute("data-run-status", "skipped");
    await expect(node(page, "review").getByTestId("human-outcome")).toContainText(`Rejected by ${reviewer}: ${reason}`);
    await selectNode(page, "review");
    await expect(page.getByTestId("human-decision")).toContainText(`Rejected by ${reviewer}: ${reason}`);

    const run = await finishedRun(request, runId);
    expect(run.output).toBe(`Rejected: ${reason}`);
    const responded = run.events.find((event) => event.type === "human_responded");
    expect(responded).toMatchObject({ decision: "reject", comment: reason });
  });

  test("Edit then approve: the edited text flows on, the original stays in the log", async ({ page, request }) => {
    const name = `Review edit ${Date.now()}`;
    const runId = await startWaitingRun(request, name, reviewGraph(), { topic: "vendor contract" });
    const requested = (await trpcQuery(request, "run", "get", { runId })).events.find((event) => event.type === "human_requested");
    const original = requested?.type === "human_requested" ? requested.context : undefined;
    expect(typeof original).toBe("string");
    expect(String(original)).toContain("**vendor contract**");

    await page.goto(`/runs/${runId}`);
    const task = node(page, "review").getByTestId("human-task");
    await task.getByRole("button", { name: "Review" }).click();
    const dialog = page.getByRole("dialog", { name: "Approval needed" });
    await expect(dialog.getByTestId("human-task-message")).toContainText("Check Demo answer to:");
    await expectRenderedAgentOutput(dialog.getByRole("region", { name: "Content under review" }));

    await dialog.getByRole("button", { name: "Edit content" }).click();
    const editor = dialog.getByLabel("Edited content");
    await expect(editor).toHaveValue(String(original));
    const edited = "## Vendor contract\n\n- Renewal on **1 March**\n- Notice period: 90 days";
    await editor.fill(edited);
    const approve = dialog.getByRole("button", { name: "Approve with edits" });
    await expect(approve).toBeEnabled();
    await dialog.screenshot({ path: `${SHOTS}/review-edit-then-approve.png` });
    await approve.click();
    await expect(dialog).toHaveCount(0);

    await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 30_000 });
    await expect(node(page, "review").getByTestId("human-outcome")).toContainText(`Approved with edits by ${reviewer}`);
    await expect(node(page, "approved").locator("[data-run-status]")).toHaveAttribute("data-run-status", "succeeded");
    await expect(node(page, "rejected").locator("[data-run-status]")).toHaveAttribute("data-run-status", "skipped");
    await expect(page.getByTestId("run-output")).toContainText("Notice period: 90 days");

    // The log keeps what was under review: the request's message quoted the original.
    await page.getByRole("tab", { name: /^Events/ }).click();
    await expect(page.getByTestId("run-events").locator('[data-event-type="human_requested"]')).toContainText('Demo answer to: "Summarise **vendor contract**');
    // The node's details show the original under review and the approved edit beside it.
    await selectNode(page, "review");
    const details = page.getByTestId("human-task-details");
    await expectRenderedAgentOutput(details.getByRole("region", { name: "Content under review" }));
    const approvedEdit = details.getByRole("region", { name: "Approved with edits" });
    await expect(approvedEdit.getByRole("heading", { name: "Vendor contract" })).toBeVisible();
    await expect(approvedEdit.locator("li strong")).toHaveText("1 March");
    await page.screenshot({ path: `${SHOTS}/review-edited-run-page.png` });

    const run = await finishedRun(request, runId);
    expect(run.output).toBe(edited);
    const responded = run.events.find((event) => event.type === "human_responded");
    expect(responded).toMatchObject({ decision: "approve", editedContent: edited });
    const stillRequested = run.events.find((event) => event.type === "human_requested");
    expect(stillRequested?.type === "human_requested" ? stillRequested.context : undefined).toBe(original);
  });

  test("JSON content is edited as JSON in the Inbox: invalid JSON blocks Approve, the parsed value flows on", async ({ page, request }) => {
    const name = `Review JSON ${Date.now()}`;
    const input = { customer: "Acme", quantity: 3 };
    const runId = await startWaitingRun(request, name, jsonGateGraph(), input);

    await page.goto("/inbox");
    const card = page.locator("article").filter({ hasText: name });
    const content = card.getByRole("region", { name: "Content under review" });
    await expect(content).toContainText('"customer": "Acme"');
    await card.getByRole("button", { name: "Edit content" }).click();
    const editor = card.getByLabel("Edited content (JSON)");
    await expect(editor).toHaveValue(JSON.stringify(input, null, 2));

    await editor.fill('{ "customer": "Acme", ');
    await expect(card).toContainText("Not valid JSON");
    await expect(card.getByRole("button", { name: "Approve" })).toBeDisabled();
    await editor.fill('{ "customer": "Acme", "quantity": 30 }');
    await expect(card).not.toContainText("Not valid JSON");
    await card.getByRole("button", { name: "Approve with edits" }).click();
    await expect(card).toHaveCount(0);

    const run = await finishedRun(request, runId);
    expect(run.status).toBe("succeeded");
    expect(run.output).toEqual({ customer: "Acme", quantity: 30 });
  });

  test("a tool approval shows the tool, its arguments and the agent's reason; a reject reason goes back to the agent", async ({
    page,
    request,
  }) => {
    const name = `Review tool call ${Date.now()}`;
    const agentReason = "I need the status page to confirm the outage";
    const url = "http://10.0.0.1/status";
    const agent = createNode("agent", "agent_1", { x: 272, y: 112 });
    if (agent.type === "agent") {
      // The demo model sends `#demo:say:` text with its next scripted call: the agent's reason.
      agent.data.task = `Check the status page.\n#demo:say:${agentReason}\n#demo:call:http_request ${JSON.stringify({ url })}`;
      agent.data.allowedTools = ["http_request"];
    }
    const graph: Graph = {
      schemaVersion: GRAPH_SCHEMA_VERSION,
      nodes: [createNode("trigger", "trigger", { x: 0, y: 112 }), agent, createNode("output", "output", { x: 544, y: 112 })],
      edges: [
        { id: "e-trigger-agent_1", source: "trigger", target: "agent_1", sourceHandle: null, targetHandle: null },
        { id: "e-agent_1-output", source: "agent_1", target: "output", sourceHandle: null, targetHandle: null },
      ],
    };
    const runId = await startWaitingRun(request, name, graph, {});

    await page.goto("/inbox");
    const card = page.locator("article").filter({ hasText: name });
    await expect(card).toContainText("Tool call");
    await expect(card).toContainText("http_request");
    await expect(card).toContainText(url);
    await expect(card.getByTestId("tool-call-reason")).toContainText(agentReason);

    await page.goto(`/runs/${runId}`);
    const task = node(page, "agent_1").getByTestId("human-task");
    await expect(task).toContainText("http_request");
    // This card (reason, arguments, reject form) is taller than a 720 px window's canvas at the
    // readable opening zoom: the canvas brings the whole waiting card on screen by itself, so its
    // buttons are where a person can click them (not merely scrolled into view inside the canvas).
    await expectInsideCanvas(page, task.getByRole("button", { name: "Reject" }), "the waiting card's Reject button");
    await page.screenshot({ path: `${SHOTS}/review-tool-call-revealed.png` });
    await expect(task).toContainText(url);
    await expect(task.getByTestId("tool-call-reason")).toContainText(agentReason);
    await node(page, "agent_1").screenshot({ path: `${SHOTS}/review-tool-call-card.png` });

    const reason = "Use the public status API instead";
    await task.getByRole("button", { name: "Reject" }).click();
    await task.getByLabel("Reason for rejecting (optional)").fill(reason);
    // The reason field makes the card taller still: the canvas reveals the grown card again, so
    // Confirm is where a person clicks it (a click below the canvas edge, after Playwright
    // scrolled the clipped pane, was once lost in CI).
    const confirm = task.getByRole("button", { name: "Confirm reject" });
    await expectInsideCanvas(page, confirm, "the grown card's Confirm reject button");
    await page.screenshot({ path: `${SHOTS}/review-tool-call-reject-form.png` });
    await confirm.click();
    await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 30_000 });

    // The model was told why: the refused call's result carries the reason.
    const run = await finishedRun(request, runId);
    const refused = run.events.find((event) => event.type === "tool_result" && event.name === "http_request");
    expect(refused?.type === "tool_result" ? refused.content : "").toContain(reason);
  });
  test("the human node's settings: a template message, editing allowed or not, a timeout with its own branch", async ({ page, request }) => {
    const { id } = await trpcMutation(request, "workflow", "create", { name: `Review settings ${Date.now()}`, graph: reviewGraph() });
    await page.goto(`/workflows/${id}`);
    await expect(saveState(page)).toHaveText("Saved");
    const timeoutHandle = node(page, "review").locator('.react-flow__handle[data-handleid="timeout"]');
    await expect(timeoutHandle).toHaveCount(0);

    await node(page, "review").click();
    await expect(page.getByText("A template, filled in when the task is created")).toBeVisible();
    await page.getByLabel("Reviewer may edit the content").uncheck();
    await page.getByLabel("Timeout", { exact: true }).fill("2");
    await page.getByLabel("Timeout unit").selectOption("hours");
    // The branch exists only once a timeout takes it.
    await expect(timeoutHandle).toHaveCount(0);
    await page.getByLabel("On timeout").selectOption("timeout");
    await expect(timeoutHandle).toHaveCount(1);
    await page.getByLabel("Escalate after", { exact: true }).fill("30");
    await page.getByLabel("Escalate after unit").selectOption("minutes");
    await page.getByLabel("Escalate to").selectOption("owner");
    await page.getByLabel("Timeout", { exact: true }).fill("-1");
    await expect(page.getByText("At least 0")).toBeVisible();
    await page.getByLabel("Timeout", { exact: true }).fill("2");
    await node(page, "review").screenshot({ path: `${SHOTS}/review-node-timeout-handle.png` });
    await page.getByLabel("Escalate to").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/review-human-form.png` });
    await expect(saveState(page)).toHaveText("Saved", { timeout: 10_000 });

    const saved = await trpcQuery(request, "workflow", "get", { id });
    expect(saved.graph.nodes.find((n) => n.id === "review")?.data).toMatchObject({
      allowEdit: false,
      timeoutSeconds: 7_200,
      onTimeout: "timeout",
      escalateAfterSeconds: 1_800,
      escalateTo: "owner",
    });

    // Without "Reviewer may edit the content", the reviewer approves or rejects the content as it is.
    const { runId } = await trpcMutation(request, "run", "start", { workflowId: id, input: { topic: "no edits" } });
    await expect.poll(async () => (await trpcQuery(request, "run", "get", { runId })).status, { timeout: 30_000 }).toBe("waiting_for_human");
    await page.goto(`/runs/${runId}`);
    // The card says when the timeout will decide.
    await expect(node(page, "review").getByTestId("human-task-due")).toContainText("Times out");
    await node(page, "review").getByTestId("human-task").getByRole("button", { name: "Review" }).click();
    const dialog = page.getByRole("dialog", { name: "Approval needed" });
    await expect(dialog.getByRole("button", { name: "Approve" })).toBeVisible();
    await expect(dialog.getByRole("button", { name: "Edit content" })).toHaveCount(0);
    await dialog.getByRole("button", { name: "Close" }).click();
    await expect(dialog).toHaveCount(0);
  });
});
