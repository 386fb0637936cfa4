import type { Graph, GraphEdge } from "./graph";

/**
 * Loops are the only cycles a graph may have. A loop node's `body` handle leads into its
 * body; edges from the body back into the loop node are back edges. Each iteration resets
 * the body's nodes so they run again; the `done` handle fires once the loop ends.
 */

export type LoopShape = { body: Set<string>; backEdges: GraphEdge[] };

export function loopShape(graph: Graph, loopId: string): LoopShape {
  const outgoing = new Map<string, GraphEdge[]>();
  for (const edge of graph.edges) outgoing.set(edge.source, [...(outgoing.get(edge.source) ?? []), edge]);
  const body = new Set<string>();
  const queue = graph.edges.filter((e) => e.source === loopId && e.sourceHandle === "body").map((e) => e.target);
  while (queue.length > 0) {
    const id = queue.shift() as string;
    if (id === loopId || body.has(id)) continue;
    body.add(id);
    for (const edge of outgoing.get(id) ?? []) queue.push(edge.target);
  }
  const backEdges = graph.edges.filter((e) => e.target === loopId && body.has(e.source));
  return { body, backEdges };
}

export function isBackEdge(graph: Graph, edge: GraphEdge): boolean {
  const target = graph.nodes.find((node) => node.id === edge.target);
  return target?.type === "loop" && loopShape(graph, target.id).body.has(edge.source);
}
