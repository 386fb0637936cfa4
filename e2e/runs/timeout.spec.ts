import { mkdirSync } from "node:fs";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { createNode, GRAPH_SCHEMA_VERSION, type Graph } from "../../server/engine/graph";
import { trpcMutation, trpcQuery } from "../support/api";
import { node } from "../support/editor";

/**
 * A human node's timeout, on the real worker: nobody answers, the worker's sweep (every 5 s)
 * answers as the node says, and the run goes on through the node's "timeout" output. The run
 * page shows the waiting task's deadline, then the outcome.
 */

const SHOTS = "/tmp/shots";
mkdirSync(SHOTS, { recursive: true });

/** trigger → review (times out after 2 s through "timeout") → approved | late. */
function timeoutGraph(): Graph {
  const review = createNode("human", "review", { x: 272, y: 112 });
  if (review.type === "human") {
    review.data.message = "Ship {{input.topic}}?";
    review.data.timeoutSeconds = 2;
    review.data.onTimeout = "timeout";
  }
  const approved = createNode("output", "approved", { x: 544, y: 40 });
  const late = createNode("output", "late", { x: 544, y: 220 });
  if (late.type === "output") late.data.template = "Nobody answered about {{input.topic}}";
  return {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: [createNode("trigger", "trigger", { x: 0, y: 112 }), review, approved, late],
    edges: [
      { id: "e-trigger-review", source: "trigger", target: "review", sourceHandle: null, targetHandle: null },
      { id: "e-review:approve-approved", source: "review", target: "approved", sourceHandle: "approve", targetHandle: null },
      { id: "e-review:timeout-late", source: "review", target: "late", sourceHandle: "timeout", targetHandle: null },
    ],
  };
}

async function runStatus(request: APIRequestContext, runId: string): Promise<string> {
  return (await trpcQuery(request, "run", "get", { runId })).status;
}

test("an unanswered approval times out through its timeout branch, shown on the run page", async ({ page, request }) => {
  const { id } = await trpcMutation(request, "workflow", "create", { name: `Timeout ${Date.now()}`, graph: timeoutGraph() });
  const { runId } = await trpcMutation(request, "run", "start", { workflowId: id, input: { topic: "the beta" } });
  await expect.poll(() => runStatus(request, runId), { timeout: 30_000 }).toBe("waiting_for_human");

  await page.goto(`/runs/${runId}`);
  const card = node(page, "review").getByTestId("human-task");
  await expect(card).toContainText("Ship the beta?");
  await expect(card).toContainText("Times out");

  // The sweep runs every 5 s: the run ends within a few seconds of the deadline, nobody clicking.
  await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 20_000 });
  await expect(page.getByTestId("run-output")).toContainText("Nobody answered about the beta");
  await expect(node(page, "late").locator("[data-run-status]")).toHaveAttribute("data-run-status", "succeeded");
  await expect(node(page, "approved").locator("[data-run-status]")).toHaveAttribute("data-run-status", "skipped");
  await expect(node(page, "review").getByTestId("human-outcome")).toContainText(/Timed out/);
  await page.screenshot({ path: `${SHOTS}/timeout-branch.png` });

  const detail = await trpcQuery(request, "run", "get", { runId });
  expect(detail.events.find((event) => event.type === "human_timed_out")).toMatchObject({ nodeId: "review", outcome: "timeout" });
});
