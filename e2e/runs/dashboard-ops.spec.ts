import { mkdirSync } from "node:fs";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { trpcMutation, trpcQuery } from "../support/api";
import { agentGraph, approvalGraph } from "../support/graphs";

/**
 * The Runs dashboard's operations figures, against the built app and a real worker: this
 * workspace's queue and the workers online (live, without a reload), the oldest task waiting for
 * a person (with its link), p50/p95 and success rate per workflow, and the cost per day chart.
 */

const SHOTS = "/tmp/shots";
mkdirSync(SHOTS, { recursive: true });

async function waitForStatus(request: APIRequestContext, runId: string, status: string) {
  await expect.poll(async () => (await trpcQuery(request, "run", "get", { runId })).status, { timeout: 30_000 }).toBe(status);
}

test.describe("the Runs dashboard's operations figures", () => {
  test("shows the queue, workers, oldest task, per-workflow percentiles and cost per day, live", async ({ page, request }) => {
    const stamp = Date.now();
    // A price for the demo model, so its calls cost something to chart; removed at the end.
    const price = await trpcMutation(request, "prices", "set", { model: "agentflow-demo-1", inputPerMTok: 2_000, outputPerMTok: 8_000 });
    try {
      const { id: quick } = await trpcMutation(request, "workflow", "create", { name: `Ops quick ${stamp}`, graph: agentGraph({ task: "Say hi to {{input.topic}}" }) });
      const { id: gate } = await trpcMutation(request, "workflow", "create", { name: `Ops gate ${stamp}`, graph: approvalGraph() });
      const { id: slow } = await trpcMutation(request, "workflow", "create", { name: `Ops slow ${stamp}`, graph: agentGraph({ task: "Take your time #demo:slow:8000" }) });
      const quickRuns: string[] = [];
      for (let index = 0; index < 3; index += 1) quickRuns.push((await trpcMutation(request, "run", "start", { workflowId: quick, input: { topic: `ops ${index}` } })).runId);
      const { runId: waiting } = await trpcMutation(request, "run", "start", { workflowId: gate, input: { topic: "ops gate" } });
      for (const runId of quickRuns) await waitForStatus(request, runId, "succeeded");
      await waitForStatus(request, waiting, "waiting_for_human");

      await page.setViewportSize({ width: 1440, height: 1000 });
      await page.goto("/runs");
      const ops = page.getByTestId("runs-ops");
      await expect(ops).toBeVisible();

      // Workers online: the e2e worker beats.
      await expect(page.getByTestId("ops-workers-value")).toHaveText(/^[1-9]\d*$/);
      // The oldest waiting task is the server's oldest (another spec's may be older), linked to its run.
      const live = await trpcQuery(request, "run", "opsLive", undefined);
      expect(live.oldestPendingTask).not.toBeNull();
      const oldest = page.getByTestId("ops-oldest-task");
      await expect(page.getByTestId("ops-oldest-task-value")).toHaveText(/^\d+ (s|min|h|d)/);
      await expect(oldest.getByRole("link")).toHaveAttribute("href", `/runs/${live.oldestPendingTask?.runId}`);

      // Per workflow: the three quick runs all succeeded; percentiles are durations.
      const quickRow = page.getByTestId("ops-workflow-row").filter({ hasText: `Ops quick ${stamp}` });
      await expect(quickRow).toBeVisible();
      const cells = quickRow.locator("td");
      await expect(cells.nth(1)).toHaveText("3");
      await expect(cells.nth(2)).toHaveText("100%");
      await expect(cells.nth(3)).toHaveText(/^\d+(\.\d)? (ms|s)$|^\d+m \d+s$/);
      await expect(cells.nth(4)).toHaveText(/^\d+(\.\d)? (ms|s)$|^\d+m \d+s$/);

      // Cost per day: 14 bars, today's (the last) has this spec's paid calls.
      const bars = page.getByTestId("ops-cost-bar");
      await expect(bars).toHaveCount(14);
      const today = new Date().toISOString().slice(0, 10);
      await expect(bars.last()).toHaveAttribute("data-day", today);
      expect(Number(await bars.last().getAttribute("data-cost"))).toBeGreaterThan(0);
      await expect(page.getByTestId("ops-cost-total")).toHaveText(/^\$\d/);

      // Live, without a reload: a slow run shows as running, then goes.
      const runningBefore = Number((await page.getByTestId("ops-queue").textContent())?.match(/(\d+) running now/)?.[1] ?? "NaN");
      const { runId: slowRun } = await trpcMutation(request, "run", "start", { workflowId: slow, input: {} });
      await expect(page.getByTestId("ops-queue")).toContainText(`${runningBefore + 1} running now`, { timeout: 10_000 });
      await page.screenshot({ path: `${SHOTS}/dashboard-ops-1440-light.png`, fullPage: true });
      await page.emulateMedia({ colorScheme: "dark" });
      await expect(page.locator("html")).toHaveClass(/\bdark\b/);
      await page.screenshot({ path: `${SHOTS}/dashboard-ops-1440-dark.png`, fullPage: true });
      await page.setViewportSize({ width: 1024, height: 900 });
      await page.screenshot({ path: `${SHOTS}/dashboard-ops-1024-dark.png`, fullPage: true });
      await page.emulateMedia({ colorScheme: "light" });
      await expect(page.locator("html")).not.toHaveClass(/\bdark\b/);
      await page.screenshot({ path: `${SHOTS}/dashboard-ops-1024-light.png`, fullPage: true });
      await waitForStatus(request, slowRun, "succeeded");
      await expect(page.getByTestId("ops-queue")).toContainText(`${runningBefore} running now`, { timeout: 10_000 });
    } finally {
      await trpcMutation(request, "prices", "delete", { id: price.id });
    }
  });
});
