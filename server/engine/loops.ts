import type { Graph, GraphEdge } from "./graph";
import { outgoingEdges } from "./graph-index";

/**
 * Loops are the only cycles a graph may have. A loop node's `body` handle leads into its
 * body; edges from the body back into the loop node are back edges. Each iteration resets
 * the body's nodes so they run again; the `done` handle fires once the loop ends.
 */

export type LoopShape = { body: Set<string>; backEdges: GraphEdge[] };

/**
 * `outgoing` may be passed in when shaping several loops of one graph. A for-each has the same
 * shape through its "item" handle (`bodyHandle`); its body runs in child runs (item-graph.ts),
 * never in the for-each's own run.
 */
export function loopShape(graph: Graph, loopId: string, outgoing = outgoingEdges(graph), bodyHandle = "body"): LoopShape {
  const body = new Set<string>();
  // Breadth-first, so the body (and the reset list of `loop_iteration`) keeps its order.
  // A read index instead of `shift()`, which moves the whole array on every call.
  const queue = (outgoing.get(loopId) ?? []).filter((e) => e.sourceHandle === bodyHandle).map((e) => e.target);
  for (let head = 0; head < queue.length; head += 1) {
    const id = queue[head] as string;
    if (id === loopId || body.has(id)) continue;
    body.add(id);
    for (const edge of outgoing.get(id) ?? []) queue.push(edge.target);
  }
  const backEdges = graph.edges.filter((e) => e.target === loopId && body.has(e.source));
  return { body, backEdges };
}
