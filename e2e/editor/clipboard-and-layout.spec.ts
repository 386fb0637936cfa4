import { expect, test, type Page } from "@playwright/test";
import { trpcQuery } from "../support/api";
import { clickPane, node, openWorkflow, saveState } from "../support/editor";

const nodes = (page: Page) => page.locator(".react-flow__node");
const edges = (page: Page) => page.locator(".react-flow__edge");
const selectedIds = (page: Page) => page.locator(".react-flow__node.selected").evaluateAll((els) => els.map((el) => el.getAttribute("data-id")));

test.describe("selection, clipboard and layout", () => {
  test("shift-click selects several nodes; copy/paste brings them with their edge, new ids, offset, one undo step", async ({ page, request }) => {
    await openWorkflow(page, request, "Clipboard");
    await node(page, "agent_1").click();
    await node(page, "output").click({ modifiers: ["Shift"] });
    expect((await selectedIds(page)).sort()).toEqual(["agent_1", "output"]);

    const before = await node(page, "agent_1").boundingBox();
    await page.keyboard.press("ControlOrMeta+c");
    await page.keyboard.press("ControlOrMeta+v");
    await expect(nodes(page)).toHaveCount(5);
    await expect(edges(page)).toHaveCount(3);
    await expect(page.locator('.react-flow__edge[data-id="e-agent_2-output_1"]')).toHaveCount(1);
    expect((await selectedIds(page)).sort()).toEqual(["agent_2", "output_1"]);
    const copy = await node(page, "agent_2").boundingBox();
    expect(copy && before && copy.x > before.x && copy.y > before.y).toBe(true);

    await page.keyboard.press("ControlOrMeta+z");
    await expect(nodes(page)).toHaveCount(3);
    await expect(edges(page)).toHaveCount(2);
    await page.keyboard.press("ControlOrMeta+Shift+z");
    await expect(nodes(page)).toHaveCount(5);

    // Duplicate the pasted pair again: Ctrl+D, no clipboard involved.
    await page.keyboard.press("ControlOrMeta+d");
    await expect(nodes(page)).toHaveCount(7);
    await expect(page.locator('.react-flow__edge[data-id="e-agent_3-output_2"]')).toHaveCount(1);
  });

  test("a selection box selects the nodes inside it, and Delete removes them in one undo step", async ({ page, request }) => {
    await openWorkflow(page, request, "Box select");
    const agent = await node(page, "agent_1").boundingBox();
    const output = await node(page, "output").boundingBox();
    if (!agent || !output) throw new Error("nodes not rendered");
    await page.keyboard.down("Shift");
    await page.mouse.move(agent.x - 20, agent.y - 20);
    await page.mouse.down();
    await page.mouse.move(output.x + output.width + 20, output.y + output.height + 20, { steps: 8 });
    await page.mouse.up();
    await page.keyboard.up("Shift");
    expect((await selectedIds(page)).sort()).toEqual(["agent_1", "output"]);

    await page.keyboard.press("Delete");
    await expect(nodes(page)).toHaveCount(1);
    await page.keyboard.press("ControlOrMeta+z");
    await expect(nodes(page)).toHaveCount(3);
    await expect(edges(page)).toHaveCount(2);
  });

  test.describe("with clipboard permission", () => {
    test.use({ permissions: ["clipboard-read", "clipboard-write"] });

    test("pastes into another workflow through the system clipboard", async ({ page, request }) => {
      await openWorkflow(page, request, "Copy from");
      await node(page, "agent_1").click();
      await page.getByLabel("Task").fill("Copied task {{previous}}");
      await clickPane(page);
      await node(page, "agent_1").click();
      await node(page, "output").click({ modifiers: ["Shift"] });
      await page.keyboard.press("ControlOrMeta+c");
      const text = await page.evaluate(() => navigator.clipboard.readText());
      expect(JSON.parse(text)).toMatchObject({ format: "agentflow.clipboard", edges: [{ source: "agent_1", target: "output" }] });

      const target = await openWorkflow(page, request, "Paste into");
      await clickPane(page);
      await page.keyboard.press("ControlOrMeta+v");
      await expect(nodes(page)).toHaveCount(5);
      await expect(node(page, "agent_2")).toContainText("Copied task");
      await expect(saveState(page)).toHaveText("Saved", { timeout: 10_000 });
      const saved = await trpcQuery(request, "workflow", "get", { id: target });
      expect(saved.graph.edges.map((edge) => [edge.source, edge.target])).toContainEqual(["agent_2", "output_1"]);
    });
  });

  test("without clipboard permission, paste in another tab uses the local copy", async ({ page, context, request }) => {
    await openWorkflow(page, request, "Copy fallback");
    await node(page, "agent_1").click();
    await page.keyboard.press("ControlOrMeta+c");

    const other = await context.newPage();
    await openWorkflow(other, request, "Paste fallback");
    await clickPane(other);
    await other.keyboard.press("ControlOrMeta+v");
    await expect(other.locator(".react-flow__node")).toHaveCount(4);
    await expect(node(other, "agent_2")).toHaveClass(/selected/);
  });

  test("auto-layout arranges the graph left to right as one undoable step; snap to grid toggles", async ({ page, request }) => {
    await openWorkflow(page, request, "Layout");
    // Drag the output to the far left, above the trigger: out of order.
    const output = await node(page, "output").boundingBox();
    const trigger = await node(page, "trigger").boundingBox();
    if (!output || !trigger) throw new Error("nodes not rendered");
    await page.mouse.move(output.x + 40, output.y + 20);
    await page.mouse.down();
    await page.mouse.move(trigger.x + 40, trigger.y - 120, { steps: 10 });
    await page.mouse.up();
    const x = async (id: string) => (await node(page, id).boundingBox())?.x ?? Number.NaN;
    expect(await x("output")).toBeLessThan(await x("agent_1"));

    await page.getByRole("button", { name: "Auto-layout" }).click();
    await expect.poll(async () => (await x("trigger")) < (await x("agent_1")) && (await x("agent_1")) < (await x("output"))).toBe(true);

    await page.keyboard.press("ControlOrMeta+z");
    await expect.poll(async () => (await x("output")) < (await x("agent_1"))).toBe(true);

    const snap = page.getByRole("button", { name: "Snap to grid" });
    await expect(snap).toHaveAttribute("aria-pressed", "true");
    await snap.click();
    await expect(snap).toHaveAttribute("aria-pressed", "false");
  });

  test("arrow-key nudges are recorded: one undo puts the node back", async ({ page, request }) => {
    await openWorkflow(page, request, "Nudge");
    await node(page, "agent_1").click();
    const start = await node(page, "agent_1").boundingBox();
    for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
    await expect.poll(async () => (await node(page, "agent_1").boundingBox())?.x).toBeGreaterThan((start?.x ?? 0) + 1);
    await clickPane(page);
    await page.keyboard.press("ControlOrMeta+z");
    await expect.poll(async () => Math.round((await node(page, "agent_1").boundingBox())?.x ?? 0)).toBe(Math.round(start?.x ?? 0));
  });
});
