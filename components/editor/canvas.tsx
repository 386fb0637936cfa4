"use client";

import {
  Background,
  BackgroundVariant,
  Controls,
  MarkerType,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type DefaultEdgeOptions,
  type IsValidConnection,
} from "@xyflow/react";
import { useCallback, type DragEvent } from "react";
import { useShallow } from "zustand/react/shallow";
import type { NodeKind } from "@/server/engine/graph";
import { connectionProblem } from "./commands";
import { edgeTypes } from "./edges/flow-edge";
import { nodeTypes } from "./nodes/node-types";
import { findPaletteItem } from "./palette-items";
import { useEditorStore, useEditorStoreApi } from "./store/editor-store-provider";
import type { EditorState } from "./store/types";
import type { AppEdge, AppNode } from "./types";

/** MIME type of a palette drag, so drops of anything else (files, text) are ignored. */
export const PALETTE_MIME = "application/x-agentflow-node";

export const GRID = 16;
/** Approximate card size, to drop a node centred under the pointer. */
const NODE_HALF_WIDTH = 110;
const NODE_HALF_HEIGHT = 32;

const defaultEdgeOptions: DefaultEdgeOptions = {
  type: "flow",
  markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 },
};

const MINIMAP_COLOURS: Record<NodeKind, string> = {
  trigger: "#10b981",
  agent: "#6366f1",
  tool: "#0ea5e9",
  human: "#f59e0b",
  condition: "#8b5cf6",
  parallel: "#06b6d4",
  join: "#14b8a6",
  loop: "#d946ef",
  output: "#64748b",
};

const minimapNodeColor = (node: AppNode) => MINIMAP_COLOURS[node.type];

const selectCanvas = (s: EditorState) => ({
  nodes: s.nodes,
  edges: s.edges,
  readOnly: s.readOnly,
  onNodesChange: s.onNodesChange,
  onEdgesChange: s.onEdgesChange,
  onConnect: s.onConnect,
  onBeforeDelete: s.onBeforeDelete,
  onNodeDragStart: s.onNodeDragStart,
  addNode: s.addNode,
});

export function snapToGrid(position: { x: number; y: number }): { x: number; y: number } {
  return { x: Math.round(position.x / GRID) * GRID, y: Math.round(position.y / GRID) * GRID };
}

/** The only component that reads the whole node and edge lists. */
export function Canvas() {
  const { nodes, edges, readOnly, onNodesChange, onEdgesChange, onConnect, onBeforeDelete, onNodeDragStart, addNode } =
    useEditorStore(useShallow(selectCanvas));
  const store = useEditorStoreApi();
  const { screenToFlowPosition } = useReactFlow();

  const isValidConnection = useCallback<IsValidConnection<AppEdge>>(
    (connection) => {
      const { nodes: current, edges: currentEdges } = store.getState();
      return connectionProblem({ nodes: current, edges: currentEdges }, connection) === null;
    },
    [store],
  );

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(PALETTE_MIME)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const item = findPaletteItem(event.dataTransfer.getData(PALETTE_MIME));
      if (!item) return;
      event.preventDefault();
      const point = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      addNode(item.kind, snapToGrid({ x: point.x - NODE_HALF_WIDTH, y: point.y - NODE_HALF_HEIGHT }), item.data);
    },
    [addNode, screenToFlowPosition],
  );

  return (
    <ReactFlow<AppNode, AppEdge>
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      edgeTypes={edgeTypes}
      defaultEdgeOptions={defaultEdgeOptions}
      onNodesChange={onNodesChange}
      onEdgesChange={onEdgesChange}
      onConnect={onConnect}
      onBeforeDelete={onBeforeDelete}
      onNodeDragStart={onNodeDragStart}
      onSelectionDragStart={onNodeDragStart}
      isValidConnection={isValidConnection}
      onDragOver={readOnly ? undefined : onDragOver}
      onDrop={readOnly ? undefined : onDrop}
      nodesDraggable={!readOnly}
      nodesConnectable={!readOnly}
      deleteKeyCode={readOnly ? null : ["Delete", "Backspace"]}
      snapToGrid
      snapGrid={[GRID, GRID]}
      fitView
      fitViewOptions={{ padding: 0.25, maxZoom: 1 }}
      minZoom={0.2}
      className="bg-slate-50"
    >
      <Background variant={BackgroundVariant.Dots} gap={GRID} size={1.2} color="#cbd5e1" />
      <Controls showInteractive={false} position="bottom-left" />
      <MiniMap<AppNode> nodeColor={minimapNodeColor} nodeStrokeWidth={0} pannable zoomable position="top-right" />
    </ReactFlow>
  );
}
