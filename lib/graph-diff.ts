import type { Graph, GraphEdge, GraphNode } from "@/server/engine/graph";
import { kindTitle } from "@/server/engine/node-name";

/**
 * What changed between two versions of a workflow graph, for the versions diff (canvas and
 * JSON). Pure: the browser computes it from the two versions it loaded.
 *
 * Nodes are matched by id (ids stay when a node is edited or moved). Edges carry no settings,
 * so an edge is its connection — source, source handle, target, target handle — and a
 * reconnected edge is one removed and one added. A node whose only change is its position is
 * "moved", not "changed": the canvas layout does not change what a run does.
 */

export type FieldChange = { field: string; from: unknown; to: unknown };

export type NodeDiff =
  | { status: "added"; id: string; kind: string; label: string; node: GraphNode }
  | { status: "removed"; id: string; kind: string; label: string; node: GraphNode }
  | { status: "changed"; id: string; kind: string; label: string; changes: FieldChange[]; moved: boolean }
  | { status: "moved"; id: string; kind: string; label: string };

export type NodeDiffStatus = NodeDiff["status"] | "unchanged";

export type EdgeDiff = { status: "added" | "removed"; key: string; source: string; sourceHandle: string | null; target: string; targetHandle: string | null };

export type GraphDiff = {
  /** Only nodes that differ, in the order of the newer graph, then the removed ones. */
  nodes: NodeDiff[];
  edges: EdgeDiff[];
  summary: { addedNodes: number; removedNodes: number; changedNodes: number; movedNodes: number; addedEdges: number; removedEdges: number };
};

function labelOf(node: GraphNode): string {
  const label = (node.data as { label?: unknown }).label;
  return typeof label === "string" && label.trim() !== "" ? label : kindTitle(node.type);
}

/** Deep equality of JSON values (object key order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]));
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const aKeys = Object.keys(a).filter((key) => (a as Record<string, unknown>)[key] !== undefined);
    const bKeys = Object.keys(b).filter((key) => (b as Record<string, unknown>)[key] !== undefined);
    return aKeys.length === bKeys.length && aKeys.every((key) => jsonEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
  }
  return false;
}

/** The settings that differ, by top-level field of the node's data (plus its kind, if that changed). */
function fieldChanges(before: GraphNode, after: GraphNode): FieldChange[] {
  const changes: FieldChange[] = [];
  if (before.type !== after.type) changes.push({ field: "type", from: before.type, to: after.type });
  const beforeData = before.data as Record<string, unknown>;
  const afterData = after.data as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(beforeData), ...Object.keys(afterData)])];
  for (const field of fields) {
    if (!jsonEqual(beforeData[field], afterData[field])) changes.push({ field, from: beforeData[field], to: afterData[field] });
  }
  return changes;
}

export function edgeKey(edge: Pick<GraphEdge, "source" | "sourceHandle" | "target" | "targetHandle">): string {
  return `${edge.source}:${edge.sourceHandle ?? ""}->${edge.target}:${edge.targetHandle ?? ""}`;
}

function edgeDiff(status: EdgeDiff["status"], edge: GraphEdge): EdgeDiff {
  return { status, key: edgeKey(edge), source: edge.source, sourceHandle: edge.sourceHandle ?? null, target: edge.target, targetHandle: edge.targetHandle ?? null };
}

export function diffGraphs(before: Graph, after: Graph): GraphDiff {
  const beforeNodes = new Map(before.nodes.map((node) => [node.id, node]));
  const afterIds = new Set(after.nodes.map((node) => node.id));
  const nodes: NodeDiff[] = [];
  for (const node of after.nodes) {
    const old = beforeNodes.get(node.id);
    const base = { id: node.id, kind: node.type, label: labelOf(node) };
    if (!old) {
      nodes.push({ status: "added", ...base, node });
      continue;
    }
    const changes = fieldChanges(old, node);
    const moved = old.position.x !== node.position.x || old.position.y !== node.position.y;
    if (changes.length > 0) nodes.push({ status: "changed", ...base, changes, moved });
    else if (moved) nodes.push({ status: "moved", ...base });
  }
  for (const node of before.nodes) {
    if (!afterIds.has(node.id)) nodes.push({ status: "removed", id: node.id, kind: node.type, label: labelOf(node), node });
  }

  const beforeEdges = new Map(before.edges.map((edge) => [edgeKey(edge), edge]));
  const afterEdges = new Map(after.edges.map((edge) => [edgeKey(edge), edge]));
  const edges: EdgeDiff[] = [
    ...[...afterEdges].filter(([key]) => !beforeEdges.has(key)).map(([, edge]) => edgeDiff("added", edge)),
    ...[...beforeEdges].filter(([key]) => !afterEdges.has(key)).map(([, edge]) => edgeDiff("removed", edge)),
  ];

  const count = (status: NodeDiff["status"]) => nodes.filter((node) => node.status === status).length;
  return {
    nodes,
    edges,
    summary: {
      addedNodes: count("added"),
      removedNodes: count("removed"),
      changedNodes: count("changed"),
      movedNodes: count("moved"),
      addedEdges: edges.filter((edge) => edge.status === "added").length,
      removedEdges: edges.filter((edge) => edge.status === "removed").length,
    },
  };
}

export function isEmptyDiff(diff: GraphDiff): boolean {
  return diff.nodes.length === 0 && diff.edges.length === 0;
}

/** Values short enough to show inline ("gpt-4o → gpt-4o-mini"); long text and lists only say "changed". */
const INLINE_MAX_LENGTH = 40;

function inlineValue(value: unknown): string | null {
  if (value === undefined || value === null) return "(none)";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string") {
    if (value === "") return "(empty)";
    return value.length <= INLINE_MAX_LENGTH && !value.includes("\n") ? value : null;
  }
  return null;
}

/** "model gpt-4o → gpt-4o-mini", or "systemPrompt changed" when a side is too long to show. */
export function describeFieldChange(change: FieldChange): string {
  const from = inlineValue(change.from);
  const to = inlineValue(change.to);
  return from !== null && to !== null ? `${change.field} ${from} → ${to}` : `${change.field} changed`;
}

/** One line per node: "Agent 'Writer': systemPrompt changed, model gpt-4o → gpt-4o-mini". */
export function describeNodeDiff(diff: NodeDiff): string {
  const name = `${kindTitle(diff.kind)} '${diff.label}'`;
  switch (diff.status) {
    case "added":
      return `${name}: added`;
    case "removed":
      return `${name}: removed`;
    case "moved":
      return `${name}: moved`;
    case "changed":
      return `${name}: ${[...diff.changes.map(describeFieldChange), ...(diff.moved ? ["moved"] : [])].join(", ")}`;
  }
}

/** "Agent 'Writer' (approve) → Output 'Result'", with node names from either graph. */
export function describeEdgeDiff(diff: EdgeDiff, before: Graph, after: Graph): string {
  const name = (id: string) => {
    const node = after.nodes.find((candidate) => candidate.id === id) ?? before.nodes.find((candidate) => candidate.id === id);
    return node ? `${kindTitle(node.type)} '${labelOf(node)}'` : id;
  };
  const handle = diff.sourceHandle ? ` (${diff.sourceHandle})` : "";
  return `${name(diff.source)}${handle} → ${name(diff.target)}: ${diff.status}`;
}
