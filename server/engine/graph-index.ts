import type { Graph, GraphEdge } from "./graph";

/**
 * Lookups over a graph's edges, each built in one pass. A graph may hold 5,000 nodes and
 * 10,000 edges, so walks use these instead of scanning every edge per node, and
 * never recurse (a chain that long overflows the call stack).
 */

/** Adds `value` to the list under `key`. Rebuilding the list (`[...list, value]`) per edge would be quadratic on a fan-out. */
export function appendTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Each node's outgoing edges, in the graph's edge order. */
export function outgoingEdges(graph: Graph): Map<string, GraphEdge[]> {
  const outgoing = new Map<string, GraphEdge[]>();
  for (const edge of graph.edges) appendTo(outgoing, edge.source, edge);
  return outgoing;
}
