import { layout, Graph } from "@dagrejs/dagre";
import { DEFAULT_NODE_SIZE } from "./node-size";
import type { FlowGraph } from "./types";

export type LayoutOptions = { grid: number; rankGap: number; nodeGap: number };

const DEFAULTS: LayoutOptions = { grid: 16, rankGap: 96, nodeGap: 40 };

/**
 * Left-to-right layered positions (dagre's Sugiyama layout): each node one rank right of its
 * inputs, crossings reduced. Returns top-left corners snapped to the grid, as React Flow
 * stores them, keyed by node id.
 */
export function layeredPositions(graph: FlowGraph, options: Partial<LayoutOptions> = {}): Map<string, { x: number; y: number }> {
  const { grid, rankGap, nodeGap } = { ...DEFAULTS, ...options };
  // dagre writes each node's centre (x, y) into the label it was given.
  const g = new Graph<Record<string, unknown>, { width: number; height: number; x?: number; y?: number }, Record<string, never>>();
  g.setGraph({ rankdir: "LR", ranksep: rankGap, nodesep: nodeGap, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) {
    g.setNode(node.id, {
      width: node.measured?.width ?? DEFAULT_NODE_SIZE.width,
      height: node.measured?.height ?? DEFAULT_NODE_SIZE.height,
    });
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
