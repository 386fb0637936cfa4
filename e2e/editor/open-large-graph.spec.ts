import { expect, test, type Page } from "@playwright/test";
import { createNode, GRAPH_SCHEMA_VERSION, type Graph, type GraphEdge, type GraphNode } from "../../server/engine/graph";
import { estimatedHandles } from "../../components/editor/estimated-handles";
import type { AppNode } from "../../components/editor/types";
import { trpcMutation, trpcQuery } from "../support/api";
import { node } from "../support/editor";

/**
 * Opening builds only the cards in view (components/editor/estimated-handles.ts): the cards off
 * screen declare estimated handles instead of being built and measured. What must not change for
 * the person using the editor: edges into cards off screen are drawn, each card shows up when it
 * comes into view, Fit view and the problems list reach every card, a waiting card off screen is
 * brought into view, and an estimate is close to where the measured handle turns out to be.
 */

const COLUMNS = 8;
const ROWS = 10;

/** A grid of agents (each fed by the one to its left), far wider and taller than the canvas at the opening zoom. */
function grid(): Graph {
  const nodes: GraphNode[] = [createNode("trigger", "trigger", { x: 0, y: 0 })];
  const edges: GraphEdge[] = [];
  for (let column = 1; column <= COLUMNS; column++) {
    for (let row = 0; row < ROWS; row++) {
      const id = `a_${column}_${row}`;
      const agent = createNode("agent", id, { x: column * 320, y: row * 176 });
      agent.data.label = `Agent ${column}.${row}`;
      nodes.push(agent);
      const source = column === 1 ? "trigger" : `a_${column - 1}_${row}`;
      edges.push({ id: `e-${source}-${id}`, source, target: id, sourceHandle: null, targetHandle: null });
    }
  }
  return { schemaVersion: GRAPH_SCHEMA_VERSION, nodes, edges };
}

async function renderedNodeIds(page: Page): Promise<string[]> {
  return page.locator(".react-flow__node").evaluateAll((elements) => elements.map((element) => element.getAttribute("data-id") ?? ""));
}

test("a large workflow opens with only the cards in view built; edges leaving the view are drawn; Fit view shows every card", async ({ page, request }) => {
  const graph = grid();
  const { id } = await trpcMutation(request, "workflow", "create", { name: `Large open ${Date.now()}`, graph });
  await page.goto(`/workflows/${id}`);
  await expect(node(page, "a_1_0")).toBeVisible();

  const rendered = await renderedNodeIds(page);
  expect(rendered.length).toBeGreaterThan(0);
  expect(rendered.length).toBeLessThan(graph.nodes.length / 2);
  // An edge from a card in view to one never built is drawn all the same.
  const leaving = graph.edges.find((edge) => rendered.includes(edge.source) && !rendered.includes(edge.target));
  expect(leaving, "an edge leaving the view").toBeDefined();
  const path = page.locator(`.react-flow__edge[data-id="${leaving?.id}"] path.react-flow__edge-path`);
  await expect(path).toHaveAttribute("d", /\S/);
  await page.screenshot({ path: "/tmp/shots/open-large-graph.png" });

  // Fit view counts the cards never built (no measured size yet): every card ends up on screen.
  await page.locator(".react-flow__controls-fitview").click();
  await expect.poll(async () => (await renderedNodeIds(page)).length, { timeout: 10_000 }).toBe(graph.nodes.length);
  const canvas = await page.locator(".react-flow").boundingBox();
  const last = await node(page, `a_${COLUMNS}_${ROWS - 1}`).boundingBox();
  expect(canvas && last).toBeTruthy();
  if (canvas && last) {
    expect(last.x + last.width).toBeLessThanOrEqual(canvas.x + canvas.width);
    expect(last.y + last.height).toBeLessThanOrEqual(canvas.y + canvas.height);
  }
  await trpcMutation(request, "workflow", "delete", { id });
});

test("clicking a problem of a card never in view selects it and brings it into view", async ({ page, request }) => {
  const graph = grid();
  const broken = createNode("condition", "far_condition", { x: (COLUMNS + 1) * 320, y: (ROWS - 1) * 176 });
  graph.nodes.push(broken);
  graph.edges.push({ id: "e-far", source: `a_${COLUMNS}_${ROWS - 1}`, target: broken.id, sourceHandle: null, targetHandle: null });
  const { id } = await trpcMutation(request, "workflow", "create", { name: `Large problem ${Date.now()}`, graph });
  await page.goto(`/workflows/${id}`);
  await expect(node(page, "a_1_0")).toBeVisible();
  await expect(node(page, broken.id)).toHaveCount(0);

  await page.getByTestId("problems-panel").getByRole("button", { name: /the expression is empty/ }).click();
  await expect(node(page, broken.id)).toHaveClass(/selected/);
  const canvas = await page.locator(".react-flow").boundingBox();
  await expect.poll(async () => {
    const box = await node(page, broken.id).boundingBox();
    return Boolean(canvas && box && box.x >= canvas.x && box.y >= canvas.y && box.x + box.width <= canvas.x + canvas.width && box.y + box.height <= canvas.y + canvas.height);
  }, { message: "the card is inside the canvas" }).toBe(true);
  await trpcMutation(request, "workflow", "delete", { id });
});

test("a card waiting for a person off screen is brought into view by itself", async ({ page, request }) => {
  const review = createNode("human", "review", { x: 3_200, y: 112 });
  const graph: Graph = {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: [createNode("trigger", "trigger", { x: 0, y: 112 }), review, createNode("output", "output", { x: 3_520, y: 112 })],
    edges: [
      { id: "e-trigger-review", source: "trigger", target: "review", sourceHandle: null, targetHandle: null },
      { id: "e-review-output", source: "review", target: "output", sourceHandle: "approve", targetHandle: null },
    ],
  };
  const { id } = await trpcMutation(request, "workflow", "create", { name: `Far review ${Date.now()}`, graph });
  const { runId } = await trpcMutation(request, "run", "start", { workflowId: id, input: {} });
  await expect.poll(async () => (await trpcQuery(request, "run", "get", { runId })).status, { timeout: 30_000 }).toBe("waiting_for_human");

  await page.goto(`/runs/${runId}`);
  const approve = node(page, "review").getByRole("button", { name: "Approve" });
  const canvas = page.locator(".react-flow");
  await expect.poll(async () => {
    const [area, button] = await Promise.all([canvas.boundingBox(), approve.boundingBox().catch(() => null)]);
    return Boolean(area && button && button.x >= area.x && button.y >= area.y && button.x + button.width <= area.x + area.width && button.y + button.height <= area.y + area.height);
  }, { message: "the waiting card's Approve button is inside the canvas", timeout: 15_000 }).toBe(true);
  await trpcMutation(request, "run", "cancel", { runId }).catch(() => undefined);
});

test("estimated handles are close to where the measured handles turn out to be, for every kind of card", async ({ page, request }) => {
  const kinds = ["agent", "tool", "human", "condition", "parallel", "join", "loop", "output", "router", "for_each", "subworkflow"] as const;
  const nodes: GraphNode[] = [createNode("trigger", "trigger", { x: 0, y: 0 })];
  kinds.forEach((kind, index) => nodes.push(createNode(kind, `n_${kind}`, { x: (index % 4) * 300, y: 260 + Math.floor(index / 4) * 260 })));
  const graph: Graph = { schemaVersion: GRAPH_SCHEMA_VERSION, nodes, edges: [] };
  const { id } = await trpcMutation(request, "workflow", "create", { name: `Handle estimates ${Date.now()}`, graph });
  await page.goto(`/workflows/${id}`);
  await expect(page.locator(".react-flow__node")).toHaveCount(nodes.length);

  // Handle boxes relative to their card, in flow units, as React Flow measures them.
  const measured = await page.evaluate(() => {
    const transform = document.querySelector<HTMLElement>(".react-flow__viewport")?.style.transform ?? "";
    const zoom = Number(/scale\(([\d.e]+)\)/.exec(transform)?.[1] ?? "1");
    return [...document.querySelectorAll(".react-flow__node")].map((card) => {
      const box = card.getBoundingClientRect();
      return {
        id: card.getAttribute("data-id") ?? "",
        handles: [...card.querySelectorAll(".react-flow__handle")].map((handle) => {
          const at = handle.getBoundingClientRect();
          return {
            id: handle.getAttribute("data-handleid"),
            type: handle.classList.contains("source") ? "source" : "target",
            x: (at.left - box.left) / zoom,
            y: (at.top - box.top) / zoom,
            width: at.width / zoom,
            height: at.height / zoom,
          };
        }),
      };
    });
  });
  for (const card of measured) {
    const graphNode = nodes.find((candidate) => candidate.id === card.id);
    expect(graphNode).toBeDefined();
    const estimates = estimatedHandles(graphNode as AppNode);
    for (const handle of card.handles) {
      const estimate = estimates.find((candidate) => candidate.type === handle.type && (candidate.id ?? null) === (handle.id ?? null));
      expect(estimate, `${card.id}: an estimate for its ${handle.type} handle ${handle.id}`).toBeDefined();
      if (!estimate) continue;
      // Where an edge attaches: the handle's centre.
      const centre = (x: number, size: number | undefined) => x + (size ?? 0) / 2;
      expect(Math.abs(centre(estimate.x, estimate.width) - centre(handle.x, handle.width)), `${card.id} ${handle.type} ${handle.id} x`).toBeLessThanOrEqual(8);
      expect(Math.abs(centre(estimate.y, estimate.height) - centre(handle.y, handle.height)), `${card.id} ${handle.type} ${handle.id} y`).toBeLessThanOrEqual(20);
    }
  }
  await trpcMutation(request, "workflow", "delete", { id });
});
