"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc";
import { costTitle, formatCost, formatDuration } from "@/components/ui/format";
import type { RunOpsTrends } from "@/server/runs/stats";

/** The live figures poll this often: the queue and the workers change by the second. */
const LIVE_EVERY_MS = 5_000;
/** The trends (percentiles over a week, cost per day) are heavier to compute and move slowly. */
const TRENDS_EVERY_MS = 60_000;
const TRENDS_WINDOW_HOURS = 24 * 7;

function LiveFigure({ label, value, detail, tone = "text-slate-900", testId, children }: { label: string; value: string; detail?: string; tone?: string; testId: string; children?: React.ReactNode }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-xs" data-testid={testId}>
      <div className="text-xs font-medium text-slate-500">{label}</div>
      <div className={`mt-1 text-lg font-semibold tabular-nums ${tone}`} data-testid={`${testId}-value`}>
        {value}
      </div>
      {detail && <div className="truncate text-xs text-slate-500">{detail}</div>}
      {children}
    </div>
  );
}

/** "45 s", "12 min", "3 h 5 min", "2 d 4 h": how long a task has waited. */
function formatAge(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

function seconds(value: number | null): string {
  return value === null ? "—" : formatDuration(value * 1_000);
}

/** Cost per UTC day as bars (SVG, no chart library): each bar's title gives its day and amount. */
function CostPerDayChart({ days }: { days: RunOpsTrends["costPerDay"] }) {
  const width = 280;
  const height = 96;
  const labelHeight = 14;
  const gap = 3;
  const barWidth = (width - gap * (days.length - 1)) / days.length;
  const max = Math.max(...days.map((day) => day.costUsd), 0);
  const total = days.reduce((sum, day) => sum + day.costUsd, 0);
  const unpriced = days.reduce((sum, day) => sum + day.unpricedCalls, 0);
  const chartHeight = height - labelHeight;
  return (
    <div>
      <div className="mb-1 flex items-baseline justify-between gap-2">
        <h2 className="text-xs font-medium text-slate-500">Cost per day ({days.length} days, UTC)</h2>
        <span className="text-xs tabular-nums text-slate-500" title={costTitle(unpriced)} data-testid="ops-cost-total">
          {formatCost(total, unpriced)}
        </span>
      </div>
      <svg viewBox={`0 0 ${width} ${height}`} className="h-28 w-full" role="img" aria-label={`Model cost per day for the last ${days.length} days, ${formatCost(total, unpriced)} in all`} data-testid="ops-cost-chart">
        <line x1={0} x2={width} y1={chartHeight + 0.5} y2={chartHeight + 0.5} className="stroke-slate-300" strokeWidth={1} />
        {days.map((day, index) => {
          const x = index * (barWidth + gap);
          // A day with calls but $0 still shows a sliver, so "free" differs from "nothing ran".
          const barHeight = max > 0 ? Math.max((day.costUsd / max) * (chartHeight - 4), day.calls > 0 ? 1.5 : 0) : day.calls > 0 ? 1.5 : 0;
          const label = day.day.slice(5);
          return (
            <g key={day.day} data-testid="ops-cost-bar" data-day={day.day} data-cost={day.costUsd.toFixed(6)}>
              <title>{`${day.day}: ${formatCost(day.costUsd, day.unpricedCalls)} · ${day.calls} model call${day.calls === 1 ? "" : "s"}`}</title>
              {/* The whole column answers hover, not just the (maybe tiny) bar. */}
              <rect x={x} y={0} width={barWidth} height={chartHeight} className="fill-transparent" />
              <rect x={x} y={chartHeight - barHeight} width={barWidth} height={barHeight} rx={1.5} className={day.unpricedCalls > 0 ? "fill-amber-500" : "fill-accent-500"} />
              {(index % 2 === (days.length - 1) % 2) && (
                <text x={x + barWidth / 2} y={height - 2} textAnchor="middle" className="fill-slate-500" fontSize={8}>
                  {label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </div>
  );
}

/**
 * The operations row of the Runs dashboard: this workspace's queue (queued and running runs),
 * the workers online (the instance's, a count only), the oldest task waiting for a person, and
 * per-workflow p50/p95 duration and success rate with the cost per day. Data:
 * `run.opsLive` (every 5 s) and `run.opsTrends` (every minute), server/runs/stats.ts.
 */
export function RunsOps() {
  const trpc = useTRPC();
  const live = useQuery(trpc.run.opsLive.queryOptions(undefined, { refetchInterval: LIVE_EVERY_MS }));
  const trends = useQuery(trpc.run.opsTrends.queryOptions({ sinceHours: TRENDS_WINDOW_HOURS }, { refetchInterval: TRENDS_EVERY_MS }));
  const liveData = live.data;
  const trendData = trends.data;
  if (!liveData && !trendData) return null;

  return (
    <section aria-label="Operations" className="space-y-3" data-testid="runs-ops">
      {liveData && (
        <div className="grid grid-cols-2 gap-3 md:grid-cols-3">
          <LiveFigure label="Queue (this workspace)" value={`${liveData.queued} queued`} detail={`${liveData.running} running now`} testId="ops-queue" tone={liveData.queued > 0 ? "text-amber-700" : "text-slate-900"} />
          <LiveFigure
            label="Workers online (all workspaces)"
            value={liveData.workersOnline === null ? "unknown" : String(liveData.workersOnline)}
            detail={liveData.workerSlots === null ? "Redis did not answer" : `${liveData.workerSlots} run slots`}
            tone={liveData.workersOnline === 0 ? "text-red-700" : "text-slate-900"}
            testId="ops-workers"
          />
          <LiveFigure
            label="Oldest waiting task"
            value={liveData.oldestPendingTask ? formatAge(liveData.oldestPendingTask.ageSeconds) : "none"}
            tone={liveData.oldestPendingTask ? "text-amber-700" : "text-slate-900"}
            testId="ops-oldest-task"
          >
            {liveData.oldestPendingTask && (
              <Link href={`/runs/${liveData.oldestPendingTask.runId}`} className="block truncate text-xs text-accent-700 hover:underline" title={liveData.oldestPendingTask.message}>
                {liveData.oldestPendingTask.workflowName}: {liveData.oldestPendingTask.message}
              </Link>
            )}
          </LiveFigure>
        </div>
      )}
      {trendData && (
        <div className="grid gap-3 md:grid-cols-5">
          <div className="rounded-lg border border-slate-200 bg-white p-3 shadow-xs md:col-span-3">
            <h2 className="mb-2 text-xs font-medium text-slate-500">Duration and success by workflow (runs ended, 7 days)</h2>
            <table className="w-full table-fixed text-sm" data-testid="ops-workflows">
              <thead>
                <tr className="text-left text-xs text-slate-500">
                  <th className="py-1 font-medium">Workflow</th>
                  <th className="w-12 py-1 text-right font-medium">Runs</th>
                  <th className="w-16 py-1 text-right font-medium">Success</th>
                  <th className="w-20 py-1 text-right font-medium">p50</th>
                  <th className="w-20 py-1 text-right font-medium">p95</th>
                </tr>
              </thead>
              <tbody>
                {trendData.byWorkflow.slice(0, 8).map((row) => (
                  <tr key={row.workflowId} className="border-t border-slate-100" data-testid="ops-workflow-row">
                    <td className="truncate py-1 pr-2" title={row.name}>
                      <Link href={`/workflows/${row.workflowId}`} className="text-slate-700 hover:underline">
                        {row.name}
                      </Link>
                    </td>
                    <td className="py-1 text-right tabular-nums text-slate-600">{row.finished}</td>
                    <td className={`py-1 text-right tabular-nums ${row.successRate !== null && row.successRate < 0.9 ? "text-red-700" : "text-emerald-700"}`}>
                      {row.successRate === null ? "—" : `${Math.round(row.successRate * 100)}%`}
                    </td>
                    <td className="py-1 text-right tabular-nums text-slate-600">{seconds(row.p50Seconds)}</td>
                    <td className="py-1 text-right tabular-nums text-slate-600">{seconds(row.p95Seconds)}</td>
                  </tr>
                ))}
                {trendData.byWorkflow.length === 0 && (
                  <tr>
                    <td colSpan={5} className="py-1 text-slate-400">
                      No run ended in the last 7 days
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
          <div className="rounded-lg border border-slate-200 bg-white p-3 shadow-xs md:col-span-2">
            <CostPerDayChart days={trendData.costPerDay} />
          </div>
        </div>
      )}
    </section>
  );
}
