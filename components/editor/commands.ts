import { createNode, sourceHandlesOf, type GraphEdge, type GraphNode, type NodeKind } from "@/server/engine/graph";
import { flowToGraph } from "./graph-convert";
import type { AppEdge, AppNode, FlowGraph } from "./types";

/**
 * Editor commands: named, pure `graph → graph` functions that declare how they undo
 * (after Excalidraw's actions). The store only wires them to React Flow's callbacks, so
 * everything that changes a workflow's shape is testable without a browser.
 */

/**
 * - `record`: one undo step per call.
 * - `coalesce`: consecutive calls with the same key form one step (typing into one field).
 * - `skip`: not undoable (selection is view state).
 */
export type UndoBehaviour = "record" | "coalesce" | "skip";

export type Command<Args extends unknown[]> = {
  name: string;
  undo: UndoBehaviour;
  coalesceKey?: (...args: Args) => string;
  apply: (graph: FlowGraph, ...args: Args) => FlowGraph;
};

export type Position = { x: number; y: number };
export type ConnectionInput = {
  source: string;
  target: string;
  sourceHandle?: string | null;
  targetHandle?: string | null;
};

/** The first free id of the form `<kind>_<n>`; readable in templates (`{{nodes.agent_2.output}}`). */
export function nextNodeId(nodes: readonly AppNode[], kind: NodeKind): string {
  return freeId(new Set(nodes.map((node) => node.id)), kind);
}

function freeId(taken: ReadonlySet<string>, kind: NodeKind): string {
  for (let n = 1; ; n++) {
    const id = `${kind}_${n}`;
    if (!taken.has(id)) return id;
  }
}

export function edgeId(connection: ConnectionInput): string {
  const handle = connection.sourceHandle ? `:${connection.sourceHandle}` : "";
  return `e-${connection.source}${handle}-${connection.target}`;
}

/** Why a connection may not be drawn, or null when it may. Mirrors `validateGraph` so the canvas refuses what the engine would reject. */
export function connectionProblem(graph: FlowGraph, connection: ConnectionInput): string | null {
  if (connection.source === connection.target) return "A node cannot connect to itself";
  const source = graph.nodes.find((node) => node.id === connection.source);
  const target = graph.nodes.find((node) => node.id === connection.target);
  if (!source || !target) return "Both ends must be nodes";
  if (target.type === "trigger") return "Nothing can connect into the Trigger";
  if (!sourceHandlesOf(source).includes(connection.sourceHandle ?? null)) return "That output does not exist";
  const duplicate = graph.edges.some(
    (edge) =>
      edge.source === connection.source &&
      edge.target === connection.target &&
      (edge.sourceHandle ?? null) === (connection.sourceHandle ?? null),
  );
  return duplicate ? "These nodes are already connected" : null;
}

/** `data` overrides the kind's defaults (an agent preset); keys must belong to the kind. */
export type AddNodeOptions = { id?: string; data?: DataPatch };

export const addNode: Command<[kind: NodeKind, position: Position, options?: AddNodeOptions]> = {
  name: "addNode",
  undo: "record",
  apply(graph, kind, position, { id = nextNodeId(graph.nodes, kind), data } = {}) {
    if (graph.nodes.some((node) => node.id === id)) return graph;
    const fresh: AppNode = { ...createNode(kind, id, position), selected: true };
    const created = data ? withData(fresh, data) : fresh;
    // The new node becomes the only selection so the inspector opens on it.
    return {
      nodes: [...graph.nodes.map((node) => (node.selected ? { ...node, selected: false } : node)), created],
      edges: graph.edges.map((edge) => (edge.selected ? { ...edge, selected: false } : edge)),
    };
  },
};

export const connect: Command<[connection: ConnectionInput]> = {
  name: "connect",
  undo: "record",
  apply(graph, connection) {
    if (connectionProblem(graph, connection) !== null) return graph;
    const edge: AppEdge = {
      id: edgeId(connection),
      source: connection.source,
      target: connection.target,
      sourceHandle: connection.sourceHandle ?? null,
      targetHandle: connection.targetHandle ?? null,
    };
    return { nodes: graph.nodes, edges: [...graph.edges, edge] };
  },
};

/** Removes nodes, the edges touching them, and the given edges. */
export const deleteElements: Command<[ids: { nodeIds?: readonly string[]; edgeIds?: readonly string[] }]> = {
  name: "deleteElements",
  undo: "record",
  apply(graph, { nodeIds = [], edgeIds = [] }) {
    const nodesGone = new Set(nodeIds);
    const edgesGone = new Set(edgeIds);
    const nodes = graph.nodes.filter((node) => !nodesGone.has(node.id));
    const edges = graph.edges.filter(
      (edge) => !edgesGone.has(edge.id) && !nodesGone.has(edge.source) && !nodesGone.has(edge.target),
    );
    if (nodes.length === graph.nodes.length && edges.length === graph.edges.length) return graph;
    return { nodes, edges };
  },
};

/** Patch keys must belong to the node's kind; the inspector's typed hook guarantees it. */
export type DataPatch = Record<string, unknown>;

export const updateNodeData: Command<[nodeId: string, patch: DataPatch]> = {
  name: "updateNodeData",
  undo: "coalesce",
  coalesceKey: (nodeId, patch) => `data:${nodeId}:${Object.keys(patch).sort().join(",")}`,
  apply(graph, nodeId, patch) {
    let changed = false;
    const nodes = graph.nodes.map((node) => {
      if (node.id !== nodeId) return node;
      const data: Record<string, unknown> = node.data;
      if (Object.entries(patch).every(([key, value]) => Object.is(data[key], value))) return node;
      changed = true;
      return withData(node, patch);
    });
    if (!changed) return graph;
    const before = graph.nodes.find((node) => node.id === nodeId);
    return { nodes, edges: before?.type === "router" && "branches" in patch ? followBranches(graph.edges, nodeId, before.data.branches, patch.branches as typeof before.data.branches) : graph.edges };
  },
};

/**
 * A router's outputs are its branches: a renamed branch keeps its connections (edges follow the
 * new name, matched by position), and a removed branch takes its connections with it.
 */
function followBranches(edges: AppEdge[], nodeId: string, before: readonly { name: string }[], after: readonly { name: string }[]): AppEdge[] {
  const renamed = new Map<string, string>();
  if (before.length === after.length) before.forEach((branch, index) => after[index] && after[index].name !== branch.name && renamed.set(branch.name, after[index].name));
  const names = new Set(after.map((branch) => branch.name));
  return edges.flatMap((edge) => {
    if (edge.source !== nodeId || edge.sourceHandle == null) return [edge];
    const name = renamed.get(edge.sourceHandle) ?? edge.sourceHandle;
    if (!names.has(name)) return [];
    return [name === edge.sourceHandle ? edge : { ...edge, sourceHandle: name }];
  });
}

function withData<N extends AppNode>(node: N, patch: DataPatch): N {
  return { ...node, data: { ...node.data, ...patch } };
}

/** Makes exactly one node selected (or none), as clicking a problem in the list does. */
export const selectNode: Command<[nodeId: string | null]> = {
  name: "selectNode",
  undo: "skip",
  apply(graph, nodeId) {
    return {
      nodes: graph.nodes.map((node) => {
        const selected = node.id === nodeId;
        return Boolean(node.selected) === selected ? node : { ...node, selected };
      }),
      edges: graph.edges.map((edge) => (edge.selected ? { ...edge, selected: false } : edge)),
    };
  },
};

// ---------------------------------------------------------------------------------------
// Clipboard, duplicate, layout

export const CLIPBOARD_FORMAT = "agentflow.clipboard";

/** What Copy puts on the clipboard: the selected nodes and the edges between them, without view state. */
export type ClipboardPayload = { format: typeof CLIPBOARD_FORMAT; nodes: GraphNode[]; edges: GraphEdge[] };

/** The selection as a clipboard payload, or null when no node is selected. */
export function copySelection(graph: FlowGraph): ClipboardPayload | null {
  const nodes = graph.nodes.filter((node) => node.selected);
  if (nodes.length === 0) return null;
  const ids = new Set(nodes.map((node) => node.id));
  const edges = graph.edges.filter((edge) => ids.has(edge.source) && ids.has(edge.target));
  const plain = flowToGraph({ nodes, edges });
  return { format: CLIPBOARD_FORMAT, nodes: plain.nodes, edges: plain.edges };
}

/** How far each paste moves from the copied positions: two grid cells, so the copy is visibly apart. */
export const PASTE_OFFSET = 32;

/**
 * Inserts copied nodes with fresh ids and the edges between them, offset from the originals
 * (further while that spot is already taken, so repeated pastes fan out). The pasted nodes
 * become the selection. A workflow has one trigger: a copied trigger is left out when the
 * graph already has one.
 */
export const pasteNodes: Command<[payload: ClipboardPayload]> = {
  name: "pasteNodes",
  undo: "record",
  apply(graph, payload) {
    const hasTrigger = graph.nodes.some((node) => node.type === "trigger");
    const incoming = payload.nodes.filter((node) => !(hasTrigger && node.type === "trigger"));
    if (incoming.length === 0) return graph;

    const occupied = new Set(graph.nodes.map((node) => `${node.position.x},${node.position.y}`));
    let shift = PASTE_OFFSET;
    while (incoming.some((node) => occupied.has(`${node.position.x + shift},${node.position.y + shift}`))) shift += PASTE_OFFSET;

    const taken = new Set(graph.nodes.map((node) => node.id));
    const renamed = new Map<string, string>();
    for (const node of incoming) {
      const id = freeId(taken, node.type);
      taken.add(id);
      renamed.set(node.id, id);
    }
    const pasted = incoming.map(
      (node): AppNode => ({
        ...withRenamedReferences(node, renamed),
        id: renamed.get(node.id) ?? node.id,
        position: { x: node.position.x + shift, y: node.position.y + shift },
        selected: true,
      }),
    );
    const edges: AppEdge[] = [];
    for (const edge of payload.edges) {
      const source = renamed.get(edge.source);
      const target = renamed.get(edge.target);
      if (!source || !target) continue;
      const connection = { source, target, sourceHandle: edge.sourceHandle ?? null, targetHandle: edge.targetHandle ?? null };
      edges.push({ id: edgeId(connection), ...connection });
    }
    return {
      nodes: [...graph.nodes.map((node) => (node.selected ? { ...node, selected: false } : node)), ...pasted],
      edges: [...graph.edges.map((edge) => (edge.selected ? { ...edge, selected: false } : edge)), ...edges],
    };
  },
};

/** `nodes.<id>` in a template (`{{nodes.agent_1.output}}`) or an expression (`len(nodes.review.output)`). */
const NODE_REFERENCE = /(^|[^\w.])nodes\.([\w-]+)(?![\w-])/g;

export function renameReferences(text: string, renamed: ReadonlyMap<string, string>): string {
  return text.replace(NODE_REFERENCE, (match, before: string, id: string) => {
    const next = renamed.get(id);
    return next === undefined ? match : `${before}nodes.${next}`;
  });
}

/**
 * Pasted nodes that read each other's output keep doing so under their new ids; references
 * to nodes left behind stay as they are (the validator flags them if those do not exist here).
 */
function withRenamedReferences<N extends GraphNode>(node: N, renamed: ReadonlyMap<string, string>): N {
  const data = { ...node.data };
  const fields: Record<string, unknown> = data;
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === "string") fields[key] = renameReferences(value, renamed);
  }
  return { ...node, data };
}

/** Copy + paste in one step, without touching the clipboard. */
export const duplicateSelection: Command<[]> = {
  name: "duplicateSelection",
  undo: "record",
  apply(graph) {
    const payload = copySelection(graph);
    return payload ? pasteNodes.apply(graph, payload) : graph;
  },
};

/** Computes every node's position from the graph (auto-layout.ts: dagre, left to right). */
export type LayoutFn = (graph: FlowGraph) => ReadonlyMap<string, Position>;

/**
 * Lays the whole graph out as one undo step; nodes that do not move keep their identity.
 * The layout algorithm is passed in so the editor can load it only when asked.
 */
export const autoLayout: Command<[layout: LayoutFn]> = {
  name: "autoLayout",
  undo: "record",
  apply(graph, layout) {
    const positions = layout(graph);
    let moved = false;
    const nodes = graph.nodes.map((node) => {
      const next = positions.get(node.id);
      if (!next || (next.x === node.position.x && next.y === node.position.y)) return node;
      moved = true;
      return { ...node, position: next };
    });
    return moved ? { nodes, edges: graph.edges } : graph;
  },
};

/**
 * Positions React Flow moved outside a drag (arrow keys nudge the selection): consecutive
 * nudges of the same nodes are one undo step, like typing into one field.
 */
export const moveNodes: Command<[positions: ReadonlyMap<string, Position>]> = {
  name: "moveNodes",
  undo: "coalesce",
  coalesceKey: (positions) => `move:${[...positions.keys()].sort().join(",")}`,
  apply(graph, positions) {
    let moved = false;
    const nodes = graph.nodes.map((node) => {
      const next = positions.get(node.id);
      if (!next || (next.x === node.position.x && next.y === node.position.y)) return node;
      moved = true;
      return { ...node, position: { x: next.x, y: next.y } };
    });
    return moved ? { nodes, edges: graph.edges } : graph;
  },
};

// ---------------------------------------------------------------------------------------
// History

export const HISTORY_LIMIT = 100;

export type History = {
  past: FlowGraph[];
  future: FlowGraph[];
  /** Key of the coalescing command that made the newest step, if any. */
  lastCoalesceKey: string | null;
};

export type EditorDoc = { graph: FlowGraph; history: History };

export function emptyHistory(): History {
  return { past: [], future: [], lastCoalesceKey: null };
}

function pushPast(history: History, snapshot: FlowGraph, coalesceKey: string | null): History {
  const past = [...history.past, snapshot];
  return { past: past.length > HISTORY_LIMIT ? past.slice(-HISTORY_LIMIT) : past, future: [], lastCoalesceKey: coalesceKey };
}

/** Applies a command and records it in the history as the command declares. A no-op leaves no step. */
export function execute<Args extends unknown[]>(doc: EditorDoc, command: Command<Args>, ...args: Args): EditorDoc {
  const graph = command.apply(doc.graph, ...args);
  if (graph === doc.graph) return doc;
  switch (command.undo) {
    case "skip":
      return { graph, history: doc.history };
    case "record":
      return { graph, history: pushPast(doc.history, doc.graph, null) };
    case "coalesce": {
      const key = command.coalesceKey ? command.coalesceKey(...args) : command.name;
      if (key === doc.history.lastCoalesceKey) return { graph, history: doc.history };
      return { graph, history: pushPast(doc.history, doc.graph, key) };
    }
  }
}

/**
 * Records the current graph as one undo step before a change React Flow applies itself
 * (a node drag: pushed on drag start so the whole drag undoes at once; a keyboard delete).
 */
export function checkpoint(doc: EditorDoc): EditorDoc {
  return { graph: doc.graph, history: pushPast(doc.history, doc.graph, null) };
}

export function undo(doc: EditorDoc): EditorDoc {
  const previous = doc.history.past.at(-1);
  if (!previous) return doc;
  return {
    graph: previous,
    history: { past: doc.history.past.slice(0, -1), future: [doc.graph, ...doc.history.future], lastCoalesceKey: null },
  };
}

export function redo(doc: EditorDoc): EditorDoc {
  const [next, ...future] = doc.history.future;
  if (!next) return doc;
  return { graph: next, history: { past: [...doc.history.past, doc.graph], future, lastCoalesceKey: null } };
}
