import { expect, test } from "@playwright/test";
import { trpcQuery } from "../support/api";
import { node, openWorkflow, saveState } from "../support/editor";

test.describe("autosave and conflicts", () => {
  test("saves by itself about a second after the last edit", async ({ page, request }) => {
    const id = await openWorkflow(page, request, "Autosave");
    await expect(saveState(page)).toHaveText("Saved");
    await node(page, "agent_1").click();
    await page.getByLabel("Task").fill("Autosaved task");
    await expect(saveState(page)).toHaveText("Unsaved");
    await expect(saveState(page)).toHaveText("Saved", { timeout: 10_000 });
    const saved = await trpcQuery(request, "workflow", "get", { id });
    expect(saved.graph.nodes.find((n) => n.id === "agent_1")?.data).toMatchObject({ task: "Autosaved task" });
  });

  test("two tabs on one workflow: the second save asks which version to keep, nothing is overwritten silently", async ({ page, context, request }) => {
    const id = await openWorkflow(page, request, "Two tabs");
    const second = await context.newPage();
    await second.goto(`/workflows/${id}`);
    await expect(node(second, "agent_1")).toBeVisible();

    // First tab: an edit that autosaves.
    await node(page, "agent_1").click();
    await page.getByLabel("Task").fill("Edited in tab one");
    await expect(saveState(page)).toHaveText("Saved", { timeout: 10_000 });

    // Second tab, still on the old revision: its autosave is refused and it must choose.
    await node(second, "agent_1").click();
    await second.getByLabel("Label").fill("Renamed in tab two");
    const banner = second.getByTestId("save-problem");
    await expect(banner).toContainText("saved elsewhere", { timeout: 10_000 });
    await expect(saveState(second)).toHaveText("Not saved");
    // No autosave retries behind the person's back while the choice is open.
    await second.waitForTimeout(2_500);
    let server = await trpcQuery(request, "workflow", "get", { id });
    expect(server.graph.nodes.find((n) => n.id === "agent_1")?.data).toMatchObject({ task: "Edited in tab one", label: "Agent" });

    // "Load their version" replaces this tab's draft with the saved one.
    await banner.getByRole("button", { name: "Load their version" }).click();
    await expect(banner).toHaveCount(0);
    await node(second, "agent_1").click();
    await expect(second.getByLabel("Task")).toHaveValue("Edited in tab one");
    await expect(second.getByLabel("Label")).toHaveValue("Agent");

    // Now the other way round: tab one is stale and chooses to overwrite.
    await second.getByLabel("Label").fill("Second tab wins");
    await expect(saveState(second)).toHaveText("Saved", { timeout: 10_000 });
    await page.getByLabel("Label").fill("First tab insists");
    await expect(page.getByTestId("save-problem")).toContainText("saved elsewhere", { timeout: 10_000 });
    await page.getByRole("button", { name: "Overwrite with mine" }).click();
    await expect(saveState(page)).toHaveText("Saved", { timeout: 10_000 });
    server = await trpcQuery(request, "workflow", "get", { id });
    expect(server.graph.nodes.find((n) => n.id === "agent_1")?.data).toMatchObject({ label: "First tab insists", task: "Edited in tab one" });
  });

  test("leaving with unsaved changes asks first (in-app link and page unload)", async ({ page, request }) => {
    await openWorkflow(page, request, "Leave guard");
    await node(page, "agent_1").click();
    await page.getByLabel("Task").fill("Not saved yet");
    // Straight away, before the autosave delay has passed.
    await page.getByRole("link", { name: "Runs" }).click();
    const dialog = page.getByRole("dialog", { name: "Leave without saving?" });
    await expect(dialog).toBeVisible();
    await dialog.getByRole("button", { name: "Stay" }).click();
    await expect(dialog).toHaveCount(0);
    await expect(page).toHaveURL(/\/workflows\/wf_/);

    // The browser's own prompt on unload while still unsaved.
    await page.getByLabel("Task").fill("Still not saved");
    const prompt = page.waitForEvent("dialog");
    void page.close({ runBeforeUnload: true });
    const beforeUnload = await prompt;
    expect(beforeUnload.type()).toBe("beforeunload");
    await beforeUnload.dismiss();
  });

  test("Save and leave saves, then follows the link", async ({ page, request }) => {
    const id = await openWorkflow(page, request, "Save and leave");
    await node(page, "agent_1").click();
    await page.getByLabel("Task").fill("Saved on the way out");
    await page.getByRole("link", { name: "Workflows" }).first().click();
    await page.getByRole("dialog").getByRole("button", { name: "Save and leave" }).click();
    await expect(page).toHaveURL(/\/workflows$/);
    const saved = await trpcQuery(request, "workflow", "get", { id });
    expect(saved.graph.nodes.find((n) => n.id === "agent_1")?.data).toMatchObject({ task: "Saved on the way out" });
  });
});
