import { expect, test } from "@playwright/test";
import { createNode, GRAPH_SCHEMA_VERSION, type Graph } from "../../server/engine/graph";
import { trpcMutation, trpcQuery } from "../support/api";

/**
 * The largest graph the schema allows in a line: 4,999 nodes. It used to be accepted and then
 * never open again (validation recursed once per node and overflowed the stack).
 */
function chain(length: number): Graph {
  const nodes = [createNode("trigger", "trigger", { x: 0, y: 0 })];
  for (let i = 1; i < length - 1; i += 1) {
    const node = createNode("tool", `t${i}`, { x: i * 260, y: 0 });
    if (node.type === "tool") node.data = { ...node.data, tool: "run_code", arguments: '{"code":"1"}' };
    nodes.push(node);
  }
  nodes.push(createNode("output", "output", { x: length * 260, y: 0 }));
  const edges = nodes.slice(1).map((node, i) => ({ id: `e${i}`, source: nodes[i]?.id ?? "", target: node.id, sourceHandle: null, targetHandle: null }));
  return { schemaVersion: GRAPH_SCHEMA_VERSION, nodes, edges };
}

test("a 4,999-node chain is saved, opens in the editor, and validates", async ({ page, request }) => {
  test.setTimeout(120_000);
  const graph = chain(4_999);
  const { id } = await trpcMutation(request, "workflow", "create", { name: `Long chain ${Date.now()}`, graph });
  const saved = await trpcQuery(request, "workflow", "get", { id });
  expect(saved.graph.nodes).toHaveLength(4_999);
  expect(saved.problems.filter((p) => p.severity === "error")).toEqual([]);

  await page.goto(`/workflows/${id}`);
  await expect(page.locator(".react-flow__node").first()).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText("Ready to run")).toBeVisible({ timeout: 30_000 });
  await trpcMutation(request, "workflow", "delete", { id });
});
