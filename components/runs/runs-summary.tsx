"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc";
import { costTitle, formatCost, formatTokens, plural } from "@/components/ui/format";
import { RunsOps } from "@/components/runs/runs-ops";

const WINDOW_HOURS = 24 * 7;

function Figure({ label, value, tone = "text-slate-900", testId, title }: { label: string; value: string; tone?: string; testId?: string; title?: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-xs" title={title}>
      <div className="text-xs font-medium text-slate-500">{label}</div>
      <div className={`mt-1 text-lg font-semibold tabular-nums ${tone}`} data-testid={testId}>
        {value}
      </div>
    </div>
  );
}

/** The dashboard: what ran in the last 7 days, the operations figures (runs-ops.tsx), what it cost (by workflow and provider), what failed. */
export function RunsSummary() {
  const trpc = useTRPC();
  const stats = useQuery(trpc.run.stats.queryOptions({ sinceHours: WINDOW_HOURS }, { refetchInterval: 10_000 }));
  const data = stats.data;
  if (!data) return null;
  const failed = data.statusCounts.failed ?? 0;
  const succeeded = data.statusCounts.succeeded ?? 0;
  const finished = succeeded + failed + (data.statusCounts.rejected ?? 0) + (data.statusCounts.cancelled ?? 0);
  const waiting = data.statusCounts.waiting_for_human ?? 0;

  return (
    <section aria-label="Last 7 days" className="mb-6 space-y-3">
      <div className="grid grid-cols-2 gap-3 md:grid-cols-5">
        <Figure label="Runs (7 days)" value={String(data.runs)} testId="stat-runs" />
        <Figure label="Succeeded" value={finished === 0 ? "—" : `${Math.round((succeeded / finished) * 100)}%`} tone="text-emerald-700" />
        <Figure label="Failed" value={String(failed)} tone={failed > 0 ? "text-red-700" : "text-slate-900"} testId="stat-failed" />
        <Figure label="Waiting for a person" value={String(waiting)} tone={waiting > 0 ? "text-amber-700" : "text-slate-900"} />
        <Figure label="Cost · tokens" value={`${formatCost(data.costUsd, data.unpricedCalls)} · ${formatTokens(data.tokens)}`} title={costTitle(data.unpricedCalls)} testId="stat-cost" />
      </div>
      <RunsOps />
      <div className="grid gap-3 md:grid-cols-3">
        <div className="rounded-lg border border-slate-200 bg-white p-3 shadow-xs">
          <h2 className="mb-2 text-xs font-medium text-slate-500">Cost by workflow</h2>
          <ul className="space-y-1 text-sm">
            {data.byWorkflow.slice(0, 5).map((row) => (
              <li key={row.workflowId} className="flex justify-between gap-2">
                <Link href={`/workflows/${row.workflowId}`} className="truncate text-slate-700 hover:underline">
                  {row.name}
                </Link>
                <span className="shrink-0 tabular-nums text-slate-500" title={costTitle(row.unpricedCalls)}>
                  {plural(row.runs, "run")} · {formatCost(row.costUsd, row.unpricedCalls)}
                </span>
              </li>
            ))}
            {data.byWorkflow.length === 0 && <li className="text-slate-400">No runs yet</li>}
          </ul>
        </div>
        <div className="rounded-lg border border-slate-200 bg-white p-3 shadow-xs">
          <h2 className="mb-2 text-xs font-medium text-slate-500">Cost by provider</h2>
          <ul className="space-y-1 text-sm">
            {data.byProvider.map((row) => (
              <li key={row.provider} className="flex justify-between gap-2">
                <span className="text-slate-700">{row.provider}</span>
                <span className="tabular-nums text-slate-500" title={costTitle(row.unpricedCalls)}>
                  {plural(row.calls, "call")} · {formatTokens(row.tokens)} tok · {formatCost(row.costUsd, row.unpricedCalls)}
                </span>
              </li>
            ))}
            {data.byProvider.length === 0 && <li className="text-slate-400">No model calls yet</li>}
          </ul>
        </div>
        <div className="rounded-lg border border-slate-200 bg-white p-3 shadow-xs">
          <h2 className="mb-2 text-xs font-medium text-slate-500">Latest failures</h2>
          <ul className="space-y-1 text-sm">
            {data.failures.map((run) => (
              <li key={run.id} className="truncate">
                <Link href={`/runs/${run.id}`} className="text-red-700 hover:underline">
                  {run.workflowName}
                </Link>
                <span className="text-slate-500"> — {run.error ?? "failed"}</span>
              </li>
            ))}
            {data.failures.length === 0 && <li className="text-slate-400">No failures</li>}
          </ul>
        </div>
      </div>
    </section>
  );
}
