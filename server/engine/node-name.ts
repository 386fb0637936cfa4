/** What naming needs of a node: the graph's nodes and the editor's (React Flow) nodes both fit. */
type NamedNode = { id: string; type: string; data: { label: string } };

/** What each kind is called in the editor's palette (components/editor/node-kinds.tsx). */
const KIND_TITLES: Record<string, string> = {
  trigger: "Trigger",
  agent: "Agent",
  tool: "Tool",
  human: "Human approval",
  condition: "Condition",
  parallel: "Parallel",
  join: "Join",
  loop: "Loop",
  output: "Output",
  router: "Router",
  for_each: "For each",
  subworkflow: "Sub-workflow",
};

export function kindTitle(kind: string): string {
  return KIND_TITLES[kind] ?? kind.charAt(0).toUpperCase() + kind.slice(1);
}

/**
 * How a problem names its node: the kind and the builder's label (`Agent "Summariser"`), so
 * the message says which node even in a list; with the id as well when another node has the
 * same label, and the id alone when the label is empty.
 */
export function nodeNamer(graph: { nodes: readonly NamedNode[] }): (node: NamedNode) => string {
  const labelCounts = new Map<string, number>();
  for (const node of graph.nodes) labelCounts.set(node.data.label, (labelCounts.get(node.data.label) ?? 0) + 1);
  return (node) => {
    const kind = kindTitle(node.type);
    const label = node.data.label.trim();
    if (label === "") return `${kind} ${node.id}`;
    const shared = (labelCounts.get(node.data.label) ?? 0) > 1;
    return shared ? `${kind} "${label}" (${node.id})` : `${kind} "${label}"`;
  };
}
