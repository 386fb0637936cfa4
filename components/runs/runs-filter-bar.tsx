"use client";

import { RUN_TRIGGERS, triggerLabel } from "@/lib/run-triggers";
import { useQuery } from "@tanstack/react-query";
import { useId } from "react";
import type { RunStatus } from "@/server/engine/events";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { FILTER_FIELD, FILTER_LABEL, SearchBox } from "@/components/ui/search-box";
import type { UrlStateChange } from "@/components/ui/use-url-state";
import { runStatusLabel } from "@/components/ui/status-badge";
import { VersionFilterChip } from "./version-filter-chip";
import { EMPTY_FILTERS, hasFilters, RUN_STATUSES, type RunFilters, type RunTriggerFilter } from "./run-filters";



const STATUS_CHIP: Record<RunStatus, string> = {
  queued: "aria-pressed:bg-slate-700 aria-pressed:text-white aria-pressed:ring-slate-700",
  running: "aria-pressed:bg-accent-600 aria-pressed:text-white aria-pressed:ring-accent-600",
  waiting_for_human: "aria-pressed:bg-amber-700 aria-pressed:text-white aria-pressed:ring-amber-700",
  paused: "aria-pressed:bg-slate-600 aria-pressed:text-white aria-pressed:ring-slate-600",
  succeeded: "aria-pressed:bg-emerald-700 aria-pressed:text-white aria-pressed:ring-emerald-700",
  failed: "aria-pressed:bg-red-600 aria-pressed:text-white aria-pressed:ring-red-600",
  rejected: "aria-pressed:bg-orange-700 aria-pressed:text-white aria-pressed:ring-orange-700",
  cancelled: "aria-pressed:bg-slate-500 aria-pressed:text-white aria-pressed:ring-slate-500",
  compensated: "aria-pressed:bg-violet-700 aria-pressed:text-white aria-pressed:ring-violet-700",
  compensation_failed: "aria-pressed:bg-rose-700 aria-pressed:text-white aria-pressed:ring-rose-700",
};


/**
 * The Runs page's filters. Every change goes straight to `onChange` (which puts it in the
 * URL); the server does the filtering.
 */
export function RunsFilterBar({ filters, onChange, canRespond }: { filters: RunFilters; onChange: (change: UrlStateChange<RunFilters>) => void; canRespond: boolean }) {
  const trpc = useTRPC();
  const id = useId();
  const workflows = useQuery(trpc.workflow.list.queryOptions());
  const workflowOptions = [...(workflows.data ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  // Built on the filters as last asked for, not as rendered (useUrlState says why).
  const set = (patch: Partial<RunFilters>) => onChange((current) => ({ ...current, ...patch }));
  const toggleStatus = (status: RunStatus) =>
    onChange((current) => ({
      ...current,
      statuses: current.statuses.includes(status) ? current.statuses.filter((s) => s !== status) : RUN_STATUSES.filter((s) => s === status || current.statuses.includes(s)),
    }));

  return (
    <section aria-label="Filters" className="space-y-3 border-b border-slate-200 px-4 py-3">
      <div className="flex flex-wrap items-end gap-3">
        <SearchBox placeholder="Run id, or words in the input (3+ characters)" value={filters.q} onSearch={(q) => set({ q })} />
        <div>
          <label htmlFor={`${id}-workflow`} className={FILTER_LABEL}>
            Workflow
          </label>
          <select
            id={`${id}-workflow`}
            value={filters.workflowId ?? ""}
            onChange={(event) => set({ workflowId: event.target.value || null })}
            className={`${FILTER_FIELD} mt-1 block w-52`}
          >
            <option value="">All workflows</option>
            {/* A workflow from a shared link that is not in the list (deleted, another workspace's). */}
            {filters.workflowId && workflows.data && !workflowOptions.some((w) => w.id === filters.workflowId) && <option value={filters.workflowId}>{filters.workflowId}</option>}
            {workflowOptions.map((workflow) => (
              <option key={workflow.id} value={workflow.id}>
                {workflow.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={`${id}-trigger`} className={FILTER_LABEL}>
            Trigger
          </label>
          <select
            id={`${id}-trigger`}
            value={filters.trigger ?? ""}
            onChange={(event) => set({ trigger: (event.target.value || null) as RunTriggerFilter | null })}
            className={`${FILTER_FIELD} mt-1 block w-32`}
          >
            <option value="">Any</option>
            {RUN_TRIGGERS.map((trigger) => (
              <option key={trigger} value={trigger}>
                {triggerLabel(trigger)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={`${id}-from`} className={FILTER_LABEL}>
            From
          </label>
          <input
            id={`${id}-from`}
            type="date"
            value={filters.from ?? ""}
            max={filters.to ?? undefined}
            onChange={(event) => set({ from: event.target.value || null })}
            className={`${FILTER_FIELD} mt-1 block w-38`}
          />
        </div>
        <div>
          <label htmlFor={`${id}-to`} className={FILTER_LABEL}>
            To
          </label>
          <input
            id={`${id}-to`}
            type="date"
            value={filters.to ?? ""}
            min={filters.from ?? undefined}
            onChange={(event) => set({ to: event.target.value || null })}
            className={`${FILTER_FIELD} mt-1 block w-38`}
          />
        </div>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <div role="group" aria-label="Status" className="flex flex-wrap items-center gap-1.5">
          <span className={`${FILTER_LABEL} mr-1`}>Status</span>
          {RUN_STATUSES.map((status) => (
            <button
              key={status}
              type="button"
              aria-pressed={filters.statuses.includes(status)}
              onClick={() => toggleStatus(status)}
              className={`rounded-full bg-white px-2.5 py-0.5 text-xs font-medium text-slate-600 ring-1 ring-slate-300 ring-inset hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-accent-500 ${STATUS_CHIP[status]}`}
            >
              {runStatusLabel(status)}
            </button>
          ))}
        </div>
        <div className="ml-auto flex items-center gap-2">
          {filters.versionId && <VersionFilterChip versionId={filters.versionId} onRemove={() => set({ versionId: null })} />}
          {canRespond && (
            <label className="flex h-7 cursor-pointer items-center gap-2 rounded-md border border-slate-300 bg-white px-2.5 text-xs font-medium text-slate-700 shadow-xs has-checked:border-amber-300 has-checked:bg-amber-50 has-checked:text-amber-800">
              <input type="checkbox" checked={filters.waitingForMe} onChange={(event) => set({ waitingForMe: event.target.checked })} className="size-3.5 accent-amber-600" />
              Waiting for me
            </label>
          )}
          {hasFilters(filters) && (
            <Button variant="ghost" size="sm" onClick={() => onChange(EMPTY_FILTERS)}>
              Clear filters
            </Button>
          )}
        </div>
      </div>
    </section>
  );
}
