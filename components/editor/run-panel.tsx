"use client";

import Link from "next/link";
import { useEffect, type ReactNode } from "react";
import { isTerminalStatus } from "@/server/engine/events";
import { RunControls } from "@/components/runs/run-controls";
import { RunResult } from "@/components/runs/run-result";
import type { StreamStatus } from "@/components/runs/use-run-stream";
import { useCan } from "@/components/session/session-context";
import { costTitle, formatCost, formatDuration, formatTokens } from "@/components/ui/format";
import { XIcon } from "@/components/ui/icons";
import { StatusBadge } from "@/components/ui/status-badge";
import { useNow } from "@/components/ui/use-now";
import { useEditorStore, useEditorStoreApi } from "./store/editor-store-provider";
import { selectProblems, selectRun } from "./store/selectors";
import type { EditorState, LaunchState } from "./store/types";

const selectLaunch = (s: EditorState) => s.launch;

/** The label of the node a run waits on, if it waits on one. */
const selectWaitingLabel = (s: EditorState) => {
  const pending = Object.values(s.run.state?.humans ?? {}).find((human) => !human.decision);
  if (!pending) return null;
  return s.nodes.find((node) => node.id === pending.nodeId)?.data.label ?? pending.nodeId;
};

/** The run bar over the canvas: status, usage, and once finished the output or error. */
export function RunPanel({ stream }: { stream: StreamStatus }) {
  const store = useEditorStoreApi();
  const run = useEditorStore(selectRun);
  const launch = useEditorStore(selectLaunch);
  const waitingOn = useEditorStore(selectWaitingLabel);
  const canRespond = useCan("human:respond");
  const state = run.state;
  const finished = state ? isTerminalStatus(state.status) : false;
  const now = useNow(Boolean(state?.startedAt) && !finished);

  if (!run.runId || !state) {
    if (launch.status !== "error") return null;
    return <LaunchError launch={launch} framed />;
  }

  const started = state.startedAt ? Date.parse(state.startedAt) : null;
  const ended = state.finishedAt ? Date.parse(state.finishedAt) : null;
  // Server and browser clocks differ a little; a live duration never shows as negative.
  const elapsed = started === null ? null : Math.max(0, (ended ?? now) - started);
  const tokens = state.usage.promptTokens + state.usage.completionTokens;

  return (
    <PanelFrame onClose={finished ? () => store.getState().clearRun() : undefined}>
      <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-sm">
        <StatusBadge status={state.status} testId="run-status" />
        <Link href={`/runs/${run.runId}`} className="font-mono text-xs text-accent-700 hover:underline">
          {run.runId}
        </Link>
        <Metric label="Time" value={formatDuration(elapsed)} />
        <Metric label="Tokens" value={formatTokens(tokens)} />
        <Metric label="Cost" value={formatCost(state.usage.costUsd, state.usage.unpricedCalls)} title={costTitle(state.usage.unpricedCalls)} />
        {stream === "reconnecting" && <span className="text-xs text-amber-600">Reconnecting…</span>}
        <span className="ml-auto">
          <RunControls runId={run.runId} status={state.status} />
        </span>
      </div>
      {state.status === "waiting_for_human" && waitingOn && (
        <p className="mt-2 text-sm text-amber-800">
          {canRespond ? (
            <>
              Waiting for a person on <strong>{waitingOn}</strong>: answer on the node or in the{" "}
              <Link href="/inbox" className="text-accent-700 hover:underline">
                Inbox
              </Link>
              .
            </>
          ) : (
            <>
              Waiting for an operator on <strong>{waitingOn}</strong>.
            </>
          )}
        </p>
      )}
      {launch.status === "error" && (
        <div className="mt-2">
          <LaunchError launch={launch} />
        </div>
      )}
      {finished && (
        <div className="mt-3">
          <h3 className="mb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">Result</h3>
          <RunResult status={state.status} output={state.output} error={state.error} />
        </div>
      )}
    </PanelFrame>
  );
}

/** How many of the problems the banner lists; the Problems panel has them all. */
const LISTED_PROBLEMS = 3;

/**
 * Why Run did not start. "Cannot run" for the graph's problems is drawn from the live
 * validation, not from the moment Run was pressed: it shrinks as problems are fixed and goes
 * away (back to idle) once none is left, so it never contradicts "Ready to run".
 */
function LaunchError({ launch, framed = false }: { launch: Extract<LaunchState, { status: "error" }>; framed?: boolean }) {
  const store = useEditorStoreApi();
  const problems = useEditorStore(selectProblems);
  const errors = launch.problems ? problems.filter((problem) => problem.severity === "error") : [];
  const fixed = launch.problems === true && errors.length === 0;
  useEffect(() => {
    if (fixed) store.getState().setLaunch({ status: "idle" });
  }, [fixed, store]);
  if (fixed) return null;

  const content = launch.problems ? (
    <div role="alert" data-testid="run-error">
      <p className="text-sm font-medium text-red-700">
        Cannot run: fix {errors.length} problem{errors.length > 1 ? "s" : ""} first
      </p>
      <ul className="mt-1 list-disc space-y-0.5 pl-5 text-sm text-red-700">
        {errors.slice(0, LISTED_PROBLEMS).map((problem, index) => (
          <li key={`${problem.code}-${problem.nodeId ?? problem.edgeId ?? ""}-${index}`}>{problem.message}</li>
        ))}
      </ul>
      {errors.length > LISTED_PROBLEMS && <p className="mt-1 text-xs text-slate-600">and {errors.length - LISTED_PROBLEMS} more in Problems</p>}
    </div>
  ) : (
    <p role="alert" data-testid="run-error" className="text-sm text-red-700">
      {launch.message}
    </p>
  );
  return framed ? <PanelFrame onClose={() => store.getState().setLaunch({ status: "idle" })}>{content}</PanelFrame> : content;
}

function PanelFrame({ children, onClose }: { children: ReactNode; onClose?: () => void }) {
  return (
    <section
      aria-label="Run"
      // In the editor's layout under the canvas (workflow-editor.tsx), so it never covers the graph.
      className="relative max-h-[40%] shrink-0 overflow-y-auto border-t border-slate-200 bg-white p-3 pr-10"
    >
      {children}
      {onClose && (
        <button
          type="button"
          onClick={onClose}
          aria-label="Close run panel"
          className="absolute top-2.5 right-2.5 rounded p-1 text-slate-400 hover:bg-slate-100 hover:text-slate-700"
        >
          <XIcon className="size-4" />
        </button>
      )}
    </section>
  );
}

function Metric({ label, value, title }: { label: string; value: string; title?: string }) {
  return (
    <span className="text-xs text-slate-500" title={title}>
      {label} <span className="font-medium text-slate-800 tabular-nums">{value}</span>
    </span>
  );
}
