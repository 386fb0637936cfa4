import { mkdirSync } from "node:fs";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { createNode, GRAPH_SCHEMA_VERSION, type Graph } from "../../server/engine/graph";
import { trpcMutation, trpcQuery } from "../support/api";
import { approvalGraph } from "../support/graphs";
import { pageAs } from "../support/users";

/**
 * A finished run is not a dead end: "Run again", "Retry from <node>" (the same run goes on,
 * reusing what it paid for) and time travel ("View state at #N" → edit → "Fork from here"),
 * with lineage on both sides and a side-by-side compare. Real Chromium, worker and demo model.
 */

const SHOTS = "/tmp/shots";
mkdirSync(SHOTS, { recursive: true });

/**
 * The worker's model client retries a 500 LLM_MAX_RETRIES (3) times before it records one
 * llm_error, and an agent asks a person after 3 errors in a row: 3 × 4 failing requests.
 */
const FAILING_REQUESTS = 12;

/** trigger → agent A → agent B → output. B's system prompt may carry a demo-model fault. */
function twoAgentGraph(options: { faultyB?: boolean } = {}): Graph {
  const nonce = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const a = createNode("agent", "agent_a", { x: 272, y: 112 });
  const b = createNode("agent", "agent_b", { x: 544, y: 112 });
  if (a.type === "agent") {
    a.data.label = "Agent A";
    a.data.task = "Outline {{input.topic}}";
  }
  if (b.type === "agent") {
    b.data.label = "Agent B";
    b.data.task = "{{previous}}";
    // The nonce keeps the demo model's fault counter (keyed by the conversation) fresh per test run.
    if (options.faultyB) b.data.systemPrompt = `You edit outlines. #demo:500:${FAILING_REQUESTS} (${nonce}) Finish by calling complete_task.`;
  }
  return {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: [createNode("trigger", "trigger", { x: 0, y: 112 }), a, b, createNode("output", "output", { x: 816, y: 112 })],
    edges: [
      { id: "e-trigger-agent_a", source: "trigger", target: "agent_a", sourceHandle: null, targetHandle: null },
      { id: "e-agent_a-agent_b", source: "agent_a", target: "agent_b", sourceHandle: null, targetHandle: null },
      { id: "e-agent_b-output", source: "agent_b", target: "output", sourceHandle: null, targetHandle: null },
    ],
  };
}

const getRun = (request: APIRequestContext, runId: string) => trpcQuery(request, "run", "get", { runId });

async function startedRun(request: APIRequestContext, name: string, graph: Graph, input: unknown): Promise<string> {
  const { id } = await trpcMutation(request, "workflow", "create", { name, graph });
  const { runId } = await trpcMutation(request, "run", "start", { workflowId: id, input });
  return runId;
}

async function waitForStatus(request: APIRequestContext, runId: string, status: string, timeout = 45_000) {
  await expect.poll(async () => (await getRun(request, runId)).status, { timeout }).toBe(status);
}

const node = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
const runIdOf = (page: Page) => new URL(page.url()).pathname.split("/").pop() ?? "";

test.describe("re-run, retry and time travel", () => {
  test("Run again with the same input makes a new run linked to its parent, which lists it", async ({ page, request }) => {
    const input = { topic: `kites ${Date.now()}` };
    const parentId = await startedRun(request, `Run again ${Date.now()}`, twoAgentGraph(), input);
    await waitForStatus(request, parentId, "succeeded");

    await page.goto(`/runs/${parentId}`);
    await expect(page.getByTestId("run-status")).toHaveText("succeeded");
    await page.getByRole("button", { name: "Run again" }).click();
    const dialog = page.getByRole("dialog", { name: "Run again" });
    await expect(dialog.getByRole("radio", { name: /Same version \(v\d+\)/ })).toBeChecked();
    await expect(dialog.getByRole("radio", { name: /Latest draft/ })).not.toBeChecked();
    await dialog.getByRole("button", { name: "Start run" }).click();

    await expect(page).not.toHaveURL(new RegExp(`/runs/${parentId}$`));
    const childId = runIdOf(page);
    await expect(page.getByTestId("run-origin")).toContainText(`Re-run of ${parentId}`);
    await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 45_000 });
    const child = await getRun(request, childId);
    expect(child).toMatchObject({ parentRunId: parentId, origin: "rerun", input });

    await page.getByTestId("run-origin").getByRole("link", { name: parentId }).click();
    await expect(page).toHaveURL(new RegExp(`/runs/${parentId}$`));
    await page.getByRole("tab", { name: /Lineage/ }).click();
    const listed = page.getByRole("list", { name: "Re-runs and forks" }).locator(`[data-child-run-id="${childId}"]`);
    await expect(listed).toContainText("Re-run");
    await expect(listed).toContainText("succeeded");
  });

  test("Retry from the failed agent continues the same run to success without calling the earlier agent again", async ({ page, request, browser }) => {
    test.setTimeout(120_000);
    const runId = await startedRun(request, `Retry ${Date.now()}`, twoAgentGraph({ faultyB: true }), { topic: "retry drills" });
    // B fails three times in a row and asks a person whether to go on; the person stops it.
    await waitForStatus(request, runId, "waiting_for_human", 60_000);
    const waiting = await getRun(request, runId);
    const task = waiting.humanTasks.find((item) => item.nodeId === "agent_b" && item.status === "pending");
    expect(task, "B asks after repeated errors").toBeTruthy();
    await trpcMutation(request, "human", "respond", { taskId: task?.id ?? "", decision: "reject", comment: "the model is down" });
    await waitForStatus(request, runId, "failed");

    await page.goto(`/runs/${runId}`);
    await expect(page.getByTestId("run-status")).toHaveText("failed");
    await expect(node(page, "agent_b").locator("[data-run-status]")).toHaveAttribute("data-run-status", "failed");
    await expect(page.getByTestId("canvas-retry")).toBeVisible();
    const retry = page.getByRole("button", { name: "Retry from Agent B" });
    await expect(retry).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/retry-fork-1-failed-run.png` });

    // A viewer sees the failure, but none of the ways on (they start or control runs).
    const viewer = await pageAs(browser, "viewer");
    await viewer.goto(`/runs/${runId}`);
    await expect(viewer.getByTestId("run-status")).toHaveText("failed");
    await expect(viewer.getByRole("button", { name: /Retry from/ })).toHaveCount(0);
    await expect(viewer.getByTestId("canvas-retry")).toHaveCount(0);
    await expect(viewer.getByRole("button", { name: "Run again" })).toHaveCount(0);
    await viewer.context().close();

    await retry.click();
    // The same page follows the same run live to its new end.
    await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 45_000 });
    expect(runIdOf(page)).toBe(runId);
    await expect(node(page, "agent_b").locator("[data-run-status]")).toHaveAttribute("data-run-status", "succeeded");
    await expect(page.getByTestId("run-events").locator('[data-event-type="run_retried"]')).toHaveCount(1);
    await expect(page.getByRole("button", { name: /Retry from/ })).toHaveCount(0);
    await page.getByTestId("run-events").locator('[data-event-type="run_retried"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/retry-fork-2-after-retry.png` });

    const run = await getRun(request, runId);
    expect(run.status).toBe("succeeded");
    const replies = (nodeId: string) => run.events.filter((event) => event.type === "llm_response" && event.nodeId === nodeId);
    expect(replies("agent_a"), "A's reply is reused, not paid for again").toHaveLength(1);
    expect(replies("agent_b").length).toBeGreaterThanOrEqual(1);
    expect(run.events.filter((event) => event.type === "node_started" && event.nodeId === "agent_a")).toHaveLength(1);
  });

  test("a cancelled run is retried from the step it was waiting at", async ({ page, request }) => {
    const runId = await startedRun(request, `Retry cancelled ${Date.now()}`, approvalGraph(), { topic: "cancel drills" });
    await waitForStatus(request, runId, "waiting_for_human");
    await trpcMutation(request, "run", "cancel", { runId });
    await waitForStatus(request, runId, "cancelled");

    await page.goto(`/runs/${runId}`);
    await expect(page.getByTestId("run-status")).toHaveText("cancelled");
    await page.getByRole("button", { name: "Retry from Human approval" }).click();
    // The review asks again, on the same page; approving it finishes the run.
    await expect(page.getByTestId("run-status")).toHaveText("waiting_for_human", { timeout: 30_000 });
    const waiting = await getRun(request, runId);
    const task = waiting.humanTasks.find((item) => item.nodeId === "review" && item.status === "pending");
    await trpcMutation(request, "human", "respond", { taskId: task?.id ?? "", decision: "approve" });
    await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 30_000 });
    const run = await getRun(request, runId);
    expect(run.events.filter((event) => event.type === "llm_response")).toHaveLength(1);
  });

  test("time travel: edit agent A's output at its node_finished, fork from there, and compare the fork with its parent", async ({ page, request }) => {
    test.setTimeout(120_000);
    const parentId = await startedRun(request, `Time travel ${Date.now()}`, twoAgentGraph(), { topic: "paper planes" });
    await waitForStatus(request, parentId, "succeeded");
    const parent = await getRun(request, parentId);
    const finishedA = parent.events.find((event) => event.type === "node_finished" && event.nodeId === "agent_a");
    if (!finishedA) throw new Error("A never finished");
    const atSeq = finishedA.seq;

    await page.goto(`/runs/${parentId}`);
    await expect(page.getByTestId("run-status")).toHaveText("succeeded");
    const events = page.getByTestId("run-events");
    await events.locator(`tr[data-seq="${atSeq}"]`).getByRole("button", { name: `View state at #${atSeq}` }).click();

    const banner = page.getByTestId("time-travel-banner");
    await expect(banner).toContainText(`Viewing the state at event #${atSeq}`);
    // At that point A had finished and B had not started.
    await expect(node(page, "agent_a").locator("[data-run-status]")).toHaveAttribute("data-run-status", "succeeded");
    await expect(node(page, "agent_b").locator("[data-run-status]")).toHaveAttribute("data-run-status", "pending");
    // The header still tells the run as it is now.
    await expect(page.getByTestId("run-status")).toHaveText("succeeded");

    const panel = page.getByTestId("fork-panel");
    await expect(panel.getByLabel("What to change")).toHaveValue("output:agent_a");
    const edited = `EDITED-OUTLINE ${Date.now()}: paper planes fly further with folded wingtips`;
    await panel.getByLabel(/New value/).fill(edited);
    await page.screenshot({ path: `${SHOTS}/retry-fork-3-time-travel.png` });

    // Back to live and in again: nothing of the historical view sticks.
    await banner.getByRole("button", { name: "Back to live" }).click();
    await expect(banner).toHaveCount(0);
    await expect(node(page, "agent_b").locator("[data-run-status]")).toHaveAttribute("data-run-status", "succeeded");
    await events.locator(`tr[data-seq="${atSeq}"]`).getByRole("button", { name: `View state at #${atSeq}` }).click();
    await panel.getByLabel(/New value/).fill(edited);
    await panel.getByRole("button", { name: "Fork from here" }).click();

    await expect(page).not.toHaveURL(new RegExp(`/runs/${parentId}$`));
    const forkId = runIdOf(page);
    await expect(page.getByTestId("run-origin")).toContainText(`Forked from ${parentId} at event #${atSeq}`);
    await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 45_000 });
    await expect(page.getByTestId("run-output")).toContainText("EDITED-OUTLINE");
    await expect(page.getByTestId("fork-point")).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/retry-fork-4-fork-lineage.png` });

    const fork = await getRun(request, forkId);
    expect(fork).toMatchObject({ parentRunId: parentId, origin: "fork", forkedAtSeq: atSeq, status: "succeeded" });
    const own = fork.events.filter((event) => event.seq > atSeq);
    expect(own[0]?.type).toBe("run_forked");
    expect(own.filter((event) => "nodeId" in event && event.nodeId === "agent_a" && (event.type === "node_started" || event.type === "llm_response"))).toEqual([]);
    expect(fork.events.filter((event) => event.type === "llm_response" && event.nodeId === "agent_a")).toHaveLength(1);
    expect(JSON.stringify(fork.output)).toContain("EDITED-OUTLINE");

    // The parent lists its fork.
    await page.getByTestId("run-origin").getByRole("link", { name: parentId }).click();
    await page.getByRole("tab", { name: /Lineage/ }).click();
    await expect(page.locator(`[data-child-run-id="${forkId}"]`)).toContainText(`Fork at event #${atSeq}`);

    // Compare: from the fork's page, with its parent.
    await page.goto(`/runs/${forkId}`);
    await page.getByRole("link", { name: "Compare with parent" }).click();
    await expect(page).toHaveURL(new RegExp(`/runs/compare\\?a=${parentId}&b=${forkId}$`));
    const rows = page.getByTestId("compare-nodes");
    await expect(rows.locator('tr[data-node-id="agent_a"]')).toHaveAttribute("data-changed", "true");
    await expect(rows.locator('tr[data-node-id="agent_a"] [data-field="output"]').first()).toHaveAttribute("data-differs", "true");
    // Shared history: A's tokens were paid once, by the parent, and the fork shows the same figure.
    await expect(rows.locator('tr[data-node-id="agent_a"] [data-field="tokens"]').first()).toHaveAttribute("data-differs", "false");
    await expect(rows.locator('tr[data-node-id="agent_b"]')).toHaveAttribute("data-changed", "true");
    await expect(rows.locator('tr[data-node-id="output"]')).toHaveAttribute("data-changed", "true");
    await expect(rows.locator('tr[data-node-id="trigger"]')).toHaveAttribute("data-changed", "false");
    await expect(page.getByTestId("compare-summary").locator('[data-field="status"]')).toHaveAttribute("data-differs", "false");
    await expect(page.getByTestId("compare-summary")).toContainText(`fork of run A at event #${atSeq}`);
    await page.screenshot({ path: `${SHOTS}/retry-fork-5-compare.png` });
    await rows.screenshot({ path: `${SHOTS}/retry-fork-6-compare-nodes.png` });

    await page.getByLabel("Only nodes that differ").check();
    await expect(rows.locator('tr[data-node-id="trigger"]')).toHaveCount(0);
    await expect(rows.locator('tr[data-node-id="agent_b"]')).toHaveCount(1);
  });

  test("compare names a run it cannot show", async ({ page }) => {
    await page.goto("/runs/compare?a=run_does_not_exist&b=run_missing_too");
    const error = page.getByTestId("compare-error");
    await expect(error).toContainText("Run A (run_does_not_exist): Run run_does_not_exist not found");
    await expect(error).toContainText("Run B (run_missing_too)");
    // The pickers keep the ids, to correct one.
    await expect(page.getByLabel("Run A")).toHaveValue("run_does_not_exist");
  });
});
