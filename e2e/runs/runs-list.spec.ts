import { mkdirSync } from "node:fs";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { systemClient, trpcMutation, trpcQuery } from "../support/api";
import { startRun } from "../support/editor";
import { approvalGraph } from "../support/graphs";

/**
 * The Runs page at scale, as a user works it: server-side filters that live in the URL,
 * rows that open the run, a list that follows new runs live, and the editor's Runs tab.
 * Every run is made for the test (names carry a stamp), so filters are checked on known data.
 */

const SHOTS = "/tmp/shots";
mkdirSync(SHOTS, { recursive: true });

const rows = (page: Page) => page.getByRole("table", { name: "Runs" }).locator("tbody tr[data-run-id]");
const row = (page: Page, runId: string) => page.locator(`tr[data-run-id="${runId}"]`);
const filters = (page: Page) => page.getByRole("region", { name: "Filters" });

async function startRunOf(request: APIRequestContext, workflowId: string, input: unknown): Promise<string> {
  const { runId } = await trpcMutation(request, "run", "start", { workflowId, input });
  return runId;
}

async function waitForStatus(request: APIRequestContext, runId: string, status: string) {
  await expect.poll(async () => (await trpcQuery(request, "run", "get", { runId })).status, { timeout: 30_000 }).toBe(status);
}

test.describe("the Runs page", () => {
  test("filters narrow the list on the server and live in the URL; a row opens its run", async ({ page, request, playwright, baseURL }) => {
    const stamp = Date.now();
    const { id: simple } = await trpcMutation(request, "workflow", "create", { name: `Filters simple ${stamp}` });
    const { id: approval } = await trpcMutation(request, "workflow", "create", { name: `Filters approval ${stamp}`, graph: approvalGraph() });
    const manual = [await startRunOf(request, simple, { topic: `weekly digest ${stamp}` }), await startRunOf(request, simple, { topic: `weekly digest ${stamp} again` })];
    const waiting = await startRunOf(request, approval, { topic: `needle${stamp}` });
    // One run from another system, through the REST trigger.
    const { token } = await trpcMutation(request, "workflow", "createTriggerToken", { workflowId: simple });
    const api = await systemClient(playwright, baseURL);
    const triggered = await api.post(`/api/v1/workflows/${simple}/trigger`, { headers: { authorization: `Bearer ${token}` }, data: { input: { topic: `from a webhook ${stamp}` } } });
    expect(triggered.status()).toBe(202);
    const { runId: fromApi } = (await triggered.json()) as { runId: string };
    await api.dispose();
    for (const runId of [...manual, fromApi]) await waitForStatus(request, runId, "succeeded");
    await waitForStatus(request, waiting, "waiting_for_human");

    await page.goto("/runs");
    await expect(rows(page).first()).toBeVisible();

    // Workflow: only its three runs, and the URL says so.
    await filters(page).getByLabel("Workflow").selectOption(simple);
    await expect(page).toHaveURL(new RegExp(`[?&]workflow=${simple}`));
    await expect(rows(page)).toHaveCount(3);
    for (const runId of [...manual, fromApi]) await expect(row(page, runId)).toBeVisible();
    await expect(page.getByTestId("runs-count")).toHaveText("3 runs match");

    // Trigger: narrows further.
    await filters(page).getByLabel("Trigger").selectOption("api");
    await expect(page).toHaveURL(/[?&]trigger=api/);
    await expect(rows(page)).toHaveCount(1);
    await expect(row(page, fromApi)).toBeVisible();

    // Search by words of the input, across workflows.
    await filters(page).getByRole("button", { name: "Clear filters" }).click();
    await expect(page).toHaveURL(/\/runs$/);
    await filters(page).getByLabel("Search").fill(`needle${stamp}`);
    await expect(page).toHaveURL(new RegExp(`[?&]q=needle${stamp}`));
    await expect(rows(page)).toHaveCount(1);
    await expect(row(page, waiting)).toBeVisible();

    // Search by the beginning of a run id.
    await filters(page).getByLabel("Search").fill(manual[0]?.slice(0, 14) ?? "");
    await expect(row(page, manual[0] ?? "")).toBeVisible();
    await expect(row(page, waiting)).toHaveCount(0);

    // Status (several may be chosen) and "Waiting for me".
    await filters(page).getByLabel("Search").fill("");
    await filters(page).getByLabel("Workflow").selectOption(approval);
    const status = filters(page).getByRole("group", { name: "Status" });
    await status.getByRole("button", { name: "succeeded" }).click();
    await expect(page).toHaveURL(/[?&]status=succeeded/);
    await expect(page.getByText("No runs match these filters.")).toBeVisible();
    await expect(page.getByTestId("runs-count")).toHaveText("No matching runs");
    await status.getByRole("button", { name: "waiting for human" }).click();
    await expect(page).toHaveURL(/[?&]status=waiting_for_human%2Csucceeded|[?&]status=waiting_for_human,succeeded/);
    await expect(rows(page)).toHaveCount(1);
    await filters(page).getByLabel("Waiting for me").check();
    await expect(page).toHaveURL(/[?&]waiting=1/);
    await expect(row(page, waiting)).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/runs-filters-waiting.png`, fullPage: true });

    // The URL is the state: opened afresh (a shared link), it shows the same filtered list.
    const shared = page.url();
    const other = await page.context().newPage();
    await other.goto(shared);
    await expect(filters(other).getByLabel("Workflow")).toHaveValue(approval);
    await expect(filters(other).getByRole("group", { name: "Status" }).getByRole("button", { name: "waiting for human" })).toHaveAttribute("aria-pressed", "true");
    await expect(filters(other).getByLabel("Waiting for me")).toBeChecked();
    await expect(rows(other)).toHaveCount(1);
    await other.close();

    // A date range that ends before these runs: nothing.
    await filters(page).getByRole("button", { name: "Clear filters" }).click();
    await filters(page).getByLabel("Workflow").selectOption(simple);
    await filters(page).getByLabel("To", { exact: true }).fill("2020-01-31");
    await expect(page).toHaveURL(/[?&]to=2020-01-31/);
    await expect(page.getByText("No runs match these filters.")).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/runs-no-match.png` });
    const today = new Date();
    const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, "0")}-${String(today.getDate()).padStart(2, "0")}`;
    await filters(page).getByLabel("To", { exact: true }).fill(day);
    await filters(page).getByLabel("From", { exact: true }).fill(day);
    await expect(rows(page)).toHaveCount(3);
    await page.screenshot({ path: `${SHOTS}/runs-filters-dates.png`, fullPage: true });

    // The whole row opens the run: a click on its cost cell, and Enter on its link.
    // (The link's box covers the row, so the mouse goes where the cost is shown.)
    const cost = await row(page, fromApi).locator("td").last().boundingBox();
    if (!cost) throw new Error("the row's cost cell is not on screen");
    await page.mouse.click(cost.x + cost.width / 2, cost.y + cost.height / 2);
    await expect(page).toHaveURL(new RegExp(`/runs/${fromApi}$`));
    await page.goBack();
    await expect(rows(page)).toHaveCount(3);
    await row(page, manual[1] ?? "").getByRole("link").focus();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(new RegExp(`/runs/${manual[1]}$`));
  });

  test("quick changes all stick: a chip pressed while the URL catches up is not turned back", async ({ page, request }) => {
    const stamp = Date.now();
    const { id: approval } = await trpcMutation(request, "workflow", "create", { name: `Quick approval ${stamp}`, graph: approvalGraph() });
    const waiting = await startRunOf(request, approval, { topic: `quick${stamp}` });
    await waitForStatus(request, waiting, "waiting_for_human");
    await page.goto(`/runs?workflow=${approval}`);
    await expect(row(page, waiting)).toBeVisible();
    const status = filters(page).getByRole("group", { name: "Status" });
    const chip = (name: string) => status.getByRole("button", { name, exact: true });

    // A chip pressed nine times in a row, each press a router replace landing later: an
    // earlier press's landing must not turn it back (it did: the next press then undid the wrong state).
    for (let press = 0; press < 9; press += 1) await chip("failed").click();
    await expect(chip("failed")).toHaveAttribute("aria-pressed", "true");
    await expect(page).toHaveURL(/[?&]status=failed(&|$)/);
    await expect(page.getByText("No runs match these filters.")).toBeVisible();
  });

  test("a chip pressed the moment the search is sent keeps both", async ({ page, request }) => {
    const stamp = Date.now();
    const { id: approval } = await trpcMutation(request, "workflow", "create", { name: `Search race ${stamp}`, graph: approvalGraph() });
    const waiting = await startRunOf(request, approval, { topic: `race${stamp}` });
    await waitForStatus(request, waiting, "waiting_for_human");
    // The search box sends 300 ms after typing stops. A press that lands between that send and
    // React's next render used to be built on the filters without the search, and lost it (CI
    // saw it once). Here the press comes at exactly that moment, every time.
    await page.addInitScript(() => {
      const scheduled = window.setTimeout.bind(window);
      const hooked = (handler: TimerHandler, delay?: number, ...rest: unknown[]) =>
        scheduled(
          (...args: unknown[]) => {
            if (typeof handler === "function") handler(...args);
            const after = (window as { afterSearchSent?: () => void }).afterSearchSent;
            if (delay === 300 && after) after();
          },
          delay,
          ...rest,
        );
      window.setTimeout = hooked as typeof window.setTimeout;
    });
    await page.goto(`/runs?workflow=${approval}`);
    await expect(row(page, waiting)).toBeVisible();
    await page.evaluate(() => {
      const target = window as { afterSearchSent?: () => void };
      target.afterSearchSent = () => {
        target.afterSearchSent = undefined;
        const chips = document.querySelectorAll<HTMLButtonElement>('[role="group"][aria-label="Status"] button');
        [...chips].find((chip) => chip.textContent === "waiting for human")?.click();
      };
    });
    await filters(page).getByLabel("Search").fill(`race${stamp}`);
    await expect.poll(() => page.evaluate(() => (window as { afterSearchSent?: () => void }).afterSearchSent === undefined)).toBe(true);
    await expect(page).toHaveURL(new RegExp(`[?&]q=race${stamp}(&|$)`));
    await expect(page).toHaveURL(/[?&]status=waiting_for_human(&|$)/);
    await expect(filters(page).getByLabel("Search")).toHaveValue(`race${stamp}`);
    await expect(filters(page).getByRole("group", { name: "Status" }).getByRole("button", { name: "waiting for human", exact: true })).toHaveAttribute("aria-pressed", "true");
    await expect(rows(page)).toHaveCount(1);
    await page.screenshot({ path: `${SHOTS}/runs-search-and-chip.png`, fullPage: true });
  });

  test("pages with Load more, and a run started in another tab appears without a reload", async ({ page, request, context }) => {
    const stamp = Date.now();
    const { id } = await trpcMutation(request, "workflow", "create", { name: `Live list ${stamp}` });
    const first = [];
    for (let i = 0; i < 52; i += 1) first.push(await startRunOf(request, id, { topic: `page ${i}` }));
    for (const runId of first) await waitForStatus(request, runId, "succeeded");

    await page.goto(`/runs?workflow=${id}`);
    await expect(rows(page)).toHaveCount(50);
    await expect(page.getByTestId("runs-count")).toContainText("Newest 50 runs shown");
    await page.getByRole("button", { name: "Load more" }).click();
    await expect(rows(page)).toHaveCount(52);
    await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);
    await expect(page.getByTestId("runs-count")).toHaveText("52 runs match");
    const ids = await rows(page).evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-run-id")));
    expect(new Set(ids).size).toBe(52);
    expect([...ids].sort()).toEqual([...first].sort());
    await expect(page.getByTestId("runs-live")).toHaveAttribute("data-live", "true");

    // Another tab runs the workflow from the editor; this one is never reloaded.
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    const editor = await context.newPage();
    await editor.goto(`/workflows/${id}`);
    await expect(editor.locator(".react-flow__node").first()).toBeVisible();
    await startRun(editor);
    await expect(rows(page)).toHaveCount(53, { timeout: 15_000 });
    const added = await rows(page).first().getAttribute("data-run-id");
    expect(first).not.toContain(added);
    await expect(rows(page).first().getByTestId("run-row-status")).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await editor.close();
  });

  test("the editor's Runs tab lists the workflow's runs, live, each opening its run", async ({ page, request }) => {
    const stamp = Date.now();
    const { id } = await trpcMutation(request, "workflow", "create", { name: `History ${stamp}` });
    const { id: otherWorkflow } = await trpcMutation(request, "workflow", "create", { name: `History other ${stamp}` });
    const earlier = [await startRunOf(request, id, { topic: "one" }), await startRunOf(request, id, { topic: "two" })];
    const notThisOne = await startRunOf(request, otherWorkflow, { topic: "elsewhere" });
    for (const runId of [...earlier, notThisOne]) await waitForStatus(request, runId, "succeeded");

    await page.goto(`/workflows/${id}`);
    await expect(page.locator(".react-flow__node").first()).toBeVisible();
    await page.getByRole("tab", { name: "Runs" }).click();
    const history = page.getByRole("list", { name: "Runs of this workflow" });
    await expect(history.getByRole("listitem")).toHaveCount(2);
    for (const runId of earlier) await expect(history.locator(`li[data-run-id="${runId}"]`)).toBeVisible();
    await expect(history.locator(`li[data-run-id="${notThisOne}"]`)).toHaveCount(0);
    await expect(page.getByRole("tabpanel", { name: "Runs" }).getByTestId("runs-live")).toHaveAttribute("data-live", "true");

    // A run started elsewhere (the API) shows up in the open tab.
    const later = await startRunOf(request, id, { topic: "three" });
    await expect(history.getByRole("listitem")).toHaveCount(3, { timeout: 15_000 });
    await expect(history.getByRole("listitem").first()).toHaveAttribute("data-run-id", later);
    await expect(history.locator(`li[data-run-id="${later}"]`).getByTestId("run-history-status")).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
    await page.screenshot({ path: `${SHOTS}/editor-runs-tab.png` });

    await history.locator(`li[data-run-id="${earlier[0]}"]`).getByRole("link").click();
    await expect(page).toHaveURL(new RegExp(`/runs/${earlier[0]}$`));
  });
});
