"use client";

import { useQuery } from "@tanstack/react-query";
import { ReactFlowProvider } from "@xyflow/react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from "react";
import { describeEdgeDiff, describeNodeDiff, diffGraphs, isEmptyDiff, type GraphDiff, type NodeDiff } from "@/lib/graph-diff";
import { errorMessage, useTRPC, type RouterOutputs } from "@/components/trpc";
import { TabButton } from "@/components/ui/tab-button";
import { CopyField } from "../copy-field";
import { compareHref } from "../versions-panel";
import { DiffCanvas } from "./diff-canvas";

type Version = RouterOutputs["workflow"]["version"];

/** `/workflows/<id>/compare?from=<versionId>&to=<versionId>`: what changed from one version to another. */
export function VersionDiffView({ workflowId, fromVersionId, toVersionId }: { workflowId: string; fromVersionId: string | null; toVersionId: string | null }) {
  const trpc = useTRPC();
  const options = { staleTime: Infinity, refetchOnWindowFocus: false };
  const workflow = useQuery(trpc.workflow.get.queryOptions({ id: workflowId }, { refetchOnWindowFocus: false }));
  const from = useQuery({ ...trpc.workflow.version.queryOptions({ versionId: fromVersionId ?? "" }, options), enabled: fromVersionId !== null });
  const to = useQuery({ ...trpc.workflow.version.queryOptions({ versionId: toVersionId ?? "" }, options), enabled: toVersionId !== null });
  const diff = useMemo(() => (from.data && to.data ? diffGraphs(from.data.graph, to.data.graph) : null), [from.data, to.data]);

  const problem = workflow.isError
    ? errorMessage(workflow.error)
    : from.isError
      ? errorMessage(from.error)
      : to.isError
        ? errorMessage(to.error)
        : fromVersionId === null || toVersionId === null
          ? "Pick two versions to compare."
          : (from.data && from.data.workflowId !== workflowId) || (to.data && to.data.workflowId !== workflowId)
            ? "Both versions must belong to this workflow."
            : null;

  return (
    <div className="flex h-full min-h-0 flex-col" data-testid="version-diff">
      <div className="flex min-h-14 shrink-0 flex-wrap items-center gap-x-3 gap-y-2 border-b border-slate-200 bg-white px-4 py-2">
        <nav aria-label="Breadcrumb" className="flex min-w-0 flex-1 items-center gap-2 text-sm">
          <Link href="/workflows" className="shrink-0 text-slate-500 hover:text-slate-900">
            Workflows
          </Link>
          <span aria-hidden="true" className="text-slate-300">/</span>
          <Link href={`/workflows/${workflowId}`} className="truncate text-slate-500 hover:text-slate-900">
            {workflow.data?.name ?? "…"}
          </Link>
          <span aria-hidden="true" className="text-slate-300">/</span>
          <h1 className="shrink-0 font-semibold text-slate-900">
            Compare v{from.data?.version ?? "…"} → v{to.data?.version ?? "…"}
          </h1>
          <span className="shrink-0 rounded-full bg-slate-100 px-2 py-0.5 text-[11px] font-medium text-slate-600">Read-only</span>
        </nav>
        <VersionPickers workflowId={workflowId} fromVersionId={fromVersionId} toVersionId={toVersionId} />
        <Link href={`/workflows/${workflowId}`} className="inline-flex h-8 items-center rounded-md border border-slate-300 bg-white px-3 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50">
          Back to editor
        </Link>
      </div>
      {problem ? (
        <p role="alert" className="grid flex-1 place-items-center text-sm text-red-700">
          {problem}
        </p>
      ) : !diff || !from.data || !to.data ? (
        <p className="grid flex-1 place-items-center text-sm text-slate-500">Loading versions…</p>
      ) : (
        <LoadedDiff from={from.data} to={to.data} diff={diff} />
      )}
    </div>
  );
}

/** Any two versions of the workflow (snapshots included), older on the left by convention but either order works. */
function VersionPickers({ workflowId, fromVersionId, toVersionId }: { workflowId: string; fromVersionId: string | null; toVersionId: string | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const id = useId();
  const versions = useQuery(trpc.workflow.versions.queryOptions({ id: workflowId }));
  // The pair asked for last: two quick picks must not lose the first to a URL not yet updated.
  const requested = useRef({ from: fromVersionId, to: toVersionId });
  useEffect(() => {
    requested.current = { from: fromVersionId, to: toVersionId };
  }, [fromVersionId, toVersionId]);
  if (!versions.data) return null;
  const pick = (side: "from" | "to", versionId: string) => {
    requested.current = { ...requested.current, [side]: versionId };
    const { from, to } = requested.current;
    if (from && to) router.replace(compareHref(workflowId, from, to));
  };
  const select = (side: "from" | "to", value: string | null, label: string) => (
    <span className="flex items-center gap-1.5 text-xs text-slate-500">
      <label htmlFor={`${id}-${side}`}>{label}</label>
      <select
        id={`${id}-${side}`}
        value={value ?? ""}
        onChange={(event) => pick(side, event.target.value)}
        className="h-8 rounded-md border border-slate-300 bg-white px-2 text-sm text-slate-900 focus:border-accent-500 focus:ring-2 focus:ring-accent-500/20 focus:outline-none"
      >
        {value === null && <option value="">Pick…</option>}
        {versions.data.map((version) => (
          <option key={version.id} value={version.id}>
            v{version.version}
            {version.publishedAt ? " (published)" : " (run snapshot)"}
          </option>
        ))}
      </select>
    </span>
  );
  return (
    <div className="flex items-center gap-2">
      {select("from", fromVersionId, "From")}
      {select("to", toVersionId, "to")}
    </div>
  );
}

const NODE_TONE: Record<NodeDiff["status"], string> = {
  added: "border-l-emerald-500",
  removed: "border-l-red-500",
  changed: "border-l-amber-500",
  moved: "border-l-slate-300",
};

const SIGN: Record<NodeDiff["status"], string> = { added: "+", removed: "−", changed: "~", moved: "↔" };

function LoadedDiff({ from, to, diff }: { from: Version; to: Version; diff: GraphDiff }) {
  const [tab, setTab] = useState<"canvas" | "json">("canvas");
  const json = useMemo(() => JSON.stringify(diffDocument(from, to, diff), null, 2), [from, to, diff]);
  const { summary } = diff;
  const counts = (entries: [number, string][]) => entries.filter(([count]) => count > 0).map(([count, word]) => `${count} ${word}`).join(", ");
  const nodeCounts = counts([
    [summary.addedNodes, "added"],
    [summary.removedNodes, "removed"],
    [summary.changedNodes, "changed"],
    [summary.movedNodes, "moved"],
  ]);
  const edgeCounts = counts([
    [summary.addedEdges, "added"],
    [summary.removedEdges, "removed"],
  ]);
  const parts = [nodeCounts && `Nodes: ${nodeCounts}`, edgeCounts && `Connections: ${edgeCounts}`].filter((part) => part !== "");

  return (
    <>
      <div className="flex shrink-0 items-center gap-4 border-b border-slate-200 bg-white px-4">
        <div role="tablist" aria-label="Diff view" className="flex gap-0.5">
          <TabButton active={tab === "canvas"} onClick={() => setTab("canvas")}>
            Canvas
          </TabButton>
          <TabButton active={tab === "json"} onClick={() => setTab("json")}>
            JSON
          </TabButton>
        </div>
        <p className="min-w-0 flex-1 truncate text-xs text-slate-600" data-testid="diff-summary">
          {isEmptyDiff(diff) ? "No differences: the two versions are the same graph." : parts.join(" · ")}
        </p>
        <Legend />
      </div>
      <div className="flex min-h-0 flex-1">
        {tab === "canvas" ? (
          <main className="relative min-w-0 flex-1" aria-label="Diff canvas">
            <ReactFlowProvider>
              <DiffCanvas before={from.graph} after={to.graph} diff={diff} />
            </ReactFlowProvider>
          </main>
        ) : (
          <main className="min-w-0 flex-1 overflow-auto bg-slate-50 p-4" aria-label="Diff as JSON">
            <div className="mb-2 flex justify-end">
              <div className="w-72">
                <CopyField value={json} label="Copy the diff as JSON" testId="diff-json-copy" />
              </div>
            </div>
            <pre data-testid="diff-json" className="rounded-md border border-slate-200 bg-white p-3 font-mono text-xs leading-relaxed text-slate-800">
              {json}
            </pre>
          </main>
        )}
        <aside className="flex w-64 shrink-0 flex-col border-l border-slate-200 bg-white xl:w-80" aria-label="Changes">
          <h2 className="border-b border-slate-200 px-4 py-2.5 text-xs font-semibold tracking-wide text-slate-500 uppercase">Changes</h2>
          <div className="min-h-0 flex-1 overflow-y-auto">
            {isEmptyDiff(diff) ? (
              <p className="p-4 text-sm text-slate-500">Nothing changed between v{from.version} and v{to.version}.</p>
            ) : (
              <ul className="divide-y divide-slate-100 text-sm" data-testid="diff-changes">
                {diff.nodes.map((node) => (
                  <li key={node.id} data-status={node.status} data-node-id={node.id} className={`border-l-4 px-3 py-2 text-slate-800 ${NODE_TONE[node.status]}`}>
                    <span aria-hidden="true" className="mr-1 font-mono text-slate-500">
                      {SIGN[node.status]}
                    </span>
                    {describeNodeDiff(node)}
                  </li>
                ))}
                {diff.edges.map((edge) => (
                  <li key={`${edge.status}:${edge.key}`} data-status={edge.status} className={`border-l-4 px-3 py-2 text-slate-700 ${NODE_TONE[edge.status]}`}>
                    <span aria-hidden="true" className="mr-1 font-mono text-slate-500">
                      {SIGN[edge.status]}
                    </span>
                    {describeEdgeDiff(edge, from.graph, to.graph)}
                  </li>
                ))}
              </ul>
            )}
          </div>
        </aside>
      </div>
    </>
  );
}

function Legend() {
  const item = (swatch: string, text: ReactNode) => (
    <span className="flex items-center gap-1">
      <span aria-hidden="true" className={`inline-block size-2.5 rounded-sm border-2 ${swatch}`} />
      {text}
    </span>
  );
  return (
    <div className="hidden items-center gap-3 text-[11px] text-slate-600 lg:flex" aria-label="Legend">
      {item("border-emerald-500 bg-emerald-50", "added")}
      {item("border-dashed border-red-400 bg-red-50", "removed")}
      {item("border-amber-500 bg-amber-50", "changed")}
    </div>
  );
}

/** The JSON view: which versions, the counts, and each difference (added and removed nodes in full). */
function diffDocument(from: Version, to: Version, diff: GraphDiff) {
  return {
    from: { versionId: from.id, version: from.version },
    to: { versionId: to.id, version: to.version },
    summary: diff.summary,
    nodes: diff.nodes,
    edges: diff.edges.map((edge) => ({ status: edge.status, source: edge.source, sourceHandle: edge.sourceHandle, target: edge.target, targetHandle: edge.targetHandle })),
  };
}
