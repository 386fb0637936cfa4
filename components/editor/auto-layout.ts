import { layout, Graph } from "@dagrejs/dagre";
import { DEFAULT_NODE_SIZE } from "./node-size";
import { estimatedCardSize } from "./estimated-handles";
import type { FlowGraph } from "./types";

export type LayoutOptions = { grid: number; rankGap: number; nodeGap: number };

const DEFAULTS: LayoutOptions = { grid: 16, rankGap: 96, nodeGap: 40 };

/**
 * Left-to-right layered positions (dagre's Sugiyama layout): each node one rank right of its
 * inputs, crossings reduced. Returns top-left corners snapped to the grid, as React Flow
 * stores them, keyed by node id.
 */
export function layeredPositions(graph: FlowGraph, options: Partial<LayoutOptions> = {}): Map<string, { x: number; y: number }> {
  // dagre recurses along long paths (a stack overflow past ~2,000 nodes in a chain) and takes
  // seconds on big graphs; those get plain layers instead.
  if (graph.nodes.length > DAGRE_MAX_NODES) return plainLayers(graph, options);
  try {
    return dagreLayers(graph, options);
  } catch (error) {
    if (error instanceof RangeError) return plainLayers(graph, options);
    throw error;
  }
}

const DAGRE_MAX_NODES = 1_500;

function dagreLayers(graph: FlowGraph, options: Partial<LayoutOptions>): Map<string, { x: number; y: number }> {
  const { grid, rankGap, nodeGap } = { ...DEFAULTS, ...options };
  // dagre writes each node's centre (x, y) into the label it was given.
  const g = new Graph<Record<string, unknown>, { width: number; height: number; x?: number; y?: number }, Record<string, never>>();
  g.setGraph({ rankdir: "LR", ranksep: rankGap, nodesep: nodeGap, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) {
    // A card never in view has not been measured (only cards in view are built): estimate it.
    const estimate = estimatedCardSize(node);
    g.setNode(node.id, { width: node.measured?.width ?? estimate.width, height: node.measured?.height ?? estimate.height });
  }
  for (const edge of graph.edges) {
    // An edge to a missing node (a graph the validator will flag) would make dagre invent a node.
    if (g.hasNode(edge.source) && g.hasNode(edge.target)) g.setEdge(edge.source, edge.target);
  }
  layout(g);
  const snap = (value: number) => Math.round(value / grid) * grid;
  const positions = new Map<string, { x: number; y: number }>();
  for (const id of g.nodes()) {
    const box = g.node(id);
    // dagre gives centres; React Flow positions are top-left corners.
    positions.set(id, { x: snap((box.x ?? 0) - box.width / 2), y: snap((box.y ?? 0) - box.height / 2) });
  }
  return positions;
}

/**
 * Layers without dagre, iteratively: a node's rank is the longest path to it from a node with
 * no inputs (edges of a cycle — a loop's way back — are ignored); within a rank nodes keep their
 * current top-to-bottom order. No crossing reduction, but any size and no recursion.
 */
export function plainLayers(graph: FlowGraph, options: Partial<LayoutOptions> = {}): Map<string, { x: number; y: number }> {
  const { grid, rankGap, nodeGap } = { ...DEFAULTS, ...options };
  const ids = new Set(graph.nodes.map((node) => node.id));
  const outgoing = new Map<string, string[]>();
  const indegree = new Map<string, number>(graph.nodes.map((node) => [node.id, 0]));
  for (const edge of graph.edges) {
    if (!ids.has(edge.source) || !ids.has(edge.target) || edge.source === edge.target) continue;
    const list = outgoing.get(edge.source);
    if (list) list.push(edge.target);
    else outgoing.set(edge.source, [edge.target]);
    indegree.set(edge.target, (indegree.get(edge.target) ?? 0) + 1);
  }
  const rank = new Map<string, number>();
  const queue = graph.nodes.filter((node) => indegree.get(node.id) === 0).map((node) => node.id);
  const visit = (start: string[]) => {
    for (const id of start) if (!rank.has(id)) rank.set(id, 0);
    for (let i = 0; i < queue.length; i += 1) {
      const id = queue[i] as string;
      for (const next of outgoing.get(id) ?? []) {
        rank.set(next, Math.max(rank.get(next) ?? 0, (rank.get(id) ?? 0) + 1));
        const left = (indegree.get(next) ?? 0) - 1;
        indegree.set(next, left);
        if (left === 0) queue.push(next);
      }
    }
  };
  visit(queue);
  // Nodes only reachable through a cycle: start from each one not ranked yet.
  for (const node of graph.nodes) {
    if (rank.has(node.id)) continue;
    indegree.set(node.id, 0);
    queue.push(node.id);
    visit([node.id]);
  }
  const byRank = new Map<number, FlowGraph["nodes"]>();
  for (const node of graph.nodes) {
    const r = rank.get(node.id) ?? 0;
    const list = byRank.get(r);
    if (list) list.push(node);
    else byRank.set(r, [node]);
  }
  const snap = (value: number) => Math.round(value / grid) * grid;
  const positions = new Map<string, { x: number; y: number }>();
  for (const [r, nodes] of byRank) {
    nodes.sort((a, b) => a.position.y - b.position.y);
    nodes.forEach((node, index) => {
      positions.set(node.id, { x: snap(r * (DEFAULT_NODE_SIZE.width + rankGap)), y: snap(index * (DEFAULT_NODE_SIZE.height + nodeGap)) });
    });
  }
  return positions;
}
