"use client";

import type { NodeProps } from "@xyflow/react";
import { useQuery } from "@tanstack/react-query";
import { memo, useCallback } from "react";
import { isTerminalStatus } from "@/server/engine/events";
import { useTRPC } from "@/components/trpc";
import type { ChildrenState } from "@/server/engine/state";
import type { EditorState } from "../store/types";
import type { AppNodeOf } from "../types";
import { useEditorStore } from "../store/editor-store-provider";
import { childProgressOf, childProgressShares, childProgressText } from "./child-progress";
import { NodeShell } from "./node-shell";
import { ON_ERROR_SHORT } from "./for-each-labels";

/**
 * A for-each: the list it goes through, how many items at a time and what a failed item does;
 * during and after a run, how far it has got through the list.
 */
export const ForEachNode = memo(function ForEachNode({ id, data, selected }: NodeProps<AppNodeOf<"for_each">>) {
  const children = useEditorStore(useCallback((s: EditorState) => s.run.state?.nodes[id]?.children, [id]));
  return (
    <NodeShell
      id={id}
      kind="for_each"
      label={data.label}
      selected={selected}
      compactDetail={children ? <CompactProgress progressOf={children} /> : undefined}
      summary={
        <>
          <span data-testid="for-each-items" className="block truncate">
            in <code className="font-mono text-slate-800">{data.items.trim() || "(no list)"}</code>
          </span>
          <span data-testid="for-each-settings" className="block truncate text-[11px] text-slate-500">
            {data.concurrency} at a time · {ON_ERROR_SHORT[data.onError]}
          </span>
        </>
      }
    >
      {children && <ForEachProgress nodeId={id} progressOf={children} />}
    </NodeShell>
  );
});

/** How often running items are asked whether they wait for a person: the parent's log does not say. */
const WAITING_POLL_MS = 3_000;

/** "2 need a person": items whose run waits on a person's answer, so the parent shows they are stuck on someone. */
function ItemsWaiting({ nodeId }: { nodeId: string }) {
  const trpc = useTRPC();
  const runId = useEditorStore((s: EditorState) => s.run.runId);
  const live = useEditorStore((s: EditorState) => s.run.state !== null && !isTerminalStatus(s.run.state.status));
  const children = useQuery({
    ...trpc.run.childRuns.queryOptions({ runId: runId ?? "", nodeId }),
    enabled: runId !== null,
    refetchInterval: live ? WAITING_POLL_MS : false,
  });
  const waiting = children.data?.waitingForHuman ?? 0;
  if (waiting === 0) return null;
  return (
    <p className="text-[11px] font-semibold text-amber-700" data-testid="for-each-waiting">
      {waiting} need{waiting === 1 ? "s" : ""} a person
    </p>
  );
}

/** Zoomed out: "37/120", so a builder watching a big graph still sees how far the list has got. */
function CompactProgress({ progressOf }: { progressOf: ChildrenState }) {
  const { done, failed, total } = childProgressOf(progressOf);
  return (
    <span data-testid="for-each-compact-progress" title={childProgressText(childProgressOf(progressOf))}>
      {done + failed}/{total}
    </span>
  );
}

function ForEachProgress({ nodeId, progressOf }: { nodeId: string; progressOf: ChildrenState }) {
  const progress = childProgressOf(progressOf);
  const shares = childProgressShares(progress);
  return (
    <div className="space-y-1 border-t border-slate-100 px-3 py-1.5" data-testid="for-each-progress" data-node-id={nodeId}>
      <p className="text-[11px] leading-snug font-medium text-slate-700 tabular-nums" data-testid="for-each-progress-text">
        {childProgressText(progress)}
      </p>
      {progress.running > 0 && <ItemsWaiting nodeId={nodeId} />}
      <div
        role="progressbar"
        aria-label="Items done"
        aria-valuemin={0}
        aria-valuemax={progress.total}
        aria-valuenow={progress.done + progress.failed}
        className="flex h-1.5 overflow-hidden rounded-full bg-slate-200"
      >
        <span className="bg-emerald-500" style={{ width: `${shares.done}%` }} />
        <span className="bg-red-500" style={{ width: `${shares.failed}%` }} />
        <span className="animate-pulse bg-accent-400" style={{ width: `${shares.running}%` }} />
      </div>
    </div>
  );
}
