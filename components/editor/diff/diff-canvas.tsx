"use client";

import { Background, BackgroundVariant, Controls, Handle, MarkerType, Position, ReactFlow, useReactFlow, type Edge, type Node, type NodeProps } from "@xyflow/react";
import { memo, useEffect, useMemo, useRef } from "react";
import { SOURCE_HANDLES, sourceHandlesOf, type Graph, type GraphNode, type NodeKind } from "@/server/engine/graph";
import { describeFieldChange, edgeKey, type GraphDiff, type NodeDiffStatus } from "@/lib/graph-diff";
import { kindTitle } from "@/server/engine/node-name";

/**
 * Both versions on one read-only canvas: the newer graph where it is, plus what the older one
 * had and the newer lost, ghosted where it was. Added is green, removed red (dashed, faded),
 * changed amber; each also says so in words and a sign (+ − ~), so colour is never the only cue.
 */

type DiffNodeData = { kind: string; label: string; status: NodeDiffStatus; changes: string[]; handles: readonly (string | null)[] };
type DiffNode = Node<DiffNodeData, "diff">;

const STATUS_STYLE: Record<NodeDiffStatus, { card: string; badge: string; sign: string; word: string }> = {
  added: { card: "border-emerald-500 bg-emerald-50 ring-2 ring-emerald-500/30", badge: "bg-emerald-600 text-white", sign: "+", word: "Added" },
  removed: { card: "border-dashed border-red-400 bg-red-50/60 opacity-60", badge: "bg-red-600 text-white", sign: "−", word: "Removed" },
  changed: { card: "border-amber-500 bg-amber-50 ring-2 ring-amber-500/30", badge: "bg-amber-500 text-slate-950", sign: "~", word: "Changed" },
  moved: { card: "border-slate-300 bg-white", badge: "bg-slate-200 text-slate-700", sign: "↔", word: "Moved" },
  unchanged: { card: "border-slate-200 bg-white", badge: "", sign: "", word: "" },
};

function handleTop(index: number, count: number): string {
  return `${((index + 1) / (count + 1)) * 100}%`;
}

const DiffCard = memo(function DiffCard({ data }: NodeProps<DiffNode>) {
  const style = STATUS_STYLE[data.status];
  return (
    <div data-status={data.status} data-testid="diff-node" className={`w-[220px] rounded-lg border-2 px-3 py-2 shadow-sm ${style.card}`}>
      <Handle type="target" position={Position.Left} isConnectable={false} className="!size-2 !border-slate-400 !bg-white" />
      <div className="flex items-center gap-2">
        <span className="min-w-0 flex-1">
          <span className="block text-[10px] font-semibold tracking-wide text-slate-500 uppercase">{kindTitle(data.kind)}</span>
          <span className={`block truncate text-sm font-semibold text-slate-900 ${data.status === "removed" ? "line-through" : ""}`}>{data.label}</span>
        </span>
        {style.word && (
          <span className={`shrink-0 rounded-full px-1.5 py-px text-[10px] font-semibold ${style.badge}`}>
            <span aria-hidden="true">{style.sign} </span>
            {style.word}
          </span>
        )}
      </div>
      {data.changes.length > 0 && (
        <ul className="mt-1.5 space-y-0.5 border-t border-amber-200 pt-1.5 text-[11px] text-slate-700">
          {data.changes.map((change) => (
            <li key={change} className="truncate" title={change}>
              {change}
            </li>
          ))}
        </ul>
      )}
      {data.handles.map((handle, index) =>
        handle === null ? (
          <Handle key="out" type="source" position={Position.Right} isConnectable={false} className="!size-2 !border-slate-400 !bg-white" style={{ top: handleTop(index, data.handles.length) }} />
        ) : (
          <Handle key={handle} id={handle} type="source" position={Position.Right} isConnectable={false} className="!size-2 !border-slate-400 !bg-white" style={{ top: handleTop(index, data.handles.length) }} />
        ),
      )}
    </div>
  );
});

const nodeTypes = { diff: DiffCard };

/** A node's outputs (a router's branches, a step's "compensate"); a kind this build does not know gets one. */
function handlesOf(node: GraphNode): readonly (string | null)[] {
  return SOURCE_HANDLES[node.type as NodeKind] === undefined ? [null] : sourceHandlesOf(node);
}

function toDiffNode(node: GraphNode, status: NodeDiffStatus, changes: string[]): DiffNode {
  const label = (node.data as { label?: string }).label || kindTitle(node.type);
  return {
    id: node.id,
    type: "diff",
    position: node.position,
    data: { kind: node.type, label, status, changes, handles: handlesOf(node) },
    draggable: false,
    connectable: false,
  };
}

const EDGE_COLOURS = { added: "var(--color-emerald-600)", removed: "var(--color-red-500)", unchanged: "var(--color-slate-400)" } as const;

/** The combined graph React Flow draws: every node and edge of either version, with its status. */
export function diffFlow(before: Graph, after: Graph, diff: GraphDiff): { nodes: DiffNode[]; edges: Edge[] } {
  const byId = new Map(diff.nodes.map((node) => [node.id, node]));
  const nodes: DiffNode[] = after.nodes.map((node) => {
    const nodeDiff = byId.get(node.id);
    if (!nodeDiff) return toDiffNode(node, "unchanged", []);
    return toDiffNode(node, nodeDiff.status, nodeDiff.status === "changed" ? nodeDiff.changes.map(describeFieldChange) : []);
  });
  for (const nodeDiff of diff.nodes) {
    if (nodeDiff.status === "removed") nodes.push(toDiffNode(nodeDiff.node, "removed", []));
  }
  const removedEdges = new Set(diff.edges.filter((edge) => edge.status === "removed").map((edge) => edge.key));
  const addedEdges = new Set(diff.edges.filter((edge) => edge.status === "added").map((edge) => edge.key));
  const edge = (source: Graph["edges"][number], status: keyof typeof EDGE_COLOURS): Edge => ({
    id: `${status}:${edgeKey(source)}`,
    source: source.source,
    target: source.target,
    sourceHandle: source.sourceHandle ?? null,
    targetHandle: source.targetHandle ?? null,
    label: source.sourceHandle ?? undefined,
    className: `diff-edge-${status}`,
    data: { status },
    style: { stroke: EDGE_COLOURS[status], strokeWidth: status === "unchanged" ? 1.5 : 2.5, ...(status === "removed" ? { strokeDasharray: "6 4", opacity: 0.7 } : {}) },
    markerEnd: { type: MarkerType.ArrowClosed, color: EDGE_COLOURS[status] },
    selectable: false,
  });
  const edges = [
    ...after.edges.map((candidate) => edge(candidate, addedEdges.has(edgeKey(candidate)) ? "added" : "unchanged")),
    ...before.edges.filter((candidate) => removedEdges.has(edgeKey(candidate))).map((candidate) => edge(candidate, "removed")),
  ];
  return { nodes, edges };
}

const FIT_VIEW_OPTIONS = { padding: 0.2, maxZoom: 1, minZoom: 0.45 };

export function DiffCanvas({ before, after, diff }: { before: Graph; after: Graph; diff: GraphDiff }) {
  const flow = useMemo(() => diffFlow(before, after, diff), [before, after, diff]);
  const { fitView } = useReactFlow();
  const wrapper = useRef<HTMLDivElement>(null);
  // Nothing is edited here, so the whole diff stays in view when the window (or the pair compared) changes.
  useEffect(() => {
    const element = wrapper.current;
    if (!element) return;
    const observer = new ResizeObserver(() => void fitView(FIT_VIEW_OPTIONS));
    observer.observe(element);
    return () => observer.disconnect();
  }, [fitView, flow]);
  return (
    <div ref={wrapper} className="absolute inset-0">
      <ReactFlow
        nodes={flow.nodes}
        edges={flow.edges}
        nodeTypes={nodeTypes}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        deleteKeyCode={null}
        fitView
        fitViewOptions={FIT_VIEW_OPTIONS}
        minZoom={0.1}
        className="bg-slate-50"
        aria-label="Differences on the canvas"
      >
        <Background variant={BackgroundVariant.Dots} gap={16} size={1.2} color="var(--color-slate-300)" />
        <Controls showInteractive={false} position="bottom-left" />
      </ReactFlow>
    </div>
  );
}
