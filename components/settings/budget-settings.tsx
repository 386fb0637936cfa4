"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useCan } from "@/components/session/session-context";
import { errorMessage, useTRPC, type RouterOutputs } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { FormError, TextField } from "@/components/ui/text-field";
import { formatDateTime } from "@/components/ui/format";
import { WorkflowCapsCard } from "./budget-workflow-caps";
import { fieldError, formError } from "./form-errors";
import { Card, RoleNote, SettingsHeader, SuccessNote } from "./section";

type Budget = RouterOutputs["budgets"]["get"];

const usd = (value: number) => `$${value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

function monthLabel(monthStart: Date): string {
  return monthStart.toLocaleString("en-US", { month: "long", year: "numeric", timeZone: "UTC" });
}

/**
 * /settings/budget: the month's model spend against the workspace's cap, the cap (admins),
 * workflows' own caps (admins), an override (owners) and the runs the budgets paused.
 * Everyone who sees runs can read it.
 */
export function BudgetSettings() {
  const trpc = useTRPC();
  const canSet = useCan("credential:manage");
  const canOverride = useCan("workspace:manage");
  const budget = useQuery(trpc.budgets.get.queryOptions());
  return (
    <div>
      <SettingsHeader
        title="Budget"
        description="A monthly cap on what model calls cost (tokens × Model prices), counted per calendar month in UTC, for the workspace and, if you like, for single workflows. When the month's spend reaches a cap, new runs are refused and running runs pause before their next model or tool call."
      />
      {!canSet && <RoleNote title="Only admins can set the budget, and only owners can override it.">You can see this month&apos;s spend against the caps.</RoleNote>}
      {budget.isPending && <p className="text-sm text-slate-500">Loading the budget…</p>}
      {budget.isError && <FormError message={errorMessage(budget.error)} />}
      {budget.data && (
        <>
          <SpendCard budget={budget.data} workflowCaps={budget.data.workflowCaps.length} />
          {budget.data.pausedRuns > 0 && <PausedRunsCard budget={budget.data} />}
          {canSet && <CapCard budget={budget.data} />}
          <WorkflowCapsCard budget={budget.data} canSet={canSet} />
          {/* One override lifts the workspace's cap and every workflow's (server/ops/budgets.ts says why). */}
          {canOverride && (budget.data.capUsd !== null || budget.data.workflowCaps.length > 0) && <OverrideCard budget={budget.data} />}
        </>
      )}
    </div>
  );
}

function SpendCard({ budget, workflowCaps }: { budget: Budget; workflowCaps: number }) {
  const cap = budget.capUsd;
  const share = cap === null ? 0 : cap === 0 ? 1 : Math.min(1, budget.spentUsd / cap);
  const tone = budget.blocking ? "bg-red-500" : budget.reached ? "bg-amber-500" : share >= 0.8 ? "bg-amber-400" : "bg-emerald-500";
  return (
    <Card title={`Spend in ${monthLabel(new Date(budget.monthStart))}`} testId="budget-spend">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <p className="text-2xl font-semibold text-slate-900 tabular-nums" data-testid="budget-spent">
          {usd(budget.spentUsd)}
          {budget.unpricedCalls > 0 && <span className="ml-1 text-sm font-normal text-slate-500" title="Some model calls had no known price: the spend is at least this">+ unknown</span>}
          <span className="ml-2 text-sm font-normal text-slate-500">{cap === null ? "no cap" : `of ${usd(cap)}`}</span>
        </p>
        <p className="text-sm text-slate-500">
          {budget.runs} run{budget.runs === 1 ? "" : "s"} this month
          {budget.capSource === "env" && " · cap from MAX_MONTHLY_COST"}
        </p>
      </div>
      {cap !== null && (
        <div
          className="mt-3 h-2.5 w-full overflow-hidden rounded-full bg-slate-100"
          role="progressbar"
          aria-label="Spend against the monthly cap"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(share * 100)}
        >
          <div className={`h-full rounded-full ${tone}`} style={{ width: `${Math.max(share * 100, budget.spentUsd > 0 ? 1 : 0)}%` }} />
        </div>
      )}
      <p className="mt-3 text-sm" data-testid="budget-state">
        {cap === null ? (
          <span className="text-slate-500">
            {workflowCaps > 0
              ? `No workspace cap: only the ${workflowCaps === 1 ? "workflow cap below stops" : `${workflowCaps} workflow caps below stop`} runs for cost. Set one below, or set MAX_MONTHLY_COST for every workspace.`
              : "No cap: runs are never stopped for cost. Set one below, or set MAX_MONTHLY_COST for every workspace."}
          </span>
        ) : budget.blocking ? (
          <span className="font-medium text-red-700">The budget is reached: new runs are refused and running runs pause at their next step.</span>
        ) : budget.overrideUntil ? (
          <span className="font-medium text-amber-700">
            Runs may go over the budget until {formatDateTime(budget.overrideUntil)} (allowed by {budget.overrideBy}).
          </span>
        ) : (
          <span className="text-slate-600">{usd(Math.max(0, cap - budget.spentUsd))} left this month.</span>
        )}
      </p>
    </Card>
  );
}

function useRefreshBudget() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => void queryClient.invalidateQueries(trpc.budgets.get.queryFilter());
}

function PausedRunsCard({ budget }: { budget: Budget }) {
  const trpc = useTRPC();
  const canResume = useCan("run:control");
  const refresh = useRefreshBudget();
  const resume = useMutation(trpc.budgets.resumePaused.mutationOptions({ onSuccess: refresh }));
  return (
    <Card title="Runs paused by the budget" testId="budget-paused">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-slate-600">
          {budget.pausedRuns} run{budget.pausedRuns === 1 ? " is" : "s are"} paused until the budget allows {budget.pausedRuns === 1 ? "it" : "them"} to go on: raise the cap (the workspace&apos;s or the workflow&apos;s) or allow an override, then resume.
        </p>
        {canResume && (
          <Button onClick={() => resume.mutate()} disabled={resume.isPending}>
            Resume paused runs
          </Button>
        )}
      </div>
      {resume.error && (
        <div className="mt-2">
          <FormError message={errorMessage(resume.error)} />
        </div>
      )}
      {resume.data && (
        <p className="mt-2 text-sm text-emerald-700">
          Resumed {resume.data.resumed} run{resume.data.resumed === 1 ? "" : "s"}.
          {resume.data.stillBlocked > 0 && (
            <span className="text-amber-700">
              {" "}
              {resume.data.stillBlocked} stay{resume.data.stillBlocked === 1 ? "s" : ""} paused: {resume.data.stillBlocked === 1 ? "its workflow's" : "their workflows'"} cap is still reached.
            </span>
          )}
        </p>
      )}
    </Card>
  );
}

function CapCard({ budget }: { budget: Budget }) {
  const trpc = useTRPC();
  const refresh = useRefreshBudget();
  const [cap, setCap] = useState(budget.workspaceCapUsd === null ? "" : String(budget.workspaceCapUsd));
  const [saved, setSaved] = useState<string | null>(null);
  const set = useMutation(
    trpc.budgets.set.mutationOptions({
      onSuccess: (next) => {
        setSaved(next.workspaceCapUsd === null ? "The workspace's own cap is removed." : `The monthly cap is now ${usd(next.workspaceCapUsd)}.`);
        refresh();
      },
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(null);
    // An empty box removes the workspace's own cap (MAX_MONTHLY_COST then applies, if set); never $0.
    set.mutate({ monthlyCapUsd: cap.trim() === "" ? null : Number(cap) });
  };
  const envNote = budget.envCapUsd === null ? "Leave empty for no cap." : `Leave empty to use the server's default, ${usd(budget.envCapUsd)} (MAX_MONTHLY_COST).`;
  return (
    <Card title="Monthly cap" description={`USD of model spend per calendar month (UTC). ${envNote}`}>
      <form onSubmit={submit} className="max-w-md space-y-3" autoComplete="off">
        <TextField
          label="Cap, USD per month"
          type="number"
          min={0}
          step="any"
          placeholder={budget.envCapUsd === null ? "No cap" : String(budget.envCapUsd)}
          value={cap}
          onChange={(event) => setCap(event.target.value)}
          error={fieldError(set.error, "monthlyCapUsd", "The cap")}
        />
        <FormError message={formError(set.error, ["monthlyCapUsd"])} />
        {saved && <SuccessNote>{saved}</SuccessNote>}
        <Button type="submit" variant="primary" disabled={set.isPending}>
          Save cap
        </Button>
      </form>
    </Card>
  );
}

/** The local date-time input's value for `date` (what `<input type="datetime-local">` shows). */
function localInputValue(date: Date): string {
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

function OverrideCard({ budget }: { budget: Budget }) {
  const trpc = useTRPC();
  const refresh = useRefreshBudget();
  const [until, setUntil] = useState(() => localInputValue(new Date(Date.now() + 7 * 86_400_000)));
  const override = useMutation(trpc.budgets.override.mutationOptions({ onSuccess: refresh }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const date = new Date(until);
    override.mutate({ until: Number.isNaN(date.getTime()) ? until : date.toISOString() });
  };
  return (
    <Card title="Override" description="Owners only. Lets runs start and go on over the caps (the workspace's and every workflow's) until a date; recorded in the audit log.">
      {budget.overrideUntil ? (
        <div className="flex flex-wrap items-center justify-between gap-3">
          <p className="text-sm text-slate-600">Runs may go over the budget until {formatDateTime(budget.overrideUntil)}.</p>
          <Button onClick={() => override.mutate({ until: null })} disabled={override.isPending}>
            End the override
          </Button>
        </div>
      ) : (
        <form onSubmit={submit} className="flex max-w-xl flex-wrap items-end gap-3" autoComplete="off">
          <TextField className="min-w-56 flex-1" label="Allow runs over the budget until" type="datetime-local" required value={until} onChange={(event) => setUntil(event.target.value)} error={fieldError(override.error, "until", "The date")} />
          <Button type="submit" variant="primary" disabled={override.isPending}>
            Allow override
          </Button>
        </form>
      )}
      <div className="mt-2">
        <FormError message={formError(override.error, ["until"])} />
      </div>
    </Card>
  );
}
