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
import { selectLiveRun, selectSelectedNodeId } from "@/components/editor/store/selectors";
import type { EditorState } from "@/components/editor/store/types";
import { errorMessage, useTRPC, useTRPCClient, type RouterOutputs } from "@/components/trpc";
import { costTitle, formatCost, formatDateTime, formatDuration, formatTokens } from "@/components/ui/format";
import { StatusBadge } from "@/components/ui/status-badge";
import { TabButton } from "@/components/ui/tab-button";
import { useNow } from "@/components/ui/use-now";
import { NodeRunDetails } from "./node-run-details";
import { RunCallbacks } from "./run-callbacks";
import { activeDurationMs } from "./compare";
import { RunAgainButton } from "./run-again-button";
import { RunControls } from "./run-controls";
import { RunEventsList } from "./run-events-list";
import { RunLineagePanel, RunOrigin } from "./run-lineage";
import { RunCaller } from "./child-runs";
import { RunResult } from "./run-result";
import { RunTraceId } from "./run-trace-id";
import { RetryFromHere, RetryNodeToolbar, RetryRunButton, useRunRetry } from "./retry-run";
import { ForkPanel } from "./time-travel/fork-panel";
import { TimeTravelBanner } from "./time-travel/time-travel-banner";
import { useRunStream } from "./use-run-stream";

type RunDetail = RouterOutputs["run"]["get"];
type Tab = "events" | "node" | "lineage";

/** A run on its pinned graph, read-only, with live statuses from the same event stream as the editor. */
/** The node a task was asked on (a notification's link names the task), from the run's events. */
function nodeOfTask(events: RunDetail["events"], taskId: string | undefined): string | null {
  if (!taskId) return null;
  const request = events.find((event) => event.type === "human_requested" && event.taskId === taskId);
  return request && "nodeId" in request ? request.nodeId : null;
}

/**
 * A run's page. `focusTaskId` (`?task=` in a notification's link) opens with that task's node
 * selected and its details showing.
 */
export function RunView({ runId, focusTaskId }: { runId: string; focusTaskId?: string }) {
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
  const focusNodeId = nodeOfTask(data.events, focusTaskId);
  return (
    <ReactFlowProvider key={runId}>
      <EditorStoreProvider
        init={() => {
          const flow = graphToFlow(data.graph);
          return {
            workflowId: data.workflowId,
            name: data.workflowName,
            ...flow,
            nodes: flow.nodes.map((node) => (node.id === focusNodeId ? { ...node, selected: true } : node)),
            revision: 0,
            readOnly: true,
            services: { respondToHuman: (input) => client.human.respond.mutate(input) },
            // The state is rebuilt from the loaded events (a run's state is by definition their
            // fold), so the events list and the canvas always agree.
            run: { runId, state: replay(data.events, step), events: data.events },
          };
        }}
      >
        <RunLayout detail={data} initialTab={focusNodeId ? "node" : "events"} />
      </EditorStoreProvider>
    </ReactFlowProvider>
  );
}

const selectTimeTravelling = (s: EditorState) => s.timeTravel !== null;

function RunLayout({ detail, initialTab }: { detail: RunDetail; initialTab: Tab }) {
  // The header, the controls and the stream follow the run as it is now, also while the
  // canvas shows an earlier state (time travel).
  const run = useEditorStore(selectLiveRun);
  const timeTravelling = useEditorStore(selectTimeTravelling);
  const state = run.state;
  const retry = useRunRetry(detail.id, detail.graph, detail.callerRunId !== null);
  const live = state !== null && !isTerminalStatus(state.status);
  // A retried run goes on after its first end: follow it again from there.
  const followRetry = state !== null && retry.followAfter !== null && state.lastSeq === retry.followAfter;
  const stream = useRunStream(run.runId, live || followRetry);
  const now = useNow(live && Boolean(state.startedAt));
  const [tab, setTab] = useState<Tab>(initialTab);
  const selectedNodeId = useEditorStore(selectSelectedNodeId);
  const [lastSelected, setLastSelected] = useState(selectedNodeId);
  // Selecting a node (on the canvas or in the events list) asks for its details.
  if (selectedNodeId !== lastSelected) {
    setLastSelected(selectedNodeId);
    if (selectedNodeId !== null) setTab("node");
  }

  if (!state) return <Centered>Loading run…</Centered>;
  // Working time: a retried run's wait for its retry, and a fork's gap since its parent ran, do not count.
  const duration = activeDurationMs(run.events, now);
  const tokens = state.usage.promptTokens + state.usage.completionTokens;
  const terminal = isTerminalStatus(state.status);

  return (
    <div className="flex h-full min-h-0 flex-col">
      <div className="shrink-0 space-y-1 border-b border-slate-200 bg-white px-4 py-3">
        <div className="flex flex-wrap items-center gap-x-5 gap-y-2">
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
            {/* A fork's first events are its parent's: it started when it was forked. */}
            <Stat label="Started" value={formatDateTime(detail.origin === "fork" ? detail.createdAt : (state.startedAt ?? detail.createdAt))} />
            {detail.startedBy && <Stat label="Started by" value={detail.startedBy} testId="run-started-by" />}
            <Stat label="Duration" value={formatDuration(duration)} />
            <Stat label="Tokens" value={formatTokens(tokens)} />
            <Stat label="Cost" value={formatCost(state.usage.costUsd, state.usage.unpricedCalls)} title={costTitle(state.usage.unpricedCalls)} testId="run-cost" />
            {detail.traceId && <RunTraceId traceId={detail.traceId} />}
            {/* A for-each's items and a sub-workflow's run spend in runs of their own: shown beside this run's own figures. */}
            {detail.calledRuns.runs > 0 && (
              <Stat
                label={`In ${detail.calledRuns.runs} child run${detail.calledRuns.runs === 1 ? "" : "s"}`}
                value={`${formatTokens(detail.calledRuns.tokens)} tokens · ${formatCost(detail.calledRuns.costUsd, detail.calledRuns.unpricedCalls)}`}
                title={costTitle(detail.calledRuns.unpricedCalls)}
                testId="run-called-cost"
              />
            )}
          </dl>
          {stream === "reconnecting" && <span className="text-xs text-amber-600">Reconnecting…</span>}
          {/* One group, so a narrow window wraps the actions together to the right. */}
          <div className="ml-auto flex items-center gap-3">
            <RunControls runId={detail.id} status={state.status} />
            <RetryRunButton retry={retry} />
            {/* An item's run ran a for-each's body, not a workflow: there is nothing to run again on its own. */}
            {terminal && detail.itemOf === null && <RunAgainButton runId={detail.id} version={detail.version} />}
            <Link
              href={`/workflows/${detail.workflowId}`}
              className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 shadow-xs hover:bg-slate-50"
            >
              Open workflow
            </Link>
          </div>
        </div>
        <RunOrigin run={detail} />
        <RunCaller run={detail} />
      </div>

      <div className="flex min-h-0 flex-1">
        <main className="relative min-w-0 flex-1" aria-label="Run graph">
          <Canvas />
          <TimeTravelBanner />
          {!timeTravelling && <RetryNodeToolbar retry={retry} />}
        </main>
        <aside className="flex w-[26rem] shrink-0 flex-col border-l border-slate-200 bg-white">
          {timeTravelling && detail.itemOf === null ? (
            <ForkPanel runId={detail.id} />
          ) : (
            terminal && (
              <section className="max-h-[45%] shrink-0 space-y-2 overflow-y-auto border-b border-slate-200 p-4">
                <h2 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Result</h2>
                <RunResult status={state.status} output={state.output} error={state.error} />
                <RunCallbacks runId={detail.id} />
              </section>
            )
          )}
          <div role="tablist" aria-label="Run details" className="flex shrink-0 gap-1 border-b border-slate-200 px-2">
            <TabButton active={tab === "events"} onClick={() => setTab("events")}>
              Events ({run.events.length})
            </TabButton>
            <TabButton active={tab === "node"} onClick={() => setTab("node")}>
              Node
            </TabButton>
            <TabButton active={tab === "lineage"} onClick={() => setTab("lineage")}>
              Lineage{detail.children.length > 0 ? ` (${detail.children.length})` : ""}
            </TabButton>
          </div>
          <div className="min-h-0 flex-1 overflow-y-auto" role="tabpanel">
            {tab === "events" && (
              <>
                {!timeTravelling && (
                  <p className="border-b border-slate-100 px-4 py-2 text-[11px] text-slate-500">
                    Time travel: pick an event (the clock on its row) to see the run as it was then, change something and fork from there.
                  </p>
                )}
                <RunEventsList />
              </>
            )}
            {tab === "node" && (
              <>
                <RetryFromHere retry={retry} nodeId={selectedNodeId} />
                <NodeRunDetails />
              </>
            )}
            {tab === "lineage" && <RunLineagePanel runId={detail.id} />}
          </div>
        </aside>
      </div>
    </div>
  );
}

function Stat({ label, value, testId, title }: { label: string; value: string; testId?: string; title?: string }) {
  return (
    <div className="flex gap-1">
      <dt>{label}</dt>
      <dd className="font-medium text-slate-800 tabular-nums" data-testid={testId} title={title}>
        {value}
      </dd>
    </div>
  );
}

function Centered({ children }: { children: ReactNode }) {
  return <div className="grid flex-1 place-items-center p-8 text-center text-sm text-slate-500">{children}</div>;
}
