"use client";

import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useCallback, useEffect, useMemo } from "react";
import { useEditorStore } from "@/components/editor/store/editor-store-provider";
import { selectLiveRun } from "@/components/editor/store/selectors";
import type { EditorState } from "@/components/editor/store/types";
import { useTRPC, type RouterOutputs } from "@/components/trpc";
import { formatDateTime } from "@/components/ui/format";
import { StatusBadge } from "@/components/ui/status-badge";
import { useThrottled } from "./use-live-run-list";
import { useWorkspaceFeed, type RunChange } from "./use-workspace-feed";

type RunDetail = RouterOutputs["run"]["get"];
export type ChildRunRow = RouterOutputs["run"]["childRuns"]["items"][number];

/** At most one re-read of the child runs per this long, however many of them change. */
const REFRESH_INTERVAL_MS = 1_000;

/** How many child_started / child_finished events the run has (for one node): a change means the list moved. */
function childEventCount(s: EditorState, nodeId: string | undefined): number {
  return selectLiveRun(s).events.filter((event) => (event.type === "child_started" || event.type === "child_finished") && (nodeId === undefined || event.nodeId === nodeId)).length;
}

/**
 * A run's child runs (of one node, or all), page by page, kept current: the parent's own
 * events say when a child starts or ends, and the workspace feed when a child's status moves
 * in between (e.g. it now waits for a person, which the parent's log does not record).
 */
function useChildRuns(runId: string, nodeId: string | undefined) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const options = trpc.run.childRuns.infiniteQueryOptions(nodeId === undefined ? { runId } : { runId, nodeId }, { getNextPageParam: (page) => page.nextCursor });
  const runs = useInfiniteQuery(options);
  const { queryKey } = options;
  const refresh = useThrottled(() => void queryClient.invalidateQueries({ queryKey }), REFRESH_INTERVAL_MS);

  const events = useEditorStore(useCallback((s: EditorState) => childEventCount(s, nodeId), [nodeId]));
  useEffect(() => {
    if (events > 0) refresh();
  }, [events, refresh]);

  const rows = useMemo(() => {
    const seen = new Set<string>();
    return (runs.data?.pages ?? []).flatMap((page) => page.items).filter((row) => !seen.has(row.id) && seen.add(row.id));
  }, [runs.data]);
  const onChange = useCallback(
    (change: RunChange) => {
      if (!rows.some((row) => row.id === change.runId)) return;
      queryClient.setQueryData(queryKey, (data) =>
        data && { ...data, pages: data.pages.map((page) => ({ ...page, items: page.items.map((row) => (row.id === change.runId ? { ...row, status: change.status } : row)) })) },
      );
      refresh();
    },
    [rows, queryClient, queryKey, refresh],
  );
  useWorkspaceFeed(onChange, { onLive: refresh });

  const firstPage = runs.data?.pages[0];
  return { runs, rows, total: firstPage?.total ?? 0, waitingForHuman: firstPage?.waitingForHuman ?? 0 };
}

/**
 * The runs a for-each or sub-workflow started: each item's place, status and a link to its
 * page. A child waiting for a person is marked, so it is found from the parent.
 */
export function ChildRunsList({ runId, nodeId, itemLabels = true }: { runId: string; nodeId?: string; itemLabels?: boolean }) {
  const { runs, rows, total, waitingForHuman } = useChildRuns(runId, nodeId);
  if (runs.isPending) return <p className="text-xs text-slate-500">Loading child runs…</p>;
  if (runs.isError) return <p className="text-xs text-red-700">{runs.error.message}</p>;
  if (rows.length === 0) return <p className="text-xs text-slate-500">No child runs started yet.</p>;
  return (
    <div className="space-y-1.5" data-testid="child-runs">
      <p className="text-[11px] text-slate-500">
        {total} run{total === 1 ? "" : "s"}
        {waitingForHuman > 0 && (
          <span className="font-semibold text-amber-700" data-testid="child-runs-waiting">
            {" "}
            · {waitingForHuman} need{waitingForHuman === 1 ? "s" : ""} a person
          </span>
        )}
      </p>
      <ul className="divide-y divide-slate-100 rounded-md border border-slate-200" aria-label="Child runs">
        {rows.map((row) => (
          <ChildRunItem key={row.id} row={row} itemLabel={itemLabels} showNode={nodeId === undefined} />
        ))}
      </ul>
      {runs.hasNextPage && (
        <button type="button" onClick={() => void runs.fetchNextPage()} disabled={runs.isFetchingNextPage} className="text-xs font-medium text-accent-700 hover:underline disabled:opacity-60">
          {runs.isFetchingNextPage ? "Loading…" : `Show more (${rows.length} of ${total})`}
        </button>
      )}
    </div>
  );
}

function ChildRunItem({ row, itemLabel, showNode }: { row: ChildRunRow; itemLabel: boolean; showNode: boolean }) {
  const waiting = row.status === "waiting_for_human";
  // An item's run names its place in the list; a sub-workflow's run has just the one.
  const title = row.itemOf !== null && itemLabel ? `Item ${(row.callerIndex ?? 0) + 1}` : "Child run";
  return (
    <li data-child-run-id={row.id} data-status={row.status} className={`flex items-start gap-2 px-2.5 py-1.5 ${waiting ? "bg-amber-50" : ""}`}>
      <div className="min-w-0 flex-1">
        <p className="flex items-center gap-2 text-xs">
          <span className="font-medium text-slate-800 tabular-nums">{title}</span>
          {showNode && row.callerNodeId && <code className="truncate font-mono text-[11px] text-slate-500">{row.callerNodeId}</code>}
          {waiting && (
            <span className="rounded-full bg-amber-100 px-1.5 py-0.5 text-[10px] font-semibold text-amber-800 uppercase" data-testid="needs-a-person">
              needs a person
            </span>
          )}
        </p>
        {row.error && <p className="line-clamp-2 text-[11px] break-words text-red-700">{row.error}</p>}
        <p className="text-[11px] text-slate-500">
          <Link href={`/runs/${row.id}`} className="font-mono text-accent-700 hover:underline">
            {row.id}
          </Link>{" "}
          · {formatDateTime(row.createdAt)}
        </p>
      </div>
      <StatusBadge status={row.status} />
    </li>
  );
}

/**
 * Who started this run, in its header, when another run did: "Item 3 of For each “Tickets” in
 * run <id> →" for a for-each item, "Called by run <id> (Sub-workflow “Billing”)" for a sub-workflow.
 */
export function RunCaller({ run }: { run: Pick<RunDetail, "callerRunId" | "callerNodeId" | "callerIndex" | "callerNodeLabel" | "itemOf"> }) {
  if (!run.callerRunId) return null;
  const label = run.callerNodeLabel ?? run.callerNodeId ?? "";
  const callerLink = (text: string) => (
    <Link href={`/runs/${run.callerRunId}`} className="font-medium text-accent-700 hover:underline" data-testid="run-caller-link">
      {text}
    </Link>
  );
  return (
    <p data-testid="run-caller" className="flex flex-wrap items-center gap-x-2 text-xs text-slate-600">
      <span className="rounded-full bg-accent-50 px-2 py-0.5 text-[11px] font-semibold text-accent-700 uppercase">{run.itemOf !== null ? "Item" : "Child run"}</span>
      {run.itemOf !== null ? (
        <span>
          Item {(run.callerIndex ?? 0) + 1} of For each “{label}” in {callerLink(`run ${run.callerRunId} →`)}
        </span>
      ) : (
        <span>
          Called by {callerLink(`run ${run.callerRunId}`)} (Sub-workflow “{label}”)
        </span>
      )}
    </p>
  );
}
