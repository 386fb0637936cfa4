import { createNode, type Graph, type GraphEdge, type GraphNode } from "./graph";
import { loopShape, type LoopShape } from "./loops";

/**
 * The graph one item of a for-each runs on: the for-each's body, between a Trigger whose
 * output is the item and an Output that collects what the body's last nodes hand back. It is
 * derived from the pinned version (never stored), so an item's run is pinned exactly as its
 * parent is, and its page shows the body it ran.
 */

/** Ids of the two nodes an item's graph adds around the body. */
export function itemGraphIds(forEachId: string): { trigger: string; result: string } {
  return { trigger: `${forEachId}__item`, result: `${forEachId}__result` };
}

/** Graphs are immutable once pinned: each for-each's item graph is built once per graph. */
const itemGraphs = new WeakMap<Graph, Map<string, Graph>>();

export function itemGraph(graph: Graph, forEachId: string): Graph {
  let byNode = itemGraphs.get(graph);
  if (!byNode) {
    byNode = new Map();
    itemGraphs.set(graph, byNode);
  }
  const cached = byNode.get(forEachId);
  if (cached) return cached;
  const built = buildItemGraph(graph, forEachId, loopShape(graph, forEachId, undefined, "item"));
  byNode.set(forEachId, built);
  return built;
}

function buildItemGraph(graph: Graph, forEachId: string, { body, backEdges }: LoopShape): Graph {
  const ids = itemGraphIds(forEachId);
  const bodyNodes = graph.nodes.filter((node) => body.has(node.id));
  const xs = bodyNodes.map((node) => node.position.x);
  const ys = bodyNodes.map((node) => node.position.y);
  const left = xs.length > 0 ? Math.min(...xs) : 0;
  const right = xs.length > 0 ? Math.max(...xs) : 0;
  const middle = ys.length > 0 ? (Math.min(...ys) + Math.max(...ys)) / 2 : 0;
  const trigger = withLabel(createNode("trigger", ids.trigger, { x: left - 280, y: middle }), "Item");
  const result = withLabel(createNode("output", ids.result, { x: right + 280, y: middle }), "Result");
  const back = new Set(backEdges.map((edge) => edge.id));
  const edges: GraphEdge[] = [];
  for (const edge of graph.edges) {
    if (edge.source === forEachId && edge.sourceHandle === "item" && body.has(edge.target)) {
      edges.push({ ...edge, source: ids.trigger, sourceHandle: null });
    } else if (back.has(edge.id)) {
      edges.push({ ...edge, target: ids.result, targetHandle: null });
    } else if (body.has(edge.source) && body.has(edge.target)) {
      edges.push(edge);
    }
  }
  return { schemaVersion: graph.schemaVersion, nodes: [trigger, ...bodyNodes, result], edges };
}

function withLabel(node: GraphNode, label: string): GraphNode {
  return { ...node, data: { ...node.data, label } } as GraphNode;
}
