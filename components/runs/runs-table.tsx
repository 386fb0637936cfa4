"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { TERMINAL_RUN_STATUSES } from "@/server/engine/events";
import { useCan } from "@/components/session/session-context";
import { errorMessage, useTRPC } from "@/components/trpc";
import { formatCost, formatDateTime, formatDuration, formatTokens } from "@/components/ui/format";
import { StatusBadge } from "@/components/ui/status-badge";
import { RunsSummary } from "@/components/runs/runs-summary";

const ACTIVE_REFRESH_MS = 5000;
const COLUMNS = 9;

function isActive(status: string): boolean {
  return !(TERMINAL_RUN_STATUSES as readonly string[]).includes(status);
}

export function RunsTable() {
  const trpc = useTRPC();
  const canRun = useCan("run:start");
  const runs = useQuery(
    trpc.run.list.queryOptions(
      { limit: 200 },
      {
        // The list is a summary; a run's live detail streams on its own page. Refreshing only
        // while something is still going keeps the dashboard honest without a stream per row.
        refetchInterval: (query) => (query.state.data?.some((run) => isActive(run.status)) ? ACTIVE_REFRESH_MS : false),
      },
    ),
  );

  return (
    <div className="mx-auto w-full max-w-6xl px-6 py-8">
      <div className="mb-6">
        <h1 className="text-xl font-semibold tracking-tight text-slate-900">Runs</h1>
        <p className="mt-0.5 text-sm text-slate-500">Every run of every workflow: what ran, how long it took, what it cost.</p>
      </div>
      <RunsSummary />
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-xs">
        <table className="w-full text-sm">
          <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium text-slate-500">
            <tr>
              <th scope="col" className="px-4 py-2.5">Workflow</th>
              <th scope="col" className="px-4 py-2.5">Status</th>
              <th scope="col" className="px-4 py-2.5">Trigger</th>
              <th scope="col" className="px-4 py-2.5">Started</th>
              <th scope="col" className="px-4 py-2.5">Started by</th>
              <th scope="col" className="px-4 py-2.5 text-right">Duration</th>
              <th scope="col" className="px-4 py-2.5 text-right">Steps</th>
              <th scope="col" className="px-4 py-2.5 text-right">Tokens</th>
              <th scope="col" className="px-4 py-2.5 text-right">Cost</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {runs.isPending && (
              <tr>
                <td colSpan={COLUMNS} className="px-4 py-8 text-center text-slate-500">Loading…</td>
              </tr>
            )}
            {runs.isError && (
              <tr>
                <td colSpan={COLUMNS} className="px-4 py-8 text-center text-red-700">{errorMessage(runs.error)}</td>
              </tr>
            )}
            {runs.data?.length === 0 && (
              <tr>
                <td colSpan={COLUMNS} className="px-4 py-10 text-center text-slate-500">{canRun ? "No runs yet. Open a workflow and press Run." : "No runs yet."}</td>
              </tr>
            )}
            {runs.data?.map((run) => (
              <tr key={run.id} className="hover:bg-slate-50" data-run-id={run.id}>
                <td className="px-4 py-2.5">
                  <Link href={`/runs/${run.id}`} className="font-medium text-slate-900 hover:text-accent-700">
                    {run.workflowName}
                  </Link>
                  <div className="font-mono text-[11px] text-slate-400">{run.id}</div>
                </td>
                <td className="px-4 py-2.5 whitespace-nowrap">
                  <StatusBadge status={run.status} />
                </td>
                <td className="px-4 py-2.5 text-slate-600">{run.trigger}</td>
                <td className="px-4 py-2.5 whitespace-nowrap text-slate-600">{formatDateTime(run.startedAt ?? run.createdAt)}</td>
                <td className="max-w-48 truncate px-4 py-2.5 text-slate-600" data-testid="run-started-by" title={run.startedBy ?? undefined}>
                  {run.startedBy ?? <span className="text-slate-400">—</span>}
                </td>
                <td className="px-4 py-2.5 text-right text-slate-600 tabular-nums">{formatDuration(run.durationMs)}</td>
                <td className="px-4 py-2.5 text-right text-slate-600 tabular-nums">{run.stepCount}</td>
                <td className="px-4 py-2.5 text-right text-slate-600 tabular-nums">{formatTokens(run.tokens)}</td>
                <td className="px-4 py-2.5 text-right text-slate-600 tabular-nums">{formatCost(run.costUsd)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
