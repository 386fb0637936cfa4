"use client";

// The floor for `scripts/bench-editor.ts`: the same workflow graph in a bare <ReactFlow> —
// default node type, uncontrolled (React Flow's own internal state), no editor store, no
// custom nodes — laid out with the editor's canvas size, so the editor's cost is measured
// against what React Flow alone costs on this machine.
import { useQuery } from "@tanstack/react-query";
import { ReactFlow, type Edge, type Node } from "@xyflow/react";
import { useSearchParams } from "next/navigation";
import { Suspense, useMemo } from "react";
import { errorMessage, useTRPC } from "@/components/trpc";

export default function BareFlowPage() {
  return (
    <Suspense fallback={null}>
      <BareFlow />
    </Suspense>
  );
}

function BareFlow() {
  const id = useSearchParams()?.get("id") ?? "";
  const trpc = useTRPC();
  const workflow = useQuery(trpc.workflow.get.queryOptions({ id }, { enabled: id !== "", refetchOnWindowFocus: false, staleTime: Infinity }));
  const flow = useMemo(() => {
    if (!workflow.data) return null;
    const nodes: Node[] = workflow.data.graph.nodes.map((node) => ({ id: node.id, position: node.position, data: { label: node.data.label } }));
    const edges: Edge[] = workflow.data.graph.edges.map((edge) => ({
      id: edge.id,
      source: edge.source,
      target: edge.target,
      sourceHandle: null,
      targetHandle: null,
    }));
    return { nodes, edges };
  }, [workflow.data]);

  if (id === "") return <p className="p-6 text-sm text-slate-500">Pass ?id=&lt;workflow id&gt;.</p>;
  if (workflow.isError) return <p className="p-6 text-sm text-red-700">{errorMessage(workflow.error)}</p>;
  if (!flow) return <p className="p-6 text-sm text-slate-500">Loading…</p>;

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      {/* Same chrome sizes as the editor (header, palette, side panel) so both canvases are the same size. */}
      <div className="h-14 shrink-0 border-b border-slate-200 bg-white" />
      <div className="flex min-h-0 flex-1">
        <div className="w-60 shrink-0 border-r border-slate-200" />
        <main className="relative min-w-0 flex-1">
          <ReactFlow defaultNodes={flow.nodes} defaultEdges={flow.edges} fitView fitViewOptions={{ padding: 0.25, maxZoom: 1 }} minZoom={0.2} />
        </main>
        <div className="w-80 shrink-0 border-l border-slate-200" />
      </div>
    </div>
  );
}
