"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect } from "react";
import { useTRPC, type RouterOutputs } from "@/components/trpc";
import { formatDateTime } from "@/components/ui/format";
import { StatusBadge } from "@/components/ui/status-badge";
import { ChildRunsList, RunCaller } from "./child-runs";

type RunDetail = RouterOutputs["run"]["get"];
type LineageFields = Pick<RunDetail, "id" | "parentRunId" | "origin" | "forkedAtSeq">;

export function compareHref(a: string, b: string): string {
  return `/runs/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`;
}

/** Where this run came from, in the run's header: "Forked from <run> at event #N" or "Re-run of <run>". */
export function RunOrigin({ run }: { run: LineageFields }) {
  if (!run.parentRunId) return null;
  const parent = (
    <Link href={`/runs/${run.parentRunId}`} className="font-mono text-accent-700 hover:underline">
      {run.parentRunId}
    </Link>
  );
  return (
    <p data-testid="run-origin" className="flex flex-wrap items-center gap-x-2 text-xs text-slate-600">
      <span className="rounded-full bg-accent-50 px-2 py-0.5 text-[11px] font-semibold text-accent-700 uppercase">{run.origin === "fork" ? "Fork" : "Re-run"}</span>
      <span>
        {run.origin === "fork" ? (
          <>
            Forked from {parent} at event #{run.forkedAtSeq}
          </>
        ) : (
          <>Re-run of {parent}</>
        )}
      </span>
      <Link href={compareHref(run.parentRunId, run.id)} className="font-medium text-accent-700 hover:underline">
        Compare with parent
      </Link>
    </p>
  );
}

/**
 * The run's family: its parent, and the re-runs and forks made from it with their status.
 * Read fresh when the tab opens (children are added from other pages, and their status moves).
 */
export function RunLineagePanel({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const run = useQuery(trpc.run.get.queryOptions({ runId }, { refetchOnWindowFocus: false, staleTime: Infinity }));
  const { refetch } = run;
  useEffect(() => {
    void refetch();
  }, [refetch]);

  if (!run.data) return <p className="px-4 py-3 text-sm text-slate-500">Loading…</p>;
  const { children } = run.data;
  return (
    <div className="space-y-4 px-4 py-3 text-sm" data-testid="run-lineage">
      <section>
        <h3 className="mb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">Parent</h3>
        {run.data.parentRunId ? (
          <RunOrigin run={run.data} />
        ) : run.data.callerRunId ? (
          <RunCaller run={run.data} />
        ) : (
          <p className="text-slate-500">An original run (not a re-run or a fork).</p>
        )}
      </section>
      {run.data.graph.nodes.some((node) => node.type === "for_each" || node.type === "subworkflow") && (
        <section>
          <h3 className="mb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">Runs it started</h3>
          <ChildRunsList runId={runId} />
        </section>
      )}
      <section>
        <h3 className="mb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">Re-runs and forks ({children.length})</h3>
        {children.length === 0 ? (
          <p className="text-slate-500">None yet. Use “Run again”, or pick an event and “Fork from here”.</p>
        ) : (
          <ul className="divide-y divide-slate-100 rounded-md border border-slate-200" aria-label="Re-runs and forks">
            {children.map((child) => (
              <li key={child.id} data-child-run-id={child.id} className="flex items-center gap-2 px-2.5 py-2">
                <div className="min-w-0 flex-1">
                  <Link href={`/runs/${child.id}`} className="block truncate font-mono text-xs text-accent-700 hover:underline">
                    {child.id}
                  </Link>
                  <p className="text-[11px] text-slate-500">
                    {child.origin === "fork" ? `Fork at event #${child.forkedAtSeq}` : "Re-run"} · {formatDateTime(child.createdAt)}
                  </p>
                </div>
                <StatusBadge status={child.status} />
                <Link href={compareHref(runId, child.id)} className="text-xs font-medium text-accent-700 hover:underline">
                  Compare
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
