"use client";

import {
  Background,
  BackgroundVariant,
  ControlButton,
  Controls,
  MarkerType,
  MiniMap,
  ReactFlow,
  useReactFlow,
  useStore as useFlowStore,
  useStoreApi as useFlowStoreApi,
  type DefaultEdgeOptions,
  type IsValidConnection,
  type Viewport,
} from "@xyflow/react";
import { useCallback, useLayoutEffect, useMemo, useRef, useState, type DragEvent } from "react";
import { useShallow } from "zustand/react/shallow";
import type { NodeKind } from "@/server/engine/graph";
import { FitViewIcon, GridIcon, LayoutIcon } from "@/components/ui/icons";
import { cardBox } from "./node-size";
import { withEstimatedHandles } from "./estimated-handles";
import { useFitView } from "./fit-view";
import { connectionProblem } from "./commands";
import { edgeTypes } from "./edges/flow-edge";
import { nodeTypes } from "./nodes/node-types";
import { findPaletteItem } from "./palette-items";
import { useEditorStore, useEditorStoreApi } from "./store/editor-store-provider";
import type { EditorState } from "./store/types";
import type { AppEdge, AppNode } from "./types";
import { RevealWaitingNode } from "./reveal-waiting-node";
import { setPanelOpen } from "./side-panel";
import { openingViewport, selectZoomedOut, type Box } from "./zoom-level";

/** MIME type of a palette drag, so drops of anything else (files, text) are ignored. */
export const PALETTE_MIME = "application/x-agentflow-node";

export const GRID = 16;
const SNAP_GRID: [number, number] = [GRID, GRID];
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
  router: "#f97316",
  for_each: "#65a30d",
  subworkflow: "#2563eb",
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
  onNodeDragStop: s.onNodeDragStop,
  addNode: s.addNode,
  snap: s.snapToGrid,
});

/** Shift-click adds to the selection like Ctrl/Cmd-click; Shift-drag on the pane draws a selection box. */
const MULTI_SELECT_KEYS = ["Shift", "Meta", "Control"];
/** Double-clicking a card brings back a folded side panel: selecting alone leaves the user's layout as it is. */
const openInspector = () => setPanelOpen("inspector", true);
const DELETE_KEYS = ["Delete", "Backspace"];
const MIN_ZOOM = 0.2;
/** The Fit view button: an overview of the whole graph, as far out as it takes. */
const FIT_VIEW_OPTIONS = { padding: 0.25, maxZoom: 1, minZoom: MIN_ZOOM };

/**
 * Where the graph opens (see openingViewport: readable, the start in view), computed before
 * React Flow has measured the cards, so even a large graph renders once, at its final viewport.
 */
function initialViewport(nodes: readonly AppNode[], width: number, height: number): Viewport {
  if (nodes.length === 0) return { x: 0, y: 0, zoom: 1 };
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  let start: Box | null = null;
  for (const node of nodes) {
    const box = cardBox(node);
    minX = Math.min(minX, box.x);
    minY = Math.min(minY, box.y);
    maxX = Math.max(maxX, box.x + box.width);
    maxY = Math.max(maxY, box.y + box.height);
    if (node.type === "trigger" && start === null) start = box;
  }
  return openingViewport({ x: minX, y: minY, width: maxX - minX, height: maxY - minY }, start, width, height);
}

/** Background dots 16 px apart; hidden when zoomed out, where they would be a grey haze costly to repaint. */
function CanvasBackground() {
  const zoomedOut = useFlowStore(selectZoomedOut);
  return zoomedOut ? null : <Background variant={BackgroundVariant.Dots} gap={GRID} size={1.2} color="var(--color-slate-300)" />;
}

/** Measures the canvas area first so React Flow can start at the fitted viewport (see initialViewport). */
export function Canvas() {
  const box = useRef<HTMLDivElement>(null);
  const store = useEditorStoreApi();
  const [viewport, setViewport] = useState<Viewport | null>(null);
  useLayoutEffect(() => {
    const element = box.current;
    if (element) setViewport(initialViewport(store.getState().nodes, element.clientWidth, element.clientHeight));
  }, [store]);
  return (
    <div ref={box} className="absolute inset-0">
      {viewport && <FlowCanvas defaultViewport={viewport} />}
    </div>
  );
}

export function snapToGrid(position: { x: number; y: number }): { x: number; y: number } {
  return { x: Math.round(position.x / GRID) * GRID, y: Math.round(position.y / GRID) * GRID };
}

/** The only component that reads the whole node and edge lists. */
function FlowCanvas({ defaultViewport }: { defaultViewport: Viewport }) {
  const { nodes, edges, readOnly, onNodesChange, onEdgesChange, onConnect, onBeforeDelete, onNodeDragStart, onNodeDragStop, addNode, snap } =
    useEditorStore(useShallow(selectCanvas));
  const store = useEditorStoreApi();
  const { screenToFlowPosition, setViewport, getNodes } = useReactFlow<AppNode, AppEdge>();
  const flow = useFlowStoreApi();
  const fitView = useFitView();
  // Only the cards in view are built at open: the others declare estimated handles (see estimated-handles.ts).
  const flowNodes = useMemo(() => withEstimatedHandles(nodes, (id) => flow.getState().nodeLookup.get(id)?.measured.width !== undefined), [nodes, flow]);

  const layout = useCallback(async () => {
    await store.getState().autoLayout();
    // Wait a frame so React Flow has the new positions before framing them, as a graph opens.
    requestAnimationFrame(() => {
      const { width, height } = flow.getState();
      void setViewport(initialViewport(getNodes(), width, height), { duration: 300 });
    });
  }, [store, flow, setViewport, getNodes]);

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
      nodes={flowNodes}
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
      onNodeDragStop={onNodeDragStop}
      onSelectionDragStop={onNodeDragStop}
      onNodeDoubleClick={openInspector}
      isValidConnection={isValidConnection}
      onDragOver={readOnly ? undefined : onDragOver}
      onDrop={readOnly ? undefined : onDrop}
      nodesDraggable={!readOnly}
      nodesConnectable={!readOnly}
      deleteKeyCode={readOnly ? null : DELETE_KEYS}
      multiSelectionKeyCode={MULTI_SELECT_KEYS}
      snapToGrid={snap}
      snapGrid={SNAP_GRID}
      defaultViewport={defaultViewport}
      // Only nodes and edges in view are in the DOM, so opening, panning and dragging a large
      // workflow cost what is on screen, not the whole graph.
      onlyRenderVisibleElements
      minZoom={MIN_ZOOM}
      className="bg-slate-50"
    >
      <CanvasBackground />
      <RevealWaitingNode />
      {/* Our own Fit view button (in React Flow's place and look): React Flow's waits for every card to be measured (see fit-view.ts). */}
      <Controls showInteractive={false} showFitView={false} position="bottom-left">
        <ControlButton onClick={() => void fitView(FIT_VIEW_OPTIONS)} className="react-flow__controls-fitview" title="Fit View" aria-label="Fit View">
          <FitViewIcon />
        </ControlButton>
        {!readOnly && (
          <>
            <ControlButton onClick={() => void layout()} title="Auto-layout" aria-label="Auto-layout">
              <LayoutIcon />
            </ControlButton>
            <ControlButton
              onClick={() => store.getState().setSnapToGrid(!snap)}
              title={snap ? "Snap to grid: on" : "Snap to grid: off"}
              aria-label="Snap to grid"
              aria-pressed={snap}
              className={snap ? "snap-on" : undefined}
            >
              <GridIcon />
            </ControlButton>
          </>
        )}
      </Controls>
      <MiniMap<AppNode> nodeColor={minimapNodeColor} nodeStrokeWidth={0} pannable zoomable position="top-right" />
    </ReactFlow>
  );
}
