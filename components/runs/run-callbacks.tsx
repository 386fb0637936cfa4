"use client";

import { useQuery } from "@tanstack/react-query";
import { errorMessage, useTRPC } from "@/components/trpc";
import { formatDateTime, formatDuration } from "@/components/ui/format";

const STATUS_STYLES: Record<string, string> = {
  delivered: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  pending: "bg-sky-50 text-sky-700 ring-sky-200",
  waiting: "bg-slate-50 text-slate-600 ring-slate-200",
  failed: "bg-red-50 text-red-700 ring-red-200",
};

const STATUS_LABELS: Record<string, string> = {
  delivered: "Delivered",
  pending: "Retrying",
  waiting: "Sent when the run ends",
  failed: "Failed",
};

/**
 * The run page's delivery log of run-finished callbacks: where each went (the URL's path
 * masked), its status, and every attempt with the receiver's status code, error and duration.
 * Renders nothing when the run has no callback.
 */
export function RunCallbacks({ runId, live = false }: { runId: string; live?: boolean }) {
  const trpc = useTRPC();
  const log = useQuery(
    trpc.callbacks.runLog.queryOptions(
      { runId },
      {
        // Only while a delivery is still to come: a run without callbacks, or whose callbacks are settled, is not polled.
        refetchInterval: (query) => (query.state.data?.some((row) => row.status === "pending" || row.status === "waiting") ? (live ? 3_000 : 15_000) : false),
      },
    ),
  );
  if (log.error) return <p className="text-xs text-red-600">{errorMessage(log.error)}</p>;
  if (!log.data || log.data.length === 0) return null;

  return (
    <section aria-label="Run-finished callbacks" className="space-y-2" data-testid="run-callbacks">
      <h2 className="text-sm font-semibold text-slate-700">Callbacks</h2>
      {log.data.map((callback) => (
        <div key={callback.id} className="rounded-md border border-slate-200 bg-white">
          <div className="flex flex-wrap items-center gap-2 border-b border-slate-100 px-3 py-2 text-xs">
            <span className={`rounded-full px-1.5 py-px text-[10px] font-semibold uppercase ring-1 ring-inset ${STATUS_STYLES[callback.status] ?? STATUS_STYLES.waiting}`}>
              {STATUS_LABELS[callback.status] ?? callback.status}
            </span>
            <code className="font-mono text-slate-700">{callback.target}</code>
            <span className="text-slate-500">{callback.source === "request" ? "from the trigger request" : "the workflow's callback"}</span>
            <span className="ml-auto text-slate-500">
              {callback.attempts} attempt{callback.attempts === 1 ? "" : "s"}
            </span>
          </div>
          {callback.log.length > 0 && (
            <table className="w-full text-left text-xs">
              <thead className="text-[11px] text-slate-500">
                <tr>
                  <th className="px-3 py-1 font-medium">#</th>
                  <th className="px-3 py-1 font-medium">At</th>
                  <th className="px-3 py-1 font-medium">Answer</th>
                  <th className="px-3 py-1 font-medium">Took</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {callback.log.map((attempt) => (
                  <tr key={attempt.id} data-testid="callback-attempt">
                    <td className="px-3 py-1 text-slate-500">{attempt.attempt}</td>
                    <td className="px-3 py-1 whitespace-nowrap text-slate-600">{formatDateTime(attempt.at)}</td>
                    <td className={`px-3 py-1 ${attempt.error ? "text-red-700" : "text-emerald-700"}`}>
                      {attempt.error ?? `HTTP ${attempt.statusCode ?? "?"}`}
                    </td>
                    <td className="px-3 py-1 text-slate-500">{formatDuration(attempt.durationMs)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      ))}
    </section>
  );
}
