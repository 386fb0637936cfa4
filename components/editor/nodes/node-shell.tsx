"use client";

import { Handle, Position, useStore as useFlowStore } from "@xyflow/react";
import { useCallback, type ReactNode } from "react";
import type { EditorState } from "../store/types";
import { COMPENSABLE_KINDS, COMPENSATE_HANDLE, SOURCE_HANDLES, type NodeKind } from "@/server/engine/graph";
import { branchTextTone } from "../edges/branch-tones";
import { NODE_KIND_INFO } from "../node-kinds";
import { selectZoomedOut } from "../zoom-level";
import { HumanOutcomeNote, HumanTaskPanel } from "./human-task-panel";
import { CompactHumanTask } from "./compact-human-task";
import { isCompensationStep, useNodeView } from "../store/selectors";
import { useEditorStore } from "../store/editor-store-provider";
import { chipOf, NODE_STATE_STYLES, SELECTED_OUTLINE, SELECTED_OUTLINE_COMPACT, visualStateOf } from "./node-state";
import { StateIconView } from "./state-icon";

/**
 * The card every node type renders inside. It subscribes to this node's run status and
 * problem counts only, so a run event or a validation change re-renders just the nodes
 * it concerns. How each run state looks is in node-state.ts.
 */

export type NodeShellProps = {
  id: string;
  kind: NodeKind;
  label: string;
  selected: boolean;
  /** The node's key setting, shown under its title. */
  summary?: ReactNode;
  /** A small secondary line (e.g. the agent's model). */
  meta?: ReactNode;
  /**
   * The outputs this node shows, when its settings hide some of the kind's (a human node's
   * "timeout" output exists only with a timeout that takes it). Default: all of the kind's.
   */
  sourcePorts?: readonly (string | null)[];
  /** Zoomed out, the one fact worth a glance besides the label (a for-each's "37/120"). */
  compactDetail?: ReactNode;
  children?: ReactNode;
};

/**
 * Zoomed out, handles stay connectable: drawn large in flow units so they are still a target of
 * a few screen pixels at 20–45 % zoom (the important modifiers win over React Flow's own size).
 */
const COMPACT_HANDLE = "size-6! border-[3px]!";

export function NodeShell({ id, kind, label, selected, summary, meta, sourcePorts, compactDetail, children }: NodeShellProps) {
  const info = NODE_KIND_INFO[kind];
  // `stopped`: a cancelled or failed run leaves nodes "running"/"waiting" in its state; show them as stopped.
  const { status, error, handle, stopped, errors, warnings, answered } = useNodeView(id);
  const compact = useFlowStore(selectZoomedOut);
  const state = visualStateOf(status, handle, stopped);
  const frame = NODE_STATE_STYLES[state].frame;
  const chip = chipOf(state, handle);
  const ports = sourcePorts ?? SOURCE_HANDLES[kind];
  // A step that undoes another ends there: it has no compensation of its own to connect.
  const undoesAnother = useEditorStore(useCallback((s: EditorState) => isCompensationStep(s, id), [id]));
  const compensable = COMPENSABLE_KINDS.includes(kind) && !undoesAnother;
  const namedPorts = ports.filter((port): port is string => port !== null);

  if (compact) {
    return (
      <div
        data-run-status={status ?? "idle"}
        data-state={state}
        data-kind={kind}
        data-compact=""
        className={`relative flex h-16 w-[220px] items-center gap-2 rounded-lg border-2 px-3 ${info.tile} ${
          // The kind's tile is the compact card's fill: a state's own fill (skipped) would fight it.
          errors > 0 && state === "idle" ? "border-red-600" : frame.replace(/\bbg-\S+/g, "")
        } ${selected ? SELECTED_OUTLINE_COMPACT : ""}`}
      >
        {kind !== "trigger" && <Handle type="target" position={Position.Left} className={COMPACT_HANDLE} />}
        <span className="min-w-0 flex-1 truncate text-2xl font-semibold">{label || info.title}</span>
        {chip && (
          <span title={chip.label} aria-label={chip.label} className={`grid size-9 shrink-0 place-items-center rounded-full [&>svg]:size-6 ${chip.className}`}>
            <StateIconView icon={chip.icon} />
          </span>
        )}
        {namedPorts.length > 0
          ? namedPorts.map((port, index) => (
              <Handle key={port} type="source" position={Position.Right} id={port} className={COMPACT_HANDLE} style={{ top: `${((index + 1) * 100) / (namedPorts.length + 1)}%` }} />
            ))
          : ports.length > 0 && <Handle type="source" position={Position.Right} className={COMPACT_HANDLE} />}
        {compactDetail !== undefined && <span className="shrink-0 text-xl font-semibold tabular-nums">{compactDetail}</span>}
        {compensable && <CompensateHandle className={COMPACT_HANDLE} />}
        {/* Zoomed out, a waiting task is still one click from its Approve/Reject (issue 13 item 1). */}
        {status === "waiting" && !stopped && <CompactHumanTask nodeId={id} />}
      </div>
    );
  }

  return (
    <div
      data-run-status={status ?? "idle"}
      data-state={state}
      data-kind={kind}
      // Skipped brings its own (canvas-coloured) fill: two bg classes would fight over the order of Tailwind's CSS.
      className={`relative w-[220px] rounded-lg border-2 text-left shadow-sm transition-[border-color,box-shadow] ${frame.includes("bg-") ? "" : "bg-white"} ${frame} ${
        selected ? SELECTED_OUTLINE : ""
      }`}
    >
      {kind !== "trigger" && <Handle type="target" position={Position.Left} />}

      {chip && (
        <span
          data-testid="node-state-chip"
          className={`absolute -top-2.5 right-2 flex items-center gap-1 rounded-full px-2 py-0.5 text-[10px] font-semibold tracking-wide uppercase shadow-sm ${chip.className}`}
        >
          <StateIconView icon={chip.icon} />
          {chip.label}
        </span>
      )}

      <div className="flex items-center gap-2.5 px-3 pt-2.5 pb-2">
        <span className={`grid size-8 shrink-0 place-items-center rounded-md ${info.tile}`}>
          <info.Icon className="size-4" />
        </span>
        <div className="min-w-0 flex-1">
          <div className="truncate text-sm leading-tight font-semibold text-slate-900">{label || info.title}</div>
          {/* The kind is worth repeating only when the label no longer says it. */}
          {(meta ?? (label !== info.title ? info.title : null)) && (
            <div className="truncate text-[11px] leading-tight text-slate-500">{meta ?? info.title}</div>
          )}
        </div>
        <ProblemBadge errors={errors} warnings={warnings} />
      </div>

      {summary !== undefined && summary !== "" && (
        <div className="border-t border-slate-100 px-3 py-2 text-xs leading-snug break-words text-slate-600">
          {/* Clamped inside the padding: on the padded box a third line would show in the padding. */}
          <div className="line-clamp-2">{summary}</div>
        </div>
      )}

      {status === "failed" && error && (
        <div className="line-clamp-3 border-t border-red-100 bg-red-50 px-3 py-1.5 text-[11px] leading-snug break-words text-red-700">
          {error}
        </div>
      )}

      {children}

      {status === "waiting" && !stopped ? <HumanTaskPanel nodeId={id} /> : answered && <HumanOutcomeNote nodeId={id} />}

      {namedPorts.length > 0 ? (
        <div className="border-t border-slate-100 py-1">
          {namedPorts.map((port) => (
            // Rows 24 px apart: the edge labels on these outputs (flow-edge.tsx) are 18 px tall and must not touch.
            <div key={port} className="relative flex h-6 items-center justify-end px-3">
              <span className={`text-[11px] font-medium ${branchTextTone(port)}`}>{port}</span>
              <Handle type="source" position={Position.Right} id={port} />
            </div>
          ))}
        </div>
      ) : (
        ports.length > 0 && <Handle type="source" position={Position.Right} />
      )}
      {compensable && <CompensateHandle />}
    </div>
  );
}

/**
 * Saga: the output at the bottom of a step with side effects, to the step that undoes it
 * (run only when the run fails after this step succeeded).
 */
function CompensateHandle({ className = "" }: { className?: string }) {
  return (
    <Handle
      type="source"
      position={Position.Bottom}
      id={COMPENSATE_HANDLE}
      title="Compensate: connect the step that undoes this one if the run fails later"
      aria-label="Compensate output"
      className={`bg-violet-500! ${className}`}
    />
  );
}

function ProblemBadge({ errors, warnings }: { errors: number; warnings: number }) {
  if (errors === 0 && warnings === 0) return null;
  const count = errors + warnings;
  const text = [errors && `${errors} error${errors > 1 ? "s" : ""}`, warnings && `${warnings} warning${warnings > 1 ? "s" : ""}`]
    .filter(Boolean)
    .join(", ");
  return (
    <span
      title={text}
      aria-label={text}
      data-testid="node-problems"
      className={`grid h-5 min-w-5 shrink-0 place-items-center rounded-full px-1 text-[11px] font-semibold ${
        errors > 0 ? "bg-red-100 text-red-700" : "bg-amber-100 text-amber-700"
      }`}
    >
      {count}
    </span>
  );
}
