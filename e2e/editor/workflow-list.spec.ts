import { mkdirSync } from "node:fs";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { createNode, GRAPH_SCHEMA_VERSION, type Graph } from "../../server/engine/graph";
import { trpcMutation, trpcQuery } from "../support/api";
import { pageAs } from "../support/users";

/**
 * The workflow list a builder lives in: search by name and tag, sort, rename in place,
 * duplicate ("(copy)", "(copy 2)"), tags (edited from the list, each one a filter), delete
 * after a confirmation that counts the runs going with it, and "N runs" opening the Runs
 * page filtered to that workflow. Every workflow here shares a fresh prefix, so the search
 * isolates them from the other specs' workflows in the same workspace.
 */

const SHOTS = "/tmp/shots";

function quickGraph(): Graph {
  return {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: [createNode("trigger", "trigger", { x: 0, y: 0 }), createNode("output", "output", { x: 272, y: 0 })],
    edges: [{ id: "e-trigger-output", source: "trigger", target: "output", sourceHandle: null, targetHandle: null }],
  };
}

async function finishedRuns(request: APIRequestContext, workflowId: string, count: number) {
  for (let i = 0; i < count; i += 1) await trpcMutation(request, "run", "start", { workflowId, input: {} });
  await expect
    .poll(async () => {
      const { runs } = await trpcQuery(request, "run", "list", { workflowId, limit: 10 });
      return runs.filter((run) => run.status === "succeeded").length;
    }, { timeout: 30_000 })
    .toBe(count);
}

const rows = (page: Page) => page.getByTestId("workflow-row");
const row = (page: Page, name: string) => page.getByRole("row", { name, exact: true });

/**
 * The rows' names in order, read in one go. Counting the rows and then reading each one raced
 * with the list re-rendering: a read of a row that had just gone waited for it until the action
 * timeout, longer than the `expect.poll` around it (a CI run failed so, with the list already right).
 */
function rowNames(page: Page): Promise<string[]> {
  return rows(page).evaluateAll((elements) => elements.map((element) => element.getAttribute("aria-label") ?? ""));
}

async function menu(page: Page, name: string, action: string) {
  await row(page, name).getByRole("button", { name: `Actions for ${name}` }).click();
  await page.getByRole("menu", { name: `Actions for ${name}` }).getByRole("menuitem", { name: action }).click();
}

async function screenshots(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  for (const [width, height] of [
    [1440, 900],
    [1024, 768],
  ] as const) {
    await page.setViewportSize({ width, height });
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: `${SHOTS}/list-${name}-${width}-${scheme}.png`, fullPage: false });
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 1440, height: 900 });
}

test.describe("workflow list", () => {
  test("search, sort, rename, duplicate, tag, filter, delete with the runs counted, and the run-count link", async ({ page, request }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: 1440, height: 900 });
    const prefix = `Lst${Date.now().toString(36)}`;
    await trpcMutation(request, "workflow", "create", { name: `${prefix} Alpha invoices`, graph: quickGraph() });
    const beta = await trpcMutation(request, "workflow", "create", { name: `${prefix} Beta digest`, graph: quickGraph() });
    const gamma = await trpcMutation(request, "workflow", "create", { name: `${prefix} Gamma triage`, graph: quickGraph() });
    await finishedRuns(request, gamma.id, 2);
    await finishedRuns(request, beta.id, 1);

    // Search narrows to this spec's workflows; the default order is the last edit, newest first.
    await page.goto("/workflows");
    await page.getByRole("searchbox", { name: "Search" }).fill(prefix);
    await expect(page).toHaveURL(new RegExp(`[?&]q=${prefix}`));
    await expect(rows(page)).toHaveCount(3);
    await expect(page.getByTestId("workflows-count")).toHaveText("3 workflows match");
    expect(await rowNames(page)).toEqual([`${prefix} Gamma triage`, `${prefix} Beta digest`, `${prefix} Alpha invoices`]);

    await page.getByLabel("Sort by").selectOption({ label: "Name (A–Z)" });
    await expect(page).toHaveURL(/sort=name/);
    await expect.poll(() => rowNames(page)).toEqual([`${prefix} Alpha invoices`, `${prefix} Beta digest`, `${prefix} Gamma triage`]);
    await page.getByLabel("Sort by").selectOption({ label: "Last run" });
    await expect.poll(() => rowNames(page)).toEqual([`${prefix} Beta digest`, `${prefix} Gamma triage`, `${prefix} Alpha invoices`]);
    await expect(row(page, `${prefix} Gamma triage`).getByTestId("run-count")).toHaveText("2 runs");
    await expect(row(page, `${prefix} Alpha invoices`).getByTestId("run-count")).toHaveText("No runs");
    await page.getByRole("searchbox", { name: "Search" }).fill(`${prefix} beta`);
    await expect(rows(page)).toHaveCount(1);
    await page.getByRole("searchbox", { name: "Search" }).fill(prefix);
    await expect(rows(page)).toHaveCount(3);
    await page.getByLabel("Sort by").selectOption({ label: "Name (A–Z)" });

    // Rename in place: an empty name is refused by the server, naming the field; Enter saves.
    await row(page, `${prefix} Beta digest`).getByRole("button", { name: `Actions for ${prefix} Beta digest` }).click();
    await expect(page.getByRole("menu", { name: `Actions for ${prefix} Beta digest` })).toBeVisible();
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}/list-menu-1440-light.png` });
    await page.keyboard.press("Escape");
    await expect(page.getByRole("menu")).toHaveCount(0);
    await menu(page, `${prefix} Beta digest`, "Rename");
    const nameField = page.getByRole("textbox", { name: `New name for ${prefix} Beta digest` });
    await nameField.fill("   ");
    await nameField.press("Enter");
    await expect(page.getByRole("alert").filter({ hasText: "name: Name is required" })).toBeVisible();
    await screenshots(page, "rename-refused");
    await nameField.fill(`${prefix} Beta weekly digest`);
    await expect(page.getByRole("alert").filter({ hasText: "name: Name is required" })).toHaveCount(0);
    await nameField.press("Enter");
    await expect(row(page, `${prefix} Beta weekly digest`)).toBeVisible();
    await expect(page.getByTestId("workflow-notice")).toContainText(`Renamed “${prefix} Beta digest” to “${prefix} Beta weekly digest”.`);

    // Duplicate twice: "(copy)", then "(copy 2)".
    await menu(page, `${prefix} Alpha invoices`, "Duplicate");
    await expect(row(page, `${prefix} Alpha invoices (copy)`)).toBeVisible();
    await expect(page.getByTestId("workflow-notice")).toContainText(`as “${prefix} Alpha invoices (copy)”`);
    await menu(page, `${prefix} Alpha invoices`, "Duplicate");
    await expect(row(page, `${prefix} Alpha invoices (copy 2)`)).toBeVisible();
    await expect(rows(page)).toHaveCount(5);
    await screenshots(page, "rows");

    // Tags: a too-long tag is refused with the reason; then two tags saved from the dialog.
    const tagTwo = `t${prefix.toLowerCase()}`;
    await menu(page, `${prefix} Alpha invoices`, "Edit tags");
    const tagsDialog = page.getByRole("dialog", { name: `Tags of “${prefix} Alpha invoices”` });
    const tagField = tagsDialog.getByLabel("Add tags");
    await tagField.fill("x".repeat(40));
    await tagsDialog.getByRole("button", { name: "Save tags" }).click();
    await expect(tagsDialog.getByRole("alert")).toContainText("A tag is at most 32 characters");
    await tagsDialog.getByRole("button", { name: `Remove tag ${"x".repeat(40)}` }).click();
    // The refusal was about that tag: it goes with it.
    await expect(tagsDialog.getByRole("alert")).toHaveCount(0);
    await tagField.fill(`Finance, ${tagTwo}`);
    await tagField.press("Enter");
    await expect(tagsDialog.getByRole("list", { name: "Tags" }).getByRole("listitem")).toHaveText([/finance/, new RegExp(tagTwo)]);
    await screenshots(page, "tags-dialog");
    await tagsDialog.getByRole("button", { name: "Save tags" }).click();
    await expect(tagsDialog).toBeHidden();
    const alphaTags = row(page, `${prefix} Alpha invoices`).getByRole("list", { name: "Tags" });
    await expect(alphaTags.getByRole("button")).toHaveText(["Tag finance", `Tag ${tagTwo}`]);

    // Filter by tag from the chip, then from the select; the search by a tag finds it too.
    await alphaTags.getByRole("button", { name: `Tag ${tagTwo}` }).click();
    await expect(page).toHaveURL(new RegExp(`tag=${tagTwo}`));
    await expect(rows(page)).toHaveCount(1);
    await expect(page.getByLabel("Tag", { exact: true })).toHaveValue(tagTwo);
    await screenshots(page, "filtered");
    await page.getByLabel("Tag", { exact: true }).selectOption("");
    await expect(rows(page)).toHaveCount(5);
    await page.getByLabel("Tag", { exact: true }).selectOption(tagTwo);
    await expect(rows(page)).toHaveCount(1);
    await page.getByLabel("Tag", { exact: true }).selectOption("");
    await page.getByRole("searchbox", { name: "Search" }).fill(tagTwo);
    await expect.poll(() => rowNames(page)).toEqual([`${prefix} Alpha invoices`]);
    await page.getByRole("searchbox", { name: "Search" }).fill(prefix);
    await expect(rows(page)).toHaveCount(5);

    // Delete: the dialog counts the runs that go with it; Cancel keeps everything.
    await menu(page, `${prefix} Gamma triage`, "Delete…");
    const confirm = page.getByRole("dialog", { name: `Delete “${prefix} Gamma triage”?` });
    await expect(confirm.getByTestId("delete-impact")).toContainText("Its 2 runs will be deleted too");
    await expect(confirm.getByTestId("delete-impact")).toContainText("Runs are not kept once their workflow is gone.");
    await expect(confirm.getByRole("button", { name: "Delete workflow and 2 runs" })).toBeEnabled();
    await screenshots(page, "delete-dialog");
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await expect(confirm).toBeHidden();
    await expect(row(page, `${prefix} Gamma triage`)).toBeVisible();
    await menu(page, `${prefix} Gamma triage`, "Delete…");
    await confirm.getByRole("button", { name: "Delete workflow and 2 runs" }).click();
    await expect(confirm).toBeHidden();
    await expect(row(page, `${prefix} Gamma triage`)).toHaveCount(0);
    await expect(page.getByTestId("workflow-notice")).toContainText(`Deleted “${prefix} Gamma triage” and its 2 runs.`);
    expect((await trpcQuery(request, "run", "list", { workflowId: gamma.id, limit: 10 })).runs).toEqual([]);

    // "1 run" opens the Runs page filtered to that workflow.
    await row(page, `${prefix} Beta weekly digest`).getByRole("link", { name: `1 run of ${prefix} Beta weekly digest` }).click();
    await expect(page).toHaveURL(new RegExp(`/runs\\?workflow=${beta.id}$`));
    await expect(page.getByRole("table", { name: "Runs" }).getByRole("row")).toHaveCount(2);
    await expect(page.getByRole("table", { name: "Runs" })).toContainText(`${prefix} Beta weekly digest`);
    await screenshots(page, "runs-link");

    // Back to the list with its search, tag and sort as they were.
    await page.goBack();
    await expect(page).toHaveURL(new RegExp(`/workflows\\?q=${prefix}&sort=name`));
    await expect(rows(page)).toHaveCount(4);
  });

  test("a viewer sees the list, searches and filters, but gets no rename, duplicate, tag or delete", async ({ browser, request }) => {
    const prefix = `Lsv${Date.now().toString(36)}`;
    const { id } = await trpcMutation(request, "workflow", "create", { name: `${prefix} Read only`, graph: quickGraph() });
    await trpcMutation(request, "workflow", "setTags", { id, tags: ["viewer-visible"] });
    const page = await pageAs(browser, "viewer");
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(`/workflows?q=${prefix}`);
    await expect(rows(page)).toHaveCount(1);
    await expect(row(page, `${prefix} Read only`).getByRole("button", { name: "Tag viewer-visible" })).toBeVisible();
    await expect(page.getByRole("button", { name: /^Actions for / })).toHaveCount(0);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}/list-viewer-1024-light.png` });
    await page.context().close();
  });
});
