import { GRAPH_SCHEMA_VERSION, type Graph, type GraphEdge, type GraphNode } from "@/server/engine/graph";
import { DEFAULT_NODE_SIZE } from "./node-size";
import type { AppEdge, AppNode, FlowGraph } from "./types";

/**
 * The one place where the engine's `Graph` and React Flow's nodes/edges meet. React Flow
 * adds view state (selected, measured, dragging…) that must never be saved, so saving
 * copies only the fields the graph schema knows.
 */

export function graphToFlow(graph: Graph): FlowGraph {
  return {
    // An initial size lets React Flow skip nodes outside the view from the very first render
    // (onlyRenderVisibleElements), before it has measured any card.
    nodes: graph.nodes.map(
      (node): AppNode => ({ ...node, position: { ...node.position }, initialWidth: DEFAULT_NODE_SIZE.width, initialHeight: DEFAULT_NODE_SIZE.height }),
    ),
    edges: graph.edges.map(
      (edge): AppEdge => ({
        id: edge.id,
        source: edge.source,
        target: edge.target,
        sourceHandle: edge.sourceHandle ?? null,
        targetHandle: edge.targetHandle ?? null,
      }),
    ),
  };
}

export function flowToGraph({ nodes, edges }: FlowGraph): Graph {
  return {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: nodes.map(toGraphNode),
    edges: edges.map(
      (edge): GraphEdge => ({
        id: edge.id,
        source: edge.source,
        target: edge.target,
        sourceHandle: edge.sourceHandle ?? null,
        targetHandle: edge.targetHandle ?? null,
      }),
    ),
  };
}

/** React Flow's view state on a node; never part of the saved workflow. */
const VIEW_KEYS = ["selected", "dragging", "measured", "width", "height", "initialWidth", "initialHeight", "resizing"] as const;

function toGraphNode(node: AppNode): GraphNode {
  // Spreading keeps each kind paired with its own data, which copying fields one by one would lose.
  const copy = { ...node, position: { x: node.position.x, y: node.position.y } };
  for (const key of VIEW_KEYS) delete copy[key];
  return copy;
}
