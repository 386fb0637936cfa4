/**
 * Which nodes have run before a given node, so its templates can read their output: its
 * ancestors along the edges. Inside a loop's body the loop's back edges (from the body back to
 * the loop node) are not followed, or every node of the body would count as upstream of every
 * other one, including those that run after it in the same iteration. After the loop (its
 * "done" side) the whole body has run, so there they are followed. A for-each's body is shaped
 * the same way, but runs as runs of their own, so its nodes are never readable outside it.
 */

type NodeRef = { id: string; type: string };
type EdgeRef = { source: string; target: string; sourceHandle?: string | null };

/** The output that leads into a repeating node's body: a loop's "body", a for-each's "item". */
const BODY_HANDLES: Record<string, string> = { loop: "body", for_each: "item" };

/** The body of a loop or for-each: everything reachable from its body output before coming back to it (as the engine shapes it). */
function bodyOf(outgoing: ReadonlyMap<string, EdgeRef[]>, owner: NodeRef, handle: string): Set<string> {
  const body = new Set<string>();
  const queue = (outgoing.get(owner.id) ?? []).filter((edge) => edge.sourceHandle === handle).map((edge) => edge.target);
  for (let head = 0; head < queue.length; head += 1) {
    const id = queue[head] as string;
    if (id === owner.id || body.has(id)) continue;
    body.add(id);
    for (const edge of outgoing.get(id) ?? []) queue.push(edge.target);
  }
  return body;
}

function outgoingOf(edges: readonly EdgeRef[]): Map<string, EdgeRef[]> {
  const outgoing = new Map<string, EdgeRef[]>();
  for (const edge of edges) outgoing.set(edge.source, [...(outgoing.get(edge.source) ?? []), edge]);
  return outgoing;
}

/** The for-each nodes whose body holds `nodeId`: there its templates may use `{{item}}` and `{{index}}`. */
export function enclosingForEachIds(graph: { nodes: readonly NodeRef[]; edges: readonly EdgeRef[] }, nodeId: string): string[] {
  const outgoing = outgoingOf(graph.edges);
  return graph.nodes.filter((node) => node.type === "for_each" && bodyOf(outgoing, node, "item").has(nodeId)).map((node) => node.id);
}

/** The back edges of the loops (and for-eachs) whose body holds `nodeId`. */
function enclosingLoopBackEdges(nodes: readonly NodeRef[], edges: readonly EdgeRef[], nodeId: string): Set<EdgeRef> {
  const outgoing = outgoingOf(edges);
  const backEdges = new Set<EdgeRef>();
  for (const loop of nodes) {
    const handle = BODY_HANDLES[loop.type];
    if (handle === undefined) continue;
    const body = bodyOf(outgoing, loop, handle);
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
  // A for-each's body runs in runs of its own: outside the body its nodes have no output here,
  // and inside it the for-each has none yet (its items are `{{item}}`).
  const outgoing = outgoingOf(graph.edges);
  for (const forEach of graph.nodes) {
    if (forEach.type !== "for_each" || (forEach.id !== nodeId && !seen.has(forEach.id))) continue;
    const body = bodyOf(outgoing, forEach, "item");
    if (body.has(nodeId)) seen.delete(forEach.id);
    else for (const id of body) seen.delete(id);
  }
  return graph.nodes.filter((node) => seen.has(node.id)).map((node) => node.id);
}
