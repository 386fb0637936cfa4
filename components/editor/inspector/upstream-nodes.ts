/**
 * Which nodes have run before a given node, so its templates can read their output: its
 * ancestors along the edges. Inside a loop's body the loop's back edges (from the body back to
 * the loop node) are not followed, or every node of the body would count as upstream of every
 * other one, including those that run after it in the same iteration. After the loop (its
 * "done" side) the whole body has run, so there they are followed.
 */

type NodeRef = { id: string; type: string };
type EdgeRef = { source: string; target: string; sourceHandle?: string | null };

/** The back edges of the loops whose body holds `nodeId`. */
function enclosingLoopBackEdges(nodes: readonly NodeRef[], edges: readonly EdgeRef[], nodeId: string): Set<EdgeRef> {
  const outgoing = new Map<string, EdgeRef[]>();
  for (const edge of edges) outgoing.set(edge.source, [...(outgoing.get(edge.source) ?? []), edge]);
  const backEdges = new Set<EdgeRef>();
  for (const loop of nodes) {
    if (loop.type !== "loop") continue;
    // The body: everything reachable from the loop's "body" handle before coming back to it (as the engine shapes it).
    const body = new Set<string>();
    const queue = (outgoing.get(loop.id) ?? []).filter((edge) => edge.sourceHandle === "body").map((edge) => edge.target);
    for (let head = 0; head < queue.length; head += 1) {
      const id = queue[head] as string;
      if (id === loop.id || body.has(id)) continue;
      body.add(id);
      for (const edge of outgoing.get(id) ?? []) queue.push(edge.target);
    }
    if (!body.has(nodeId)) continue;
    for (const edge of edges) if (edge.target === loop.id && body.has(edge.source)) backEdges.add(edge);
  }
  return backEdges;
}

/** The ids of the nodes upstream of `nodeId`, in the graph's node order; never `nodeId` itself. */
export function upstreamNodeIds(graph: { nodes: readonly NodeRef[]; edges: readonly EdgeRef[] }, nodeId: string): string[] {
  const backEdges = enclosingLoopBackEdges(graph.nodes, graph.edges, nodeId);
  const incoming = new Map<string, string[]>();
  for (const edge of graph.edges) {
    if (backEdges.has(edge)) continue;
    incoming.set(edge.target, [...(incoming.get(edge.target) ?? []), edge.source]);
  }
  const seen = new Set<string>();
  const stack = [...(incoming.get(nodeId) ?? [])];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(incoming.get(id) ?? []));
  }
  seen.delete(nodeId);
  return graph.nodes.filter((node) => seen.has(node.id)).map((node) => node.id);
}
