import { expect, test, type Locator, type Page } from "@playwright/test";
import { createNode, GRAPH_SCHEMA_VERSION, type Graph } from "../../server/engine/graph";
import { approvalGraph } from "../support/graphs";
import { node, openWorkflow, startRun } from "../support/editor";

/** The compact-card threshold and the lowest opening zoom (components/editor/zoom-level.ts). */
const COMPACT_BELOW_ZOOM = 0.45;
const OPEN_MIN_ZOOM = 0.6;

const SIZES = { wide: { width: 1440, height: 900 }, narrow: { width: 1024, height: 768 } } as const;

async function zoomOf(page: Page): Promise<number> {
  const transform = await page.locator(".react-flow__viewport").evaluate((element) => (element as HTMLElement).style.transform);
  const match = /scale\(([\d.e-]+)\)/.exec(transform);
  if (!match) throw new Error(`no zoom in "${transform}"`);
  return Number(match[1]);
}

/** Zooms out with the canvas's own "Zoom out" button until the zoom is at or just under `target`. */
async function zoomOutTo(page: Page, target: number) {
  for (let clicks = 0; clicks < 20 && (await zoomOf(page)) > target; clicks++) {
    const before = await zoomOf(page);
    await page.locator(".react-flow__controls-zoomout").click();
    await expect.poll(() => zoomOf(page)).toBeLessThan(before);
    // Let the zoom animation finish before reading it again.
    await page.waitForTimeout(350);
  }
  const zoom = await zoomOf(page);
  expect(zoom).toBeLessThanOrEqual(target);
  expect(zoom).toBeGreaterThan(0.2);
}

async function box(locator: Locator) {
  const found = await locator.boundingBox();
  if (!found) throw new Error("not on screen");
  return found;
}

async function shoot(page: Page, name: string) {
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(150);
    await page.screenshot({ path: `/tmp/shots/layout-${name}-${scheme}.png` });
  }
  await page.emulateMedia({ colorScheme: "light" });
}

for (const [size, viewport] of Object.entries(SIZES)) {
  test(`a template opens readable, with the trigger's label in full (${size})`, async ({ page }) => {
    await page.setViewportSize(viewport);
    await page.goto("/workflows");
    const card = page.getByTestId("template-card").filter({ hasText: "Development team" });
    await card.getByRole("button", { name: "Use template" }).click();
    await expect(page).toHaveURL(/\/workflows\/wf_/);
    const trigger = node(page, "trigger");
    await expect(trigger).toBeVisible();

    expect(await zoomOf(page)).toBeGreaterThanOrEqual(OPEN_MIN_ZOOM);
    await expect(page.locator("[data-compact]")).toHaveCount(0);
    // The trigger's card lies wholly inside the canvas, and its title is not cut off.
    const canvas = await box(page.locator(".react-flow"));
    const card_ = await box(trigger);
    expect(card_.x).toBeGreaterThanOrEqual(canvas.x);
    expect(card_.y).toBeGreaterThanOrEqual(canvas.y);
    expect(card_.x + card_.width).toBeLessThanOrEqual(canvas.x + canvas.width);
    expect(card_.y + card_.height).toBeLessThanOrEqual(canvas.y + canvas.height);
    const title = trigger.locator(".truncate").first();
    await expect(title).toHaveText("Trigger");
    expect(await title.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
    // Every side panel tab is in view in full: none hides past the edge behind a scroll.
    const tabs = page.getByRole("tablist", { name: "Side panel" });
    await expect(tabs.getByRole("tab")).toHaveText(["Inspector", "Versions", "Runs", "Trigger"]);
    expect(await tabs.evaluate((list) => list.scrollWidth - list.clientWidth), "side panel tabs overflowing by (px)").toBeLessThanOrEqual(0);
    await shoot(page, `template-${viewport.width}`);

    // Auto-layout frames the graph the same way.
    await page.getByRole("button", { name: "Auto-layout" }).click();
    await page.waitForTimeout(600);
    expect(await zoomOf(page)).toBeGreaterThanOrEqual(OPEN_MIN_ZOOM);
    await expect(trigger).toBeInViewport();
  });
}

/** trigger → agent, and an output nothing leads to yet. */
function unconnectedGraph(): Graph {
  return {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: [createNode("trigger", "trigger", { x: 0, y: 0 }), createNode("agent", "agent_1", { x: 320, y: 0 }), createNode("output", "output", { x: 640, y: 0 })],
    edges: [{ id: "e-trigger-agent_1", source: "trigger", target: "agent_1", sourceHandle: null, targetHandle: null }],
  };
}

test("connects two nodes at 30 % zoom", async ({ page, request }) => {
  await page.setViewportSize(SIZES.wide);
  await openWorkflow(page, request, "Connect zoomed out", unconnectedGraph());
  await zoomOutTo(page, 0.3);
  expect(await zoomOf(page)).toBeLessThan(COMPACT_BELOW_ZOOM);
  await expect(node(page, "agent_1").locator("[data-compact]")).toHaveCount(1);
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);

  const from = await box(node(page, "agent_1").locator(".react-flow__handle.source.react-flow__handle-right"));
  const to = await box(node(page, "output").locator(".react-flow__handle.target"));
  // Hit-testable, and a few screen pixels at least: a person can aim at it.
  expect(from.width).toBeGreaterThanOrEqual(6);
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 12 });
  await page.mouse.up();

  await expect(page.locator(".react-flow__edge")).toHaveCount(2);
  await shoot(page, "connect-30");
});

test("approves a waiting human node at 30 % zoom in a real run", async ({ page, request }) => {
  await page.setViewportSize(SIZES.wide);
  await openWorkflow(page, request, "Approve zoomed out", approvalGraph());
  await zoomOutTo(page, 0.3);
  await startRun(page);
  const review = node(page, "review");
  await expect(review.locator("[data-run-status]")).toHaveAttribute("data-run-status", "waiting", { timeout: 30_000 });
  await expect(review.locator("[data-compact]")).toHaveCount(1);
  await shoot(page, "approve-30");
  await review.getByTestId("compact-review").click();
  const dialog = page.getByTestId("review-dialog");
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Approve", exact: true }).click();
  await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 30_000 });
  await expect(node(page, "output").locator("[data-run-status]")).toHaveAttribute("data-run-status", "succeeded");
});

test("side panels collapse, come back, and the choice survives a reload", async ({ page, request }) => {
  await page.setViewportSize(SIZES.wide);
  await openWorkflow(page, request, "Panels", approvalGraph());
  const palette = page.locator('aside[data-panel="palette"]');
  const inspector = page.locator('aside[data-panel="inspector"]');
  const canvasWidth = async () => (await box(page.locator(".react-flow"))).width;
  const openWidth = await canvasWidth();

  await page.getByRole("button", { name: "Hide Palette" }).click();
  await page.getByRole("button", { name: "Hide Side panel" }).click();
  await expect(palette).toHaveAttribute("data-collapsed", "");
  await expect(inspector).toHaveAttribute("data-collapsed", "");
  await expect(page.getByRole("searchbox", { name: "Search nodes" })).toHaveCount(0);
  expect(await canvasWidth()).toBeGreaterThan(openWidth + 400);
  await shoot(page, "collapsed-1440");

  await page.reload();
  await expect(node(page, "trigger")).toBeVisible();
  await expect(palette).toHaveAttribute("data-collapsed", "");
  await expect(inspector).toHaveAttribute("data-collapsed", "");

  // Selecting leaves the folded panel alone; double-clicking a card brings the inspector back for it.
  await node(page, "review").click();
  await expect(inspector).toHaveAttribute("data-collapsed", "");
  await node(page, "review").dblclick();
  await expect(page.getByRole("tablist", { name: "Side panel" })).toBeVisible();
  await expect(page.getByTestId("inspector")).toContainText("review");
  await page.getByRole("button", { name: "Show Palette" }).click();
  await expect(page.getByRole("searchbox", { name: "Search nodes" })).toBeVisible();
  await page.reload();
  await expect(node(page, "trigger")).toBeVisible();
  await expect(palette).not.toHaveAttribute("data-collapsed", "");
  await expect(inspector).not.toHaveAttribute("data-collapsed", "");
});

test("at 1024×768 the run panel does not cover the graph", async ({ page, request }) => {
  await page.setViewportSize(SIZES.narrow);
  await openWorkflow(page, request, "Narrow run", approvalGraph());
  await startRun(page);
  const review = node(page, "review");
  await expect(review.locator("[data-run-status]")).toHaveAttribute("data-run-status", "waiting", { timeout: 30_000 });
  const runPanel = page.getByRole("region", { name: "Run" });
  await expect(runPanel).toBeVisible();
  const panel = await box(runPanel);
  const canvas = await box(page.locator(".react-flow"));
  // The panel is beside the canvas, not over it.
  expect(canvas.y + canvas.height).toBeLessThanOrEqual(panel.y + 1);
  // Every node drawn in the canvas is clear of the panel.
  for (const element of await page.locator(".react-flow__node").all()) {
    const card = await box(element);
    if (card.y > canvas.y + canvas.height) continue;
    expect(Math.min(card.y + card.height, canvas.y + canvas.height)).toBeLessThanOrEqual(panel.y + 1);
  }
  await expect(review.getByRole("button", { name: "Approve" })).toBeInViewport();
  await shoot(page, "run-1024");
});

test("palette search finds tools by name and description", async ({ page, request }) => {
  await page.setViewportSize(SIZES.narrow);
  await openWorkflow(page, request, "Palette search", approvalGraph());
  const search = page.getByRole("searchbox", { name: "Search nodes" });
  await search.fill("http");
  const http = page.getByRole("button", { name: "Add HTTP request" });
  await expect(http).toBeVisible();
  await shoot(page, "palette-http-1024");
  await http.click();
  await expect(page.locator(".react-flow__node-tool")).toHaveCount(1);
  await expect(page.locator(".react-flow__node-tool")).toContainText("HTTP request");
  // A second click puts the next card beside the first (and every other card), not on top of it.
  await http.click();
  await expect(page.locator(".react-flow__node-tool")).toHaveCount(2);
  const boxes = await page.locator(".react-flow__node").evaluateAll((cards) => cards.map((card) => card.getBoundingClientRect().toJSON() as DOMRect));
  const overlapping = boxes.flatMap((a, i) => boxes.slice(i + 1).filter((b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom));
  expect(overlapping, "cards covering each other after two palette clicks").toEqual([]);
  await shoot(page, "palette-click-twice-1024");

  await search.fill("python");
  await expect(page.getByRole("button", { name: "Add Run code" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Add HTTP request" })).toHaveCount(0);
});

test("variable hints offer only the nodes that run before the agent", async ({ page, request }) => {
  await page.setViewportSize(SIZES.wide);
  await openWorkflow(page, request, "Hints", approvalGraph());
  await node(page, "agent_1").click();
  const hints = page.getByLabel("Insert a variable").first();
  await expect(hints).toBeVisible();
  await expect(hints.getByRole("button", { name: "{{previous}}" })).toBeVisible();
  // The review node runs after the agent: its output does not exist yet when the agent works.
  await expect(hints.getByRole("button", { name: "{{nodes.review.output}}" })).toHaveCount(0);
  await expect(page.getByLabel("System prompt")).not.toHaveValue(/complete_task/);
});
