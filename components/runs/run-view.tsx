"use client";

import { useQuery } from "@tanstack/react-query";
import { ReactFlowProvider } from "@xyflow/react";
import Link from "next/link";
import { useState, type ReactNode } from "react";
import { isTerminalStatus } from "@/server/engine/events";
import { replay } from "@/server/engine/state";
import { step } from "@/server/engine/step";
import { Canvas } from "@/components/editor/canvas";
import { graphToFlow } from "@/components/editor/graph-convert";
import { EditorStoreProvider, useEditorStore } from "@/components/editor/store/editor-store-provider";
import { selectRun, selectSelectedNodeId } from "@/components/editor/store/selectors";
import { errorMessage, useTRPC, useTRPCClient, type RouterOutputs } from "@/components/trpc";
import { formatCost, formatDateTime, formatDuration, formatTokens } from "@/components/ui/format";
import { StatusBadge } from "@/components/ui/status-badge";
import { useNow } from "@/components/ui/use-now";
import { NodeRunDetails } from "./node-run-details";
import { RunControls } from "./run-controls";
import { RunEventsList } from "./run-events-list";
import { RunResult } from "./run-result";
import { useRunStream } from "./use-run-stream";
import { TabButton } from "@/components/ui/tab-button";

type RunDetail = RouterOutputs["run"]["get"];

/** A run on its pinned graph, read-only, with live statuses from the same event stream as the editor. */
export function RunView({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  // Loaded once: from then on the event stream keeps the view current.
  const run = useQuery(trpc.run.get.queryOptions({ runId }, { refetchOnWindowFocus: false, staleTime: Infinity }));

  if (run.isPending) return <Centered>Loading run…</Centered>;
  if (run.isError) {
    return (
      <Centered>
        <p className="text-red-700">{errorMessage(run.error)}</p>
        <Link href="/runs" className="mt-2 inline-block text-accent-700 hover:underline">
          Back to runs
        </Link>
      </Centered>
    );
  }

  const data = run.data;
  return (
    <ReactFlowProvider key={runId}>
      <EditorStoreProvider
        init={() => ({
          workflowId: data.workflowId,
          name: data.workflowName,
          ...graphToFlow(data.graph),
          revision: 0,
          readOnly: true,
          services: { respondToHuman: (input) => client.human.respond.mutate(input) },
          // The state is rebuilt from the loaded events (a run's state is by definition their
          // fold), so the events list and the canvas always agree.
          run: { runId, state: replay(data.events, step), events: data.events },
        })}
      >
        <RunLayout detail={data} />
      </EditorStoreProvider>
    </ReactFlowProvider>
  );
}

function RunLayout({ detail }: { detail: RunDetail }) {
  const run = useEditorStore(selectRun);
  const state = run.state;
  const live = state !== null && !isTerminalStatus(state.status);
  const stream = useRunStream(run.runId, live);
  const now = useNow(live && Boolean(state.startedAt));
  const [tab, setTab] = useState<"events" | "node">("events");
  const selectedNodeId = useEditorStore(selectSelectedNodeId);
  const [lastSelected, setLastSelected] = useState(selectedNodeId);
  // Selecting a node (on the canvas or in the events list) asks for its details.
  if (selectedNodeId !== lastSelected) {
    setLastSelected(selectedNodeId);
    if (selectedNodeId !== null) setTab("node");
  }

  if (!state) return <Centered>Loading run…</Centered>;
  const started = state.startedAt ? Date.parse(state.startedAt) : null;
  const ended = state.finishedAt ? Date.parse(state.finishedAt) : null;
  const tokens = state.usage.promptTokens + state.usage.completionTokens;

  return (
    <div className="flex h-full min-h-0 flex-col">
      <div className="flex shrink-0 flex-wrap items-center gap-x-5 gap-y-2 border-b border-slate-200 bg-white px-4 py-3">
        <nav aria-label="Breadcrumb" className="flex min-w-0 items-center gap-2 text-sm">
          <Link href="/runs" className="text-slate-500 hover:text-slate-900">
            Runs
          </Link>
          <span aria-hidden="true" className="text-slate-300">
            /
          </span>
          <h1 className="truncate font-semibold text-slate-900">{detail.workflowName}</h1>
          <span className="font-mono text-xs text-slate-400">{detail.id}</span>
        </nav>
        <StatusBadge status={state.status} testId="run-status" />
        <dl className="flex flex-wrap items-center gap-x-4 text-xs text-slate-500">
          <Stat label="Started" value={formatDateTime(state.startedAt ?? detail.createdAt)} />
          {detail.startedBy && <Stat label="Started by" value={detail.startedBy} testId="run-started-by" />}
          <Stat label="Duration" value={formatDuration(started === null ? null : Math.max(0, (ended ?? now) - started))} />
          <Stat label="Tokens" value={formatTokens(tokens)} />
          <Stat label="Cost" value={formatCost(state.usage.costUsd)} />
        </dl>
        {stream === "reconnecting" && <span className="text-xs text-amber-600">Reconnecting…</span>}
        {/* One group, so a narrow window wraps the actions together to the right. */}
        <div className="ml-auto flex items-center gap-3">
          <RunControls runId={detail.id} status={state.status} />
          <Link
            href={`/workflows/${detail.workflowId}`}
            className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 shadow-xs hover:bg-slate-50"
          >
            Open workflow
          </Link>
        </div>
      </div>

      <div className="flex min-h-0 flex-1">
        <main className="relative min-w-0 flex-1" aria-label="Run graph">
          <Canvas />
        </main>
        <aside className="flex w-[26rem] shrink-0 flex-col border-l border-slate-200 bg-white">
          {isTerminalStatus(state.status) && (
            <section className="max-h-[45%] shrink-0 space-y-2 overflow-y-auto border-b border-slate-200 p-4">
              <h2 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Result</h2>
              <RunResult status={state.status} output={state.output} error={state.error} />
            </section>
          )}
          <div role="tablist" aria-label="Run details" className="flex shrink-0 gap-1 border-b border-slate-200 px-2">
            <TabButton active={tab === "events"} onClick={() => setTab("events")}>
              Events ({run.events.length})
            </TabButton>
            <TabButton active={tab === "node"} onClick={() => setTab("node")}>
              Node
            </TabButton>
          </div>
          <div className="min-h-0 flex-1 overflow-y-auto" role="tabpanel">
            {tab === "events" ? <RunEventsList /> : <NodeRunDetails />}
          </div>
        </aside>
      </div>
    </div>
  );
}

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="flex gap-1">
      <dt>{label}</dt>
      <dd className="font-medium text-slate-800 tabular-nums" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

function Centered({ children }: { children: ReactNode }) {
  return <div className="grid flex-1 place-items-center p-8 text-center text-sm text-slate-500">{children}</div>;
}
