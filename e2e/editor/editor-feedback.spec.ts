import { mkdirSync } from "node:fs";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { createNode, GRAPH_SCHEMA_VERSION, type Graph } from "../../server/engine/graph";
import { node, openWorkflow, startRun } from "../support/editor";

/**
 * Issue 13, items 2 and 3: branch edges carry their output's name and visibly leave their own
 * handle; each run state of a node has its own border, word and icon (a rejected approval is
 * not green; running is not the selection's blue); feedback is never stale — the "cannot run"
 * banner follows validation, pasted nodes get their own place and name, and problems name
 * their node.
 */

const SHOTS = "/tmp/shots";
mkdirSync(SHOTS, { recursive: true });

const SIZES = { "1440": { width: 1440, height: 900 }, "1024": { width: 1024, height: 768 } } as const;

/**
 * trigger → agent → review; approve goes to an output far *below* the review and reject to one
 * above it, so the approve edge has to cross the reject output's row on its way: the case where
 * it used to look as if it came from reject.
 */
function branchGraph(): Graph {
  const agent = createNode("agent", "agent_1", { x: 272, y: 160 });
  if (agent.type === "agent") {
    agent.data.label = "Drafter";
    // The demo model takes 3 s over it: long enough to see the agent running.
    agent.data.task = "Summarise {{input.topic}}\n#demo:slow:3000";
  }
  const review = createNode("human", "review", { x: 544, y: 160 });
  if (review.type === "human") {
    review.data.label = "Legal review";
    review.data.message = "Check {{previous}}";
  }
  const approved = createNode("output", "approved", { x: 880, y: 480 });
  if (approved.type === "output") approved.data.label = "Published";
  const rejected = createNode("output", "rejected", { x: 880, y: 0 });
  if (rejected.type === "output") {
    rejected.data.label = "Sent back";
    rejected.data.template = "Rejected: {{previous.reason}}";
  }
  return {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: [createNode("trigger", "trigger", { x: 0, y: 160 }), agent, review, approved, rejected],
    edges: [
      { id: "e-trigger-agent_1", source: "trigger", target: "agent_1", sourceHandle: null, targetHandle: null },
      { id: "e-agent_1-review", source: "agent_1", target: "review", sourceHandle: null, targetHandle: null },
      { id: "e-review:approve-approved", source: "review", target: "approved", sourceHandle: "approve", targetHandle: null },
      { id: "e-review:reject-rejected", source: "review", target: "rejected", sourceHandle: "reject", targetHandle: null },
    ],
  };
}

const handle = (page: Page, nodeId: string, handleId: string) => node(page, nodeId).locator(`.react-flow__handle[data-handleid="${handleId}"]`);
const edgeLabel = (page: Page, branch: string) => page.locator(`[data-testid="edge-label"][data-branch="${branch}"]`);
const card = (page: Page, nodeId: string) => node(page, nodeId).locator("[data-state]");

/** Points along an edge's drawn path, in page pixels. */
async function pathPoints(page: Page, edgeId: string): Promise<{ x: number; y: number }[]> {
  return page.locator(`.react-flow__edge[data-id="${edgeId}"] path.react-flow__edge-path`).evaluate((element) => {
    const path = element as SVGPathElement;
    const matrix = path.getScreenCTM();
    if (!matrix) throw new Error("the edge is not rendered");
    const length = path.getTotalLength();
    const points: { x: number; y: number }[] = [];
    for (let step = 0; step <= 200; step += 1) {
      const point = path.getPointAtLength((length * step) / 200).matrixTransform(matrix);
      points.push({ x: point.x, y: point.y });
    }
    return points;
  });
}

async function box(locator: Locator) {
  const found = await locator.boundingBox();
  if (!found) throw new Error("not rendered");
  return found;
}

function distanceToBox(point: { x: number; y: number }, rect: { x: number; y: number; width: number; height: number }): number {
  const dx = Math.max(rect.x - point.x, 0, point.x - (rect.x + rect.width));
  const dy = Math.max(rect.y - point.y, 0, point.y - (rect.y + rect.height));
  return Math.hypot(dx, dy);
}

/** The canvas at a readable zoom: the branch labels are drawn only on full-size cards. */
async function expectFullCards(page: Page) {
  await expect(node(page, "review").locator("[data-compact]")).toHaveCount(0);
}

/** Zooms in (the canvas's + button) until the cards are full size, as a person would to read them. */
async function zoomToFullCards(page: Page) {
  for (let press = 0; press < 6 && (await node(page, "review").locator("[data-compact]").count()) > 0; press += 1) {
    await page.locator(".react-flow__controls-zoomin").click();
  }
  await expectFullCards(page);
}

/** A close look at the review card's outputs and the start of their edges. */
async function shootBranches(page: Page, name: string) {
  const review = await box(node(page, "review"));
  await page.screenshot({ path: `${SHOTS}/feedback-${name}.png`, clip: { x: review.x - 20, y: review.y - 20, width: review.width + 200, height: review.height + 40 } });
}

async function fitView(page: Page) {
  await page.locator(".react-flow__controls-fitview").click();
}

async function shoot(page: Page, name: string) {
  await page.screenshot({ path: `${SHOTS}/feedback-${name}.png` });
}

test.describe("branch edges", () => {
  test("carry their output's name near the card, and the approve edge leaves the approve handle, clear of reject", async ({ page, request }) => {
    await page.setViewportSize(SIZES["1440"]);
    await openWorkflow(page, request, "Branch labels", branchGraph());
    await expectFullCards(page);

    await expect(edgeLabel(page, "approve")).toBeVisible();
    await expect(edgeLabel(page, "approve")).toHaveText("approve");
    await expect(edgeLabel(page, "reject")).toHaveText("reject");
    // Plain edges have no label.
    await expect(page.locator('[data-testid="edge-label"]')).toHaveCount(2);

    const approve = await box(handle(page, "review", "approve"));
    const reject = await box(handle(page, "review", "reject"));
    expect(reject.y).toBeGreaterThan(approve.y); // stacked: approve above reject

    // The label sits just right of its own handle, on its row.
    const label = await box(edgeLabel(page, "approve"));
    expect(label.x - (approve.x + approve.width)).toBeGreaterThanOrEqual(0);
    expect(label.x - (approve.x + approve.width)).toBeLessThan(16);
    expect(Math.abs(label.y + label.height / 2 - (approve.y + approve.height / 2))).toBeLessThan(3);

    // The drawn path starts at the approve handle...
    const points = await pathPoints(page, "e-review:approve-approved");
    const start = points[0]!;
    expect(distanceToBox(start, approve)).toBeLessThan(2);
    // ...goes down past the reject row (its target is far below)...
    expect(points.at(-1)!.y).toBeGreaterThan(reject.y + 100);
    // ...but never near the reject handle (half the rows' spacing, at any zoom), nor through the reject label.
    const rejectLabel = await box(edgeLabel(page, "reject"));
    const clearance = (reject.y - approve.y) / 2;
    for (const point of points) {
      expect(distanceToBox(point, reject)).toBeGreaterThan(clearance);
      expect(distanceToBox(point, rejectLabel)).toBeGreaterThan(0);
    }
    // And where it crosses the reject row, it is right of the reject label.
    const crossing = points.find((point) => point.y >= reject.y + reject.height / 2);
    expect(crossing!.x).toBeGreaterThan(rejectLabel.x + rejectLabel.width);

    await shoot(page, "branches-light-1440");
    await shootBranches(page, "branches-closeup-light");
    await page.setViewportSize(SIZES["1024"]);
    await fitView(page);
    await zoomToFullCards(page);
    // Past the compact threshold to a zoom where card text reads.
    await page.locator(".react-flow__controls-zoomin").click();
    await page.locator(".react-flow__controls-zoomin").click();
    await expect(edgeLabel(page, "approve")).toBeVisible();
    await shoot(page, "branches-light-1024");

    await page.emulateMedia({ colorScheme: "dark" });
    await expect(page.locator("html")).toHaveClass(/\bdark\b/);
    await expect(edgeLabel(page, "reject")).toBeVisible();
    await shoot(page, "branches-dark-1024");
    await page.setViewportSize(SIZES["1440"]);
    await fitView(page);
    await expectFullCards(page);
    await shoot(page, "branches-dark-1440");
    await shootBranches(page, "branches-closeup-dark");
    // Dark labels are light text on a dark chip.
    const colours = await edgeLabel(page, "approve").evaluate((element) => {
      const style = getComputedStyle(element);
      return { color: style.color, background: style.backgroundColor };
    });
    expect(colours.color).not.toBe(colours.background);
  });
});

test.describe("node run states", () => {
  test("a real run with a rejected approval: each state has its own border, word and icon; rejected is not green", async ({ page, request }) => {
    await page.setViewportSize(SIZES["1440"]);
    await openWorkflow(page, request, "Run states", branchGraph());
    await startRun(page);

    // Running: its own colour, word and turning icon, not the selection's blue.
    await expect(card(page, "agent_1")).toHaveAttribute("data-state", "running", { timeout: 10_000 });
    await expect(node(page, "agent_1").getByTestId("node-state-chip")).toHaveText("Running");
    await expect(node(page, "agent_1").locator('[data-state-icon="spinner"]')).toHaveCount(1);
    await node(page, "trigger").click();
    const selectedOutline = await card(page, "trigger").evaluate((element) => getComputedStyle(element).outlineColor);
    const runningBorder = await card(page, "agent_1").evaluate((element) => getComputedStyle(element).borderTopColor);
    expect(runningBorder).not.toBe(selectedOutline);
    await shoot(page, "states-running-light-1440");

    await expect(card(page, "review")).toHaveAttribute("data-state", "waiting", { timeout: 30_000 });
    await expect(node(page, "review").getByTestId("node-state-chip")).toHaveText("Waiting");
    await expect(node(page, "review").locator('[data-state-icon="pause"]')).toHaveCount(1);
    await shoot(page, "states-waiting-light-1440");

    const task = node(page, "review").getByTestId("human-task");
    await task.getByRole("button", { name: "Reject" }).click();
    await task.getByLabel("Reason for rejecting (optional)").fill("Too long");
    await task.getByRole("button", { name: "Confirm reject" }).click();
    await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 30_000 });

    await expect(card(page, "review")).toHaveAttribute("data-state", "rejected");
    await expect(node(page, "review").getByTestId("node-state-chip")).toHaveText("Rejected");
    await expect(node(page, "review").locator('[data-state-icon="ban"]')).toHaveCount(1);
    await expect(card(page, "agent_1")).toHaveAttribute("data-state", "succeeded");
    await expect(node(page, "agent_1").getByTestId("node-state-chip")).toHaveText("Done");
    await expect(node(page, "agent_1").locator('[data-state-icon="check"]')).toHaveCount(1);
    await expect(card(page, "approved")).toHaveAttribute("data-state", "skipped");
    await expect(node(page, "approved").getByTestId("node-state-chip")).toHaveText("Skipped");
    await expect(card(page, "rejected")).toHaveAttribute("data-state", "succeeded");

    const border = (nodeId: string) => card(page, nodeId).evaluate((element) => getComputedStyle(element).borderTopColor);
    const styleOf = (nodeId: string) => card(page, nodeId).evaluate((element) => getComputedStyle(element).borderTopStyle);
    // Rejected keeps no green border: its colour differs from the succeeded agent's.
    expect(await border("review")).not.toBe(await border("agent_1"));
    expect(await border("approved")).not.toBe(await border("agent_1"));
    expect(await styleOf("approved")).toBe("dashed");
    expect(await styleOf("agent_1")).toBe("solid");

    // Selected is an outline in the accent, apart from every state's border.
    await node(page, "agent_1").click();
    const outline = await card(page, "agent_1").evaluate((element) => {
      const style = getComputedStyle(element);
      return { colour: style.outlineColor, style: style.outlineStyle };
    });
    expect(outline.style).toBe("solid");
    for (const id of ["review", "agent_1", "approved", "rejected"]) expect(await border(id)).not.toBe(outline.colour);
    await shoot(page, "states-light-1440");

    await shootBranches(page, "states-closeup-light");
    await page.setViewportSize(SIZES["1024"]);
    await fitView(page);
    await shoot(page, "states-light-1024");
    await zoomToFullCards(page);
    await page.locator(".react-flow__controls-zoomin").click();
    await page.locator(".react-flow__controls-zoomin").click();
    await shoot(page, "states-light-1024-zoomed");
    await page.emulateMedia({ colorScheme: "dark" });
    await expect(page.locator("html")).toHaveClass(/\bdark\b/);
    await shoot(page, "states-dark-1024");
    await page.setViewportSize(SIZES["1440"]);
    await fitView(page);
    await shoot(page, "states-dark-1440");
    await shootBranches(page, "states-closeup-dark");
  });
});

test.describe("feedback that is never stale", () => {
  test("the cannot-run banner names the node and goes away as soon as the problem is fixed", async ({ page, request }) => {
    await page.setViewportSize(SIZES["1024"]);
    await openWorkflow(page, request, "Banner");
    await node(page, "agent_1").click();
    await page.getByLabel("Label").fill("Summariser");
    await page.getByLabel("Task").fill("");
    const problems = page.getByTestId("problems-panel");
    await expect(problems).toContainText('Agent "Summariser": the task is empty');

    await page.getByRole("button", { name: "Run", exact: true }).click();
    const banner = page.getByTestId("run-error");
    await expect(banner).toContainText("Cannot run: fix 1 problem first");
    await expect(banner).toContainText('Agent "Summariser": the task is empty');
    await expect(page.getByRole("dialog", { name: "Run workflow" })).toHaveCount(0);
    await shoot(page, "banner-light-1024");

    await page.getByLabel("Task").fill("Summarise {{input.topic}}");
    await expect(problems).toContainText("Ready to run");
    await expect(banner).toHaveCount(0);
    // And Run now asks for the input as usual.
    await startRun(page);
    await expect(page.getByTestId("run-status")).toBeVisible();
  });

  test("paste twice gives Agent 2 and Agent 3 at their own spots; Ctrl+D names its copy too", async ({ page, request }) => {
    await page.setViewportSize(SIZES["1440"]);
    await openWorkflow(page, request, "Paste names");
    await node(page, "agent_1").click();
    await page.keyboard.press("ControlOrMeta+c");
    await page.keyboard.press("ControlOrMeta+v");
    await expect(node(page, "agent_2")).toBeVisible();
    await page.keyboard.press("ControlOrMeta+v");
    await expect(node(page, "agent_3")).toBeVisible();

    await expect(node(page, "agent_1")).toContainText("Agent");
    await expect(node(page, "agent_2")).toContainText("Agent 2");
    await expect(node(page, "agent_3")).toContainText("Agent 3");
    const [original, first, second] = await Promise.all(["agent_1", "agent_2", "agent_3"].map((id) => box(node(page, id))));
    expect(first!.x).toBeGreaterThan(original!.x);
    expect(first!.y).toBeGreaterThan(original!.y);
    expect(second!.x).toBeGreaterThan(first!.x);
    expect(second!.y).toBeGreaterThan(first!.y);
    // The original's title is not covered by its copy.
    const title = await box(node(page, "agent_1").getByText("Agent", { exact: true }));
    const onTop = await page.evaluate(
      ({ x, y }) => document.elementFromPoint(x, y)?.closest(".react-flow__node")?.getAttribute("data-id"),
      { x: title.x + title.width / 2, y: title.y + title.height / 2 },
    );
    expect(onTop).toBe("agent_1");

    // The copies are not connected: the problems say which one.
    const problems = page.getByTestId("problems-panel");
    await expect(problems).toContainText('Agent "Agent 2" is not connected to the Trigger');
    await expect(problems).toContainText('Agent "Agent 3" is not connected to the Trigger');

    await page.keyboard.press("ControlOrMeta+d");
    await expect(node(page, "agent_4")).toContainText("Agent 4");
    await shoot(page, "paste-light-1440");
    await page.emulateMedia({ colorScheme: "dark" });
    await expect(page.locator("html")).toHaveClass(/\bdark\b/);
    await shoot(page, "paste-dark-1440");
  });
});
