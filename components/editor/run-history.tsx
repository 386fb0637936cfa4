"use client";

import Link from "next/link";
import { useMemo } from "react";
import { errorMessage } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { formatDateTime, formatDuration, formatRelative } from "@/components/ui/format";
import { StatusBadge } from "@/components/ui/status-badge";
import { useNow } from "@/components/ui/use-now";
import { LiveBadge, RunOriginBadge, triggerLabel } from "@/components/runs/run-list-badges";
import { useLiveRunList } from "@/components/runs/use-live-run-list";

const PAGE_SIZE = 25;

/** The editor's "Runs" tab: this workflow's runs, newest first, live; each opens its run page. */
export function RunHistory({ workflowId }: { workflowId: string }) {
  const input = useMemo(() => ({ workflowId, limit: PAGE_SIZE }), [workflowId]);
  const { runs, rows, live } = useLiveRunList(input);
  // Relative times ("2 minutes ago") move on while the tab is open.
  const now = useNow(rows.length > 0, 30_000);

  if (runs.isPending) return <p className="p-4 text-sm text-slate-500">Loading runs…</p>;
  if (runs.isError && rows.length === 0) return <p className="p-4 text-sm text-red-700">{errorMessage(runs.error)}</p>;

  return (
    <div>
      <div className="flex items-center justify-between gap-2 border-b border-slate-100 px-4 py-2 text-xs text-slate-500">
        <Link href={`/runs?workflow=${encodeURIComponent(workflowId)}`} className="font-medium text-accent-700 hover:underline">
          Filter on the Runs page
        </Link>
        <LiveBadge live={live} />
      </div>
      {rows.length === 0 ? (
        <div className="p-4 text-sm text-slate-500">
          <p className="font-medium text-slate-700">No runs of this workflow yet</p>
          <p className="mt-1">Press Run (or call its trigger API): each run is listed here as it happens.</p>
        </div>
      ) : (
        <ul className="divide-y divide-slate-100" aria-label="Runs of this workflow" data-testid="run-history">
          {rows.map((run) => (
            <li key={run.id} data-run-id={run.id}>
              <Link href={`/runs/${run.id}`} className="block px-4 py-2.5 hover:bg-slate-50 focus-visible:bg-slate-50 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-accent-500">
                <div className="flex items-center justify-between gap-2">
                  <StatusBadge status={run.status} testId="run-history-status" />
                  <span className="text-xs text-slate-500" title={formatDateTime(run.createdAt)}>
                    {formatRelative(run.createdAt, now)}
                  </span>
                </div>
                <div className="mt-1 flex items-center gap-1.5 text-xs text-slate-500">
                  <span className="font-mono text-[11px] text-slate-400">{run.id}</span>
                  <RunOriginBadge origin={run.origin} />
                </div>
                <div className="mt-0.5 truncate text-xs text-slate-500">
                  {triggerLabel(run.trigger)}
                  {run.startedBy ? ` · ${run.startedBy}` : ""}
                  {run.durationMs !== null ? ` · ${formatDuration(run.durationMs)}` : ""}
                </div>
              </Link>
            </li>
          ))}
        </ul>
      )}
      {(runs.hasNextPage || runs.isFetchNextPageError) && (
        <div className="flex flex-col items-center gap-2 border-t border-slate-100 px-4 py-3">
          {runs.isFetchNextPageError && <span className="text-xs text-red-600">{errorMessage(runs.error)}</span>}
          <Button size="sm" onClick={() => void runs.fetchNextPage()} disabled={runs.isFetchingNextPage}>
            {runs.isFetchingNextPage ? "Loading…" : "Load more"}
          </Button>
        </div>
      )}
    </div>
  );
}
