import { applyEdgeChanges, applyNodeChanges, type EdgeChange, type NodeChange } from "@xyflow/react";
import {
  addNode,
  autoLayout,
  checkpoint,
  connect,
  copySelection,
  deleteElements,
  execute,
  moveNodes,
  pasteNodes,
  updateNodeData,
  type Position,
} from "../commands";
import { withFreshLabels } from "../clipboard";
import type { AppEdge, AppNode } from "../types";
import { commitDoc, docOf, type CommitKind } from "./doc";
import type { GraphSlice, SliceCreator } from "./types";

export type GraphInit = Pick<GraphSlice, "workflowId" | "name" | "nodes" | "edges" | "revision" | "readOnly">;

/** React Flow reports view-only changes (measuring, selecting) through the same callback as edits; only edits dirty the draft. */
function nodeChangeKind(changes: readonly NodeChange<AppNode>[]): CommitKind {
  if (changes.some((change) => change.type === "add" || change.type === "remove" || change.type === "replace")) return "structural";
  if (changes.some((change) => change.type === "position")) return "layout";
  return "view";
}

function edgeChangeKind(changes: readonly EdgeChange<AppEdge>[]): CommitKind {
  return changes.some((change) => change.type !== "select") ? "structural" : "view";
}

export function createGraphSlice(init: GraphInit): SliceCreator<GraphSlice> {
  return (set, get) => ({
    ...init,
    editCount: 0,
    savedEditCount: 0,
    save: { status: "idle" },
    problems: [],
    problemCounts: {},

    onNodesChange(changes) {
      const state = get();
      const kind = nodeChangeKind(changes);
      if (state.readOnly && kind !== "view") return;
      if (kind === "layout" && !state.dragActive) {
        // Arrow keys move the selection without a drag: record it like any other edit.
        const positions = new Map<string, Position>();
        for (const change of changes) if (change.type === "position" && change.position) positions.set(change.id, change.position);
        const moved = execute(docOf(state), moveNodes, positions);
        const rest = changes.filter((change) => change.type !== "position");
        const nodes = rest.length > 0 ? applyNodeChanges(rest, moved.graph.nodes) : moved.graph.nodes;
        set(commitDoc(state, { ...moved, graph: { ...moved.graph, nodes } }, "layout"));
        return;
      }
      const nodes = applyNodeChanges(changes, state.nodes);
      const doc = docOf(state);
      if (kind === "view" && !changes.some((change) => change.type === "select")) {
        // Measurements only: skip recomputing the selection.
        set({ nodes });
        return;
      }
      set(commitDoc(state, { ...doc, graph: { ...doc.graph, nodes } }, kind));
    },

    onEdgesChange(changes) {
      const state = get();
      const kind = edgeChangeKind(changes);
      if (state.readOnly && kind !== "view") return;
      const edges = applyEdgeChanges(changes, state.edges);
      const doc = docOf(state);
      set(commitDoc(state, { ...doc, graph: { ...doc.graph, edges } }, kind));
    },

    onConnect(connection) {
      const state = get();
      if (state.readOnly) return;
      const doc = docOf(state);
      const next = execute(doc, connect, connection);
      if (next !== doc) set(commitDoc(state, next, "structural"));
    },

    // React Flow would delete nodes and their edges in two change batches; running our own
    // command instead makes the deletion one undo step, and returning false stops React Flow's copy.
    async onBeforeDelete({ nodes, edges }) {
      const state = get();
      if (state.readOnly) return false;
      const doc = docOf(state);
      const next = execute(doc, deleteElements, { nodeIds: nodes.map((node) => node.id), edgeIds: edges.map((edge) => edge.id) });
      if (next !== doc) set(commitDoc(state, next, "structural"));
      return false;
    },

    dragActive: false,
    onNodeDragStart() {
      const state = get();
      if (state.readOnly) return;
      set({ ...commitDoc(state, checkpoint(docOf(state)), "view"), dragActive: true });
    },

    // React Flow reports the drop position before this callback, so the whole drag stays one step.
    onNodeDragStop() {
      if (get().dragActive) set({ dragActive: false });
    },

    snapToGrid: true,
    setSnapToGrid(snapToGrid) {
      set({ snapToGrid });
    },

    // Copies get their own names ("Agent 2"), so problems and run views can tell them apart.
    paste(payload) {
      const state = get();
      if (state.readOnly) return 0;
      const doc = docOf(state);
      const next = execute(doc, pasteNodes, withFreshLabels(payload, state.nodes.map((node) => node.data.label)));
      if (next === doc) return 0;
      set(commitDoc(state, next, "structural"));
      return next.graph.nodes.length - doc.graph.nodes.length;
    },

    duplicateSelection() {
      const state = get();
      if (state.readOnly) return;
      const doc = docOf(state);
      const payload = copySelection(doc.graph);
      if (!payload) return;
      const next = execute(doc, pasteNodes, withFreshLabels(payload, state.nodes.map((node) => node.data.label)));
      if (next !== doc) set(commitDoc(state, next, "structural"));
    },

    async autoLayout() {
      if (get().readOnly) return;
      // dagre is loaded on first use: most editor sessions never lay out.
      const { layeredPositions } = await import("../auto-layout");
      const state = get();
      const doc = docOf(state);
      const next = execute(doc, autoLayout, layeredPositions);
      if (next !== doc) set(commitDoc(state, next, "layout"));
    },

    addNode(kind, position, data) {
      const state = get();
      if (state.readOnly) return "";
      const next = execute(docOf(state), addNode, kind, position, { data });
      set(commitDoc(state, next, "structural"));
      return next.graph.nodes.at(-1)?.id ?? "";
    },

    updateNodeData(nodeId, patch) {
      const state = get();
      if (state.readOnly) return;
      const doc = docOf(state);
      const next = execute(doc, updateNodeData, nodeId, patch);
      if (next !== doc) set(commitDoc(state, next, "structural"));
    },

    setName(name) {
      if (get().readOnly) return;
      set((state) => ({ name, editCount: state.editCount + 1 }));
    },

    markSaving() {
      set({ save: { status: "saving" } });
    },

    markSaved(revision, savedEditCount) {
      set({ revision, savedEditCount, save: { status: "idle" } });
    },

    markSaveFailed(message, conflict) {
      set({ save: { status: "error", message, conflict } });
    },

    rebase(revision) {
      set({ revision, save: { status: "idle" } });
    },
  });
}
