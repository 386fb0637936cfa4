import { expect, test, type Locator, type Page } from "@playwright/test";
import { trpcQuery } from "../support/api";
import { approvalGraph } from "../support/graphs";
import { node, openWorkflow, saveState, startRun } from "../support/editor";

const VIEWPORTS = [
  { width: 1440, height: 900 },
  { width: 1024, height: 768 },
] as const;

/** /tmp/shots/versions-<name>-<width>-<light|dark>.png at both sizes, in both themes. */
async function shots(page: Page, name: string, ready?: Locator) {
  for (const viewport of VIEWPORTS) {
    await page.setViewportSize(viewport);
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      await expect(page.locator("html")).toHaveClass(colorScheme === "dark" ? /\bdark\b/ : /^(?!.*\bdark\b)/);
      if (ready) await expect(ready).toBeVisible();
      await page.screenshot({ path: `/tmp/shots/versions-${name}-${viewport.width}-${colorScheme}.png` });
    }
  }
  await page.setViewportSize(VIEWPORTS[0]);
  await page.emulateMedia({ colorScheme: "light" });
}

const publishCta = (page: Page) => page.getByTestId("publish-cta");
const publishDialog = (page: Page) => page.getByRole("dialog", { name: "Publish the draft" });

async function publishWithNote(page: Page, note: string, version: number) {
  await publishCta(page).click();
  const dialog = publishDialog(page);
  await dialog.getByLabel("Note (optional)").fill(note);
  await dialog.getByRole("button", { name: "Publish version" }).click();
  await expect(page.getByTestId("editor-notice")).toHaveText(`Published version ${version}`);
}

const versionRow = (page: Page, version: number) => page.locator(`[data-testid="version-row"][data-version="${version}"]`);

test("publish with a note, the call to action follows the draft, versions diff on the canvas and in JSON, run snapshots hidden until asked for", async ({ page, request }) => {
  await page.setViewportSize(VIEWPORTS[0]);
  const id = await openWorkflow(page, request, "Versions diff", approvalGraph());

  // Nothing published: the call to action is there, and the Trigger tab says the valid draft runs.
  await expect(publishCta(page)).toBeVisible();
  await expect(page.getByTestId("publish-state")).toHaveText("Not published yet");
  await page.getByRole("tab", { name: "Trigger", exact: true }).click();
  await expect(page.getByTestId("api-version-headline")).toHaveText("Runs the saved draft (nothing is published yet)");

  // Publish with a note: the CTA gives way to "v1 published", and the API runs version 1.
  await publishCta(page).click();
  await expect(publishDialog(page)).toBeVisible();
  await publishDialog(page).getByLabel("Note (optional)").fill("First release: summary, then a reviewer");
  await shots(page, "publish-dialog", publishDialog(page));
  await publishDialog(page).getByRole("button", { name: "Publish version" }).click();
  await expect(page.getByTestId("editor-notice")).toHaveText("Published version 1");
  await expect(publishCta(page)).toHaveCount(0);
  await expect(page.getByTestId("publish-state")).toHaveText("✓v1 published");
  await page.getByRole("tab", { name: "Versions" }).click();
  await page.getByRole("tab", { name: "Trigger", exact: true }).click();
  await expect(page.getByTestId("api-version-headline")).toHaveText(/^Runs published version 1 \(published .+\)$/);
  await expect(page.getByTestId("api-version")).toContainText("“First release: summary, then a reviewer”");

  // An edit: the CTA is back at once (before the autosave) and stays once saved.
  await page.getByRole("button", { name: "Add Join" }).dragTo(page.locator(".react-flow__pane"), { targetPosition: { x: 260, y: 640 } });
  await expect(node(page, "join_1")).toBeVisible();
  await expect(publishCta(page)).toBeVisible();
  // Connected, so the draft stays publishable.
  await node(page, "review").locator('.react-flow__handle.source[data-handleid="reject"]').dragTo(node(page, "join_1").locator(".react-flow__handle.target"));
  await expect(page.locator(".react-flow__edge")).toHaveCount(4);
  await node(page, "agent_1").click();
  await page.getByLabel("Label").fill("Writer");
  await expect(saveState(page)).toHaveText("Saved", { timeout: 10_000 });
  await expect(publishCta(page)).toBeVisible();
  await expect(page.getByTestId("publish-state")).toHaveText("Draft differs from v1");
  await page.getByRole("tab", { name: "Trigger", exact: true }).click();
  // The API still runs what was published, not the edited draft.
  await expect(page.getByTestId("api-version-headline")).toHaveText(/^Runs published version 1 /);
  await shots(page, "trigger-panel", page.getByTestId("api-version"));

  await publishWithNote(page, "Adds a join; the agent is now called Writer", 2);
  await expect(publishCta(page)).toHaveCount(0);

  // An editor run of a changed draft pins a run snapshot (version 3), hidden by default.
  await node(page, "agent_1").click();
  await page.getByRole("tab", { name: "Inspector" }).click();
  await page.getByLabel("Label").fill("Writer 2");
  await expect(saveState(page)).toHaveText("Saved", { timeout: 10_000 });
  await startRun(page);
  await expect.poll(async () => (await trpcQuery(request, "workflow", "versions", { id })).length).toBe(3);
  await page.getByRole("tab", { name: "Versions" }).click();
  await expect(versionRow(page, 2)).toContainText("Adds a join; the agent is now called Writer");
  await expect(versionRow(page, 1)).toContainText("First release: summary, then a reviewer");
  await expect(versionRow(page, 3)).toHaveCount(0);
  await expect(page.getByTestId("hidden-snapshots")).toHaveText("1 hidden");
  await shots(page, "panel", versionRow(page, 2));
  await page.getByRole("switch", { name: "Show run snapshots" }).click();
  await expect(versionRow(page, 3)).toContainText("Run snapshot");
  await expect(page.getByTestId("hidden-snapshots")).toHaveCount(0);
  await shots(page, "panel-snapshots", versionRow(page, 3));

  // The run count links to the Runs page filtered to that version.
  const runsLink = versionRow(page, 3).getByRole("link", { name: "1 run" });
  await runsLink.click();
  await expect(page).toHaveURL(new RegExp(`/runs\\?workflow=${id}&version=wfv_`));
  await expect(page.getByTestId("version-filter")).toHaveText("Version 3");
  await expect(page.locator("tbody tr[data-run-id]")).toHaveCount(1);

  // Compare v1 → v2: the added Join is green on the canvas, the renamed agent lists its field.
  await page.goto(`/workflows/${id}`);
  await page.getByRole("tab", { name: "Versions" }).click();
  await page.getByRole("checkbox", { name: "Compare version 1" }).check();
  await page.getByRole("checkbox", { name: "Compare version 2" }).check();
  await page.getByTestId("compare-versions").click();
  const diff = page.getByTestId("version-diff");
  await expect(diff.getByRole("heading", { name: "Compare v1 → v2" })).toBeVisible();
  const added = page.locator('.react-flow__node[data-id="join_1"] [data-testid="diff-node"]');
  await expect(added).toHaveAttribute("data-status", "added");
  await expect(added).toContainText("Added");
  await expect(page.locator('.react-flow__node[data-id="agent_1"] [data-testid="diff-node"]')).toHaveAttribute("data-status", "changed");
  await expect(page.locator('.react-flow__node[data-id="review"] [data-testid="diff-node"]')).toHaveAttribute("data-status", "unchanged");
  const changes = page.getByTestId("diff-changes");
  await expect(changes.locator('[data-node-id="agent_1"]')).toHaveText("~Agent 'Writer': label Agent → Writer");
  await expect(changes.locator('[data-node-id="join_1"]')).toHaveText("+Join 'Join': added");
  await expect(page.getByTestId("diff-summary")).toHaveText("Nodes: 1 added, 1 changed · Connections: 1 added");
  await expect(page.locator(".react-flow__edge.diff-edge-added")).toHaveCount(1);
  await shots(page, "diff-canvas", added);

  await page.getByRole("tab", { name: "JSON" }).click();
  const json = JSON.parse((await page.getByTestId("diff-json").textContent()) ?? "") as { from: { version: number }; to: { version: number }; nodes: { status: string; id: string; changes?: { field: string; from: unknown; to: unknown }[] }[] };
  expect(json.from.version).toBe(1);
  expect(json.to.version).toBe(2);
  expect(json.nodes.map((entry) => [entry.status, entry.id])).toEqual([
    ["changed", "agent_1"],
    ["added", "join_1"],
  ]);
  expect(json.nodes[0]?.changes).toEqual([{ field: "label", from: "Agent", to: "Writer" }]);
  await shots(page, "diff-json", page.getByTestId("diff-json"));

  // Any two versions: v2 → v3 (a run snapshot) is only the agent's new label.
  await page.getByLabel("From", { exact: true }).selectOption({ label: "v2 (published)" });
  await page.getByLabel("to", { exact: true }).selectOption({ label: "v3 (run snapshot)" });
  await expect(diff.getByRole("heading", { name: "Compare v2 → v3" })).toBeVisible();
  await page.getByRole("tab", { name: "Canvas" }).click();
  await expect(page.locator('.react-flow__node[data-id="join_1"] [data-testid="diff-node"]')).toHaveAttribute("data-status", "unchanged");
  await expect(page.getByTestId("diff-changes")).toHaveText("~Agent 'Writer 2': label Writer → Writer 2");
});

test("a removed node shows ghosted in red on the diff canvas", async ({ page, request }) => {
  await page.setViewportSize(VIEWPORTS[0]);
  const id = await openWorkflow(page, request, "Versions removed", approvalGraph());
  await publishWithNote(page, "", 1);
  await node(page, "output").click();
  await page.keyboard.press("Delete");
  await expect(node(page, "output")).toHaveCount(0);
  await expect(saveState(page)).toHaveText("Saved", { timeout: 10_000 });
  await publishWithNote(page, "No output node", 2);
  const versions = await trpcQuery(request, "workflow", "versions", { id });
  const [v2, v1] = versions;
  await page.goto(`/workflows/${id}/compare?from=${v1!.id}&to=${v2!.id}`);
  const removed = page.locator('.react-flow__node[data-id="output"] [data-testid="diff-node"]');
  await expect(removed).toHaveAttribute("data-status", "removed");
  await expect(removed).toContainText("Removed");
  await expect(page.getByTestId("diff-changes").locator('[data-node-id="output"]')).toHaveText("−Output 'Output': removed");
  await expect(page.locator(".react-flow__edge.diff-edge-removed")).toHaveCount(1);
  await shots(page, "diff-removed", removed);
});
