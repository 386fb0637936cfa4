import { expect, test, type Page } from "@playwright/test";
import { trpcMutation, trpcQuery } from "../support/api";
import { node, startRun } from "../support/editor";
import { approvalGraph } from "../support/graphs";
import { pageAs, personOf } from "../support/users";

/** Where the node sits on the canvas (its flow position), whatever the viewport does. */
const flowPosition = (page: Page, id: string) => node(page, id).evaluate((element) => (element as HTMLElement).style.transform);

/** Presses on a node's title and drags it 200 px right and down. */
async function dragNode(page: Page, id: string) {
  const box = await node(page, id).boundingBox();
  if (!box) throw new Error(`node ${id} is not on screen`);
  await page.mouse.move(box.x + 40, box.y + 15);
  await page.mouse.down();
  await page.mouse.move(box.x + 240, box.y + 215, { steps: 12 });
  await page.mouse.up();
}

test.describe("the editor for roles that cannot edit", () => {
  test("a viewer opens a workflow read-only: no Run or Save, nodes stay put, nothing is saved", async ({ browser, request }) => {
    const { id } = await trpcMutation(request, "workflow", "create", { name: `Viewer read-only ${Date.now()}`, graph: approvalGraph() });
    const before = await trpcQuery(request, "workflow", "get", { id });
    const page = await pageAs(browser, "viewer");
    const saves: string[] = [];
    page.on("request", (sent) => {
      if (/\/api\/trpc\/[^?]*workflow\.(saveDraft|publish|restoreVersion)/.test(sent.url())) saves.push(sent.url());
    });

    await page.goto(`/workflows/${id}`);
    await expect(node(page, "agent_1")).toBeVisible();
    await expect(page.getByTestId("view-only-badge")).toHaveText("View only — your role (viewer) cannot edit");
    for (const name of ["Run", "Save", "Publish", "Undo", "Redo"]) await expect(page.getByRole("button", { name, exact: true })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Add Agent" })).toHaveCount(0);
    await expect(page.getByLabel("Workflow name")).toHaveCount(0);
    await expect(page.getByTestId("save-state")).toHaveCount(0);

    // Dragging pans the view at most: the node keeps its place in the workflow.
    const position = await flowPosition(page, "agent_1");
    await dragNode(page, "agent_1");
    expect(await flowPosition(page, "agent_1")).toBe(position);

    // Selecting still shows the settings, disabled; Delete and the editing shortcuts do nothing.
    await node(page, "agent_1").click();
    await expect(page.getByTestId("inspector").getByLabel("Label")).toBeDisabled();
    await expect(page.getByRole("button", { name: "Delete node" })).toHaveCount(0);
    await page.keyboard.press("Delete");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ControlOrMeta+d");
    await page.keyboard.press("ControlOrMeta+z");
    // The drag panned the view; frame the whole graph again so every node is rendered.
    await page.locator(".react-flow__controls-fitview").click();
    await expect(page.locator(".react-flow__node")).toHaveCount(4);
    expect(await flowPosition(page, "agent_1")).toBe(position);

    // The trigger URL is there to read; tokens are the editors' business.
    await page.getByRole("tab", { name: "Trigger", exact: true }).click();
    await expect(page.getByTestId("trigger-url")).toContainText(`/api/v1/workflows/${id}/trigger`);
    await expect(page.getByRole("button", { name: "Create token" })).toHaveCount(0);

    // Longer than the autosave delay: had anything been edited, it would have been sent by now.
    await page.waitForTimeout(2_000);
    expect(saves).toEqual([]);
    const after = await trpcQuery(request, "workflow", "get", { id });
    expect(after.revision).toBe(before.revision);
    expect(after.graph).toEqual(before.graph);

    // Nothing unsaved, so leaving does not ask.
    await page.getByRole("link", { name: "Workflows", exact: true }).first().click();
    await expect(page).toHaveURL(/\/workflows$/);
    await expect(page.getByTestId("leave-warning")).toHaveCount(0);
    await page.context().close();
  });

  test("a viewer can open a published version but not restore it", async ({ browser, request }) => {
    const { id } = await trpcMutation(request, "workflow", "create", { name: `Viewer versions ${Date.now()}`, graph: approvalGraph() });
    await trpcMutation(request, "workflow", "publish", { id });
    const page = await pageAs(browser, "viewer");
    await page.goto(`/workflows/${id}`);
    await page.getByRole("tab", { name: "Versions" }).click();
    await page.getByRole("button", { name: "Open version 1" }).click();
    await expect(page.getByTestId("version-view")).toBeVisible();
    await expect(node(page, "review")).toBeVisible();
    await expect(page.getByRole("button", { name: "Back to draft" })).toBeVisible();
    await expect(page.getByRole("button", { name: /Restore/ })).toHaveCount(0);
    await page.context().close();
  });

  test("an operator runs a workflow and approves on the canvas, but cannot edit it", async ({ browser, request }) => {
    const { id } = await trpcMutation(request, "workflow", "create", { name: `Operator run ${Date.now()}`, graph: approvalGraph() });
    const before = await trpcQuery(request, "workflow", "get", { id });
    const page = await pageAs(browser, "operator");
    await page.goto(`/workflows/${id}`);
    await expect(node(page, "agent_1")).toBeVisible();
    await expect(page.getByTestId("view-only-badge")).toHaveText("View only — your role (operator) cannot edit");
    await expect(page.getByRole("button", { name: "Add Agent" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Save", exact: true })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Publish", exact: true })).toHaveCount(0);
    const position = await flowPosition(page, "agent_1");
    await dragNode(page, "agent_1");
    expect(await flowPosition(page, "agent_1")).toBe(position);

    await startRun(page);
    const review = node(page, "review");
    await expect(review.locator("[data-run-status]")).toHaveAttribute("data-run-status", "waiting", { timeout: 30_000 });
    await expect(page.getByRole("button", { name: "Pause" })).toBeVisible();
    // The drag above panned the view (nodes do not move for an operator): bring the whole graph
    // back into view, so the node's Approve is not under the run bar.
    await page.locator(".react-flow__controls-fitview").click();
    await expect(review.getByRole("button", { name: "Approve" })).toBeInViewport();
    await review.getByRole("button", { name: "Approve" }).click();
    await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 30_000 });
    await expect(review.getByTestId("human-outcome")).toContainText(`Approved by ${personOf("operator").name}`);

    // Running used the saved draft as it was: the operator's visit changed nothing.
    expect((await trpcQuery(request, "workflow", "get", { id })).revision).toBe(before.revision);
    await page.context().close();
  });
});

test.describe("the workflows list", () => {
  for (const role of ["viewer", "operator"] as const) {
    test(`a ${role} sees the workflows but no way to create, import or use a template`, async ({ browser, request }) => {
      const name = `Listed for ${role} ${Date.now()}`;
      await trpcMutation(request, "workflow", "create", { name, graph: approvalGraph() });
      const page = await pageAs(browser, role);
      await page.goto("/workflows");
      await expect(page.getByRole("link", { name })).toBeVisible();
      await expect(page.getByRole("button", { name: "New workflow" })).toHaveCount(0);
      await expect(page.getByRole("button", { name: "Import" })).toHaveCount(0);
      await expect(page.getByRole("button", { name: "Use template" })).toHaveCount(0);
      await page.context().close();
    });
  }

  test("an editor does get them", async ({ browser }) => {
    const page = await pageAs(browser, "editor");
    await page.goto("/workflows");
    await expect(page.getByRole("button", { name: "New workflow" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Import" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Use template" }).first()).toBeVisible();
    await page.context().close();
  });
});
