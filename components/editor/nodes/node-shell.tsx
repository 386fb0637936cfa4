"use client";

import { Handle, Position, useStore as useFlowStore } from "@xyflow/react";
import type { ReactNode } from "react";
import { SOURCE_HANDLES, type NodeKind } from "@/server/engine/graph";
import type { NodeRunStatus } from "@/server/engine/state";
import { NODE_KIND_INFO } from "../node-kinds";
import { selectZoomedOut } from "../zoom-level";
import { HumanOutcomeNote, HumanTaskPanel } from "./human-task-panel";
import { useNodeView } from "../store/selectors";

/**
 * The card every node type renders inside. It subscribes to this node's run status and
 * problem counts only, so a run event or a validation change re-renders just the nodes
 * it concerns.
 */


const STATUS_FRAME: Record<NodeRunStatus | "idle", string> = {
  idle: "border-slate-200",
  pending: "border-slate-200",
  running: "border-accent-500 animate-run-pulse",
  waiting: "border-amber-400 ring-4 ring-amber-200/60",
  succeeded: "border-emerald-500 ring-2 ring-emerald-200/70",
  failed: "border-red-500 ring-2 ring-red-200/70",
  skipped: "border-dashed border-slate-300 opacity-60",
};

const STATUS_CHIP: Partial<Record<NodeRunStatus, { label: string; className: string }>> = {
  running: { label: "Running", className: "bg-accent-600 text-white" },
  waiting: { label: "Waiting", className: "bg-amber-500 text-white" },
  succeeded: { label: "Done", className: "bg-emerald-600 text-white" },
  failed: { label: "Failed", className: "bg-red-600 text-white" },
  skipped: { label: "Skipped", className: "bg-slate-400 text-white" },
};

const STOPPED_FRAME = "border-slate-400 border-dashed";
const STOPPED_CHIP = { label: "Stopped", className: "bg-slate-500 text-white" };

/** A branching node says which way it went, not just that it finished. */
const HANDLE_CHIP: Record<string, string> = {
  reject: "bg-orange-500 text-white",
  timeout: "bg-amber-500 text-white",
  false: "bg-slate-500 text-white",
};

function handleLabel(handle: string): string {
  if (handle === "approve") return "Approved";
  if (handle === "reject") return "Rejected";
  if (handle === "timeout") return "Timed out";
  return handle.charAt(0).toUpperCase() + handle.slice(1);
}

function chipFor(status: NodeRunStatus | null, handle: string | null): { label: string; className: string } | undefined {
  if (status === "succeeded" && handle) {
    return { label: handleLabel(handle), className: HANDLE_CHIP[handle] ?? "bg-emerald-600 text-white" };
  }
  return status ? STATUS_CHIP[status] : undefined;
}

const PORT_TONE: Record<string, string> = {
  approve: "text-emerald-700",
  reject: "text-red-700",
  timeout: "text-amber-700",
  true: "text-emerald-700",
  false: "text-red-700",
};

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
  children?: ReactNode;
};

export function NodeShell({ id, kind, label, selected, summary, meta, sourcePorts, children }: NodeShellProps) {
  const info = NODE_KIND_INFO[kind];
  // `stopped`: a cancelled or failed run leaves nodes "running"/"waiting" in its state; show them as stopped.
  const { status, error, handle, stopped, errors, warnings, answered } = useNodeView(id);
  const compact = useFlowStore(selectZoomedOut);
  const chip = stopped ? STOPPED_CHIP : chipFor(status, handle);
  const ports = sourcePorts ?? SOURCE_HANDLES[kind];
  const namedPorts = ports.filter((port): port is string => port !== null);

  if (compact) {
    return (
      <div
        data-run-status={status ?? "idle"}
        data-kind={kind}
        // Hidden (not removed) handles: React Flow still measures them to anchor edges, but
        // the browser neither paints nor hit-tests 2,000 dots too small to drag from anyway.
        data-compact=""
        className={`relative flex h-16 w-[220px] items-center rounded-lg border-2 px-3 ${info.tile} ${
          stopped ? STOPPED_FRAME : STATUS_FRAME[status ?? "idle"]
        } ${errors > 0 ? "border-red-400" : ""} ${selected ? "outline-4 outline-offset-2 outline-accent-500" : ""}`}
      >
        {kind !== "trigger" && <Handle type="target" position={Position.Left} />}
        <span className="truncate text-2xl font-semibold">{label || info.title}</span>
        {namedPorts.length > 0
          ? namedPorts.map((port, index) => (
              <Handle key={port} type="source" position={Position.Right} id={port} style={{ top: `${((index + 1) * 100) / (namedPorts.length + 1)}%` }} />
            ))
          : ports.length > 0 && <Handle type="source" position={Position.Right} />}
      </div>
    );
  }

  return (
    <div
      data-run-status={status ?? "idle"}
      data-kind={kind}
      className={`relative w-[220px] rounded-lg border bg-white text-left shadow-sm transition-[border-color,box-shadow,opacity] ${
        stopped ? STOPPED_FRAME : STATUS_FRAME[status ?? "idle"]
      } ${selected ? "outline-2 outline-offset-2 outline-accent-500" : ""}`}
    >
      {kind !== "trigger" && <Handle type="target" position={Position.Left} />}

      {chip && (
        <span
          className={`absolute -top-2.5 right-2 rounded-full px-2 py-0.5 text-[10px] font-semibold tracking-wide uppercase shadow-sm ${chip.className}`}
        >
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
            <div className="truncate text-[11px] leading-tight text-slate-400">{meta ?? info.title}</div>
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
            <div key={port} className="relative flex justify-end px-3 py-0.5">
              <span className={`text-[11px] font-medium ${PORT_TONE[port] ?? "text-slate-500"}`}>{port}</span>
              <Handle type="source" position={Position.Right} id={port} />
            </div>
          ))}
        </div>
      ) : (
        ports.length > 0 && <Handle type="source" position={Position.Right} />
      )}
    </div>
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
