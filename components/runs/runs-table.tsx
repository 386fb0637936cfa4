"use client";

import Link from "next/link";
import { Suspense, useMemo } from "react";
import { useCan } from "@/components/session/session-context";
import { errorMessage } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { formatCost, formatDateTime, formatDuration, formatTokens } from "@/components/ui/format";
import { StatusBadge } from "@/components/ui/status-badge";
import { useUrlState } from "@/components/ui/use-url-state";
import { RunsSummary } from "@/components/runs/runs-summary";
import { EMPTY_FILTERS, filtersFromSearchParams, filtersToSearchParams, hasFilters, listInputOf } from "./run-filters";
import { RunsFilterBar } from "./runs-filter-bar";
import { LiveBadge, RunOriginBadge, triggerLabel } from "./run-list-badges";
import { useLiveRunList, type RunListRow } from "./use-live-run-list";

const PAGE_SIZE = 50;
const COLUMNS = 9;

/** /runs: every run of the workspace, filtered and searched on the server, page by page, live. */
export function RunsTable() {
  return (
    <div className="mx-auto w-full max-w-6xl px-6 py-8">
      <div className="mb-6">
        <h1 className="text-xl font-semibold tracking-tight text-slate-900">Runs</h1>
        <p className="mt-0.5 text-sm text-slate-500">Every run of every workflow: what ran, how long it took, what it cost.</p>
      </div>
      <RunsSummary />
      {/* The filters live in the URL (useSearchParams), which is only known in the browser. */}
      <Suspense fallback={<div className="rounded-lg border border-slate-200 bg-white px-4 py-8 text-center text-sm text-slate-500 shadow-xs">Loading…</div>}>
        <FilteredRuns />
      </Suspense>
    </div>
  );
}

function FilteredRuns() {
  const canRun = useCan("run:start");
  const canRespond = useCan("human:respond");
  const [filters, setFilters] = useUrlState(filtersFromSearchParams, filtersToSearchParams);
  const input = useMemo(() => listInputOf(canRespond ? filters : { ...filters, waitingForMe: false }, PAGE_SIZE), [filters, canRespond]);
  const { runs, rows, live } = useLiveRunList(input);
  const filtered = hasFilters(filters);

  return (
    <div className="rounded-lg border border-slate-200 bg-white shadow-xs">
      <RunsFilterBar filters={filters} onChange={setFilters} canRespond={canRespond} />
      <div className="flex items-center justify-between gap-3 px-4 py-2 text-xs text-slate-500">
        <span role="status" data-testid="runs-count">
          {runs.isSuccess && countText(rows.length, runs.hasNextPage, filtered)}
        </span>
        <LiveBadge live={live} />
      </div>
      <div className={`overflow-x-auto border-t border-slate-200 transition-opacity ${runs.isPlaceholderData ? "opacity-50" : ""}`} aria-busy={runs.isFetching && !runs.isFetchingNextPage}>
        <table className="w-full text-sm" aria-label="Runs">
          <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium text-slate-500">
            <tr>
              <th scope="col" className="px-4 py-2.5">Workflow</th>
              <th scope="col" className="px-4 py-2.5">Status</th>
              <th scope="col" className="hidden px-4 py-2.5 xl:table-cell">Trigger</th>
              <th scope="col" className="px-4 py-2.5">Started</th>
              <th scope="col" className="px-4 py-2.5">Started by</th>
              <th scope="col" className="px-4 py-2.5 text-right">Duration</th>
              <th scope="col" className="hidden px-4 py-2.5 text-right xl:table-cell">Steps</th>
              <th scope="col" className="px-4 py-2.5 text-right">Tokens</th>
              <th scope="col" className="px-4 py-2.5 text-right">Cost</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {runs.isPending && <StateRow>Loading…</StateRow>}
            {runs.isError && !runs.isFetchNextPageError && <StateRow tone="error">{errorMessage(runs.error)}</StateRow>}
            {runs.isSuccess && rows.length === 0 && (
              <StateRow>
                {filtered ? (
                  <>
                    No runs match these filters.{" "}
                    <button type="button" className="font-medium text-accent-700 hover:underline" onClick={() => setFilters(EMPTY_FILTERS)}>
                      Clear filters
                    </button>
                  </>
                ) : canRun ? (
                  "No runs yet. Open a workflow and press Run."
                ) : (
                  "No runs yet."
                )}
              </StateRow>
            )}
            {rows.map((run) => (
              <RunRow key={run.id} run={run} />
            ))}
          </tbody>
        </table>
      </div>
      {(runs.hasNextPage || runs.isFetchNextPageError) && rows.length > 0 && (
        <div className="flex items-center justify-center gap-3 border-t border-slate-100 px-4 py-3">
          {runs.isFetchNextPageError && <span className="text-xs text-red-600">{errorMessage(runs.error)}</span>}
          <Button onClick={() => void runs.fetchNextPage()} disabled={runs.isFetchingNextPage}>
            {runs.isFetchingNextPage ? "Loading…" : "Load more"}
          </Button>
        </div>
      )}
    </div>
  );
}

/** Honest about what is shown: the list never claims to be everything when a next page exists. */
function countText(shown: number, more: boolean, filtered: boolean): string {
  if (shown === 0) return filtered ? "No matching runs" : "No runs";
  const runs = `${shown.toLocaleString()} ${shown === 1 ? "run" : "runs"}`;
  if (more) return `Newest ${runs} shown · older ones ${filtered ? "match too" : "exist"}: load more below`;
  return filtered ? `${runs} ${shown === 1 ? "matches" : "match"}` : `${runs} in total`;
}

function StateRow({ children, tone = "muted" }: { children: React.ReactNode; tone?: "muted" | "error" }) {
  return (
    <tr>
      <td colSpan={COLUMNS} className={`px-4 py-10 text-center ${tone === "error" ? "text-red-700" : "text-slate-500"}`}>
        {children}
      </td>
    </tr>
  );
}

/**
 * The whole row opens the run: the workflow name is a real link (keyboard, middle-click, "open
 * in new tab") whose box is stretched over the row, so clicking anywhere on the row follows it.
 */
function RunRow({ run }: { run: RunListRow }) {
  return (
    <tr className="relative hover:bg-slate-50 focus-within:bg-slate-50" data-run-id={run.id}>
      <td className="px-4 py-2.5">
        <Link
          href={`/runs/${run.id}`}
          className="font-medium text-slate-900 after:absolute after:inset-0 hover:text-accent-700 focus-visible:outline-none focus-visible:after:ring-2 focus-visible:after:ring-accent-500 focus-visible:after:ring-inset"
        >
          {run.workflowName}
        </Link>
        <div className="flex items-center gap-1.5">
          <span className="font-mono text-[11px] text-slate-400">{run.id}</span>
          <RunOriginBadge origin={run.origin} />
        </div>
      </td>
      <td className="px-4 py-2.5 whitespace-nowrap">
        <StatusBadge status={run.status} testId="run-row-status" />
      </td>
      <td className="hidden px-4 py-2.5 text-slate-600 xl:table-cell">{triggerLabel(run.trigger)}</td>
      <td className="px-4 py-2.5 whitespace-nowrap text-slate-600">{formatDateTime(run.startedAt ?? run.createdAt)}</td>
      <td className="max-w-48 truncate px-4 py-2.5 text-slate-600" data-testid="run-started-by" title={run.startedBy ?? undefined}>
        {run.startedBy ?? <span className="text-slate-400">—</span>}
      </td>
      <td className="px-4 py-2.5 text-right text-slate-600 tabular-nums">{formatDuration(run.durationMs)}</td>
      <td className="hidden px-4 py-2.5 text-right text-slate-600 tabular-nums xl:table-cell">{run.stepCount}</td>
      <td className="px-4 py-2.5 text-right text-slate-600 tabular-nums">{formatTokens(run.tokens)}</td>
      <td className="px-4 py-2.5 text-right text-slate-600 tabular-nums">{formatCost(run.costUsd, run.unpricedCalls)}</td>
    </tr>
  );
}
