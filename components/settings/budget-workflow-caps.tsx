"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState, type FormEvent } from "react";
import { errorMessage, useTRPC, type RouterOutputs } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { FormError, TextField } from "@/components/ui/text-field";
import { fieldError, formError } from "./form-errors";
import { SELECT } from "./role-badge";
import { Card, SuccessNote, TD, TH } from "./section";

type Budget = RouterOutputs["budgets"]["get"];
type WorkflowCap = Budget["workflowCaps"][number];

const usd = (value: number) => `$${value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

function useRefreshBudget() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => void queryClient.invalidateQueries(trpc.budgets.get.queryFilter());
}

/**
 * Settings → Budget, "Workflow caps": workflows with a monthly cap of their own (beside the
 * workspace's), what each spent this month (its runs and their child runs), and, for admins,
 * a form to set one and a Remove per row.
 */
export function WorkflowCapsCard({ budget, canSet }: { budget: Budget; canSet: boolean }) {
  const caps = budget.workflowCaps;
  return (
    <Card
      title="Workflow caps"
      description="A workflow can have a monthly cap of its own; the workspace's cap applies too, and whichever is reached first stops its runs. Child runs (for-each items, sub-workflows) count toward the workflow that started them."
      flush
      testId="budget-workflow-caps"
    >
      <table className="w-full text-left text-sm">
        <thead className="border-b border-slate-100 text-xs text-slate-500">
          <tr>
            <th className={TH}>Workflow</th>
            <th className={`${TH} text-right whitespace-nowrap`}>Cap per month</th>
            <th className={`${TH} text-right whitespace-nowrap`}>Spent this month</th>
            <th className={TH}>State</th>
            {canSet && <th className={TH} aria-label="Actions" />}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {caps.length === 0 && (
            <tr>
              <td colSpan={canSet ? 5 : 4} className="h-16 px-4 text-center text-sm text-slate-500">
                No workflow has a cap of its own.
              </td>
            </tr>
          )}
          {caps.map((cap) => (
            <WorkflowCapRow key={cap.workflowId} cap={cap} canSet={canSet} />
          ))}
        </tbody>
      </table>
      {canSet && <WorkflowCapForm caps={caps} />}
    </Card>
  );
}

function capState(cap: WorkflowCap) {
  if (cap.blocking) return <span className="font-medium whitespace-nowrap text-red-700" title="New runs are refused and running runs pause at their next step">Reached: runs stop</span>;
  if (cap.reached) return <span className="font-medium whitespace-nowrap text-amber-700" title="The owner's override lets runs go on">Reached, overridden</span>;
  return <span className="whitespace-nowrap text-slate-600">{usd(Math.max(0, cap.capUsd - cap.spentUsd))} left</span>;
}

function WorkflowCapRow({ cap, canSet }: { cap: WorkflowCap; canSet: boolean }) {
  const trpc = useTRPC();
  const refresh = useRefreshBudget();
  const remove = useMutation(trpc.budgets.removeWorkflowCap.mutationOptions({ onSuccess: refresh }));
  return (
    <tr data-testid="workflow-cap-row">
      <td className={TD}>
        <Link className="font-medium text-slate-900 hover:underline" href={`/workflows/${cap.workflowId}`}>
          {cap.name}
        </Link>
        {remove.error && <p className="mt-1 text-xs text-red-600">{errorMessage(remove.error)}</p>}
      </td>
      <td className={`${TD} text-right tabular-nums`}>{usd(cap.capUsd)}</td>
      <td className={`${TD} text-right tabular-nums`}>{usd(cap.spentUsd)}</td>
      <td className={TD}>{capState(cap)}</td>
      {canSet && (
        <td className={`${TD} text-right`}>
          <Button size="sm" variant="ghost" disabled={remove.isPending} onClick={() => remove.mutate({ workflowId: cap.workflowId })} aria-label={`Remove the cap of ${cap.name}`}>
            Remove
          </Button>
        </td>
      )}
    </tr>
  );
}

function WorkflowCapForm({ caps }: { caps: WorkflowCap[] }) {
  const trpc = useTRPC();
  const refresh = useRefreshBudget();
  const selectId = useId();
  const workflows = useQuery({ ...trpc.workflow.list.queryOptions(), staleTime: 60_000 });
  const [picked, setPicked] = useState<string | null>(null);
  const [amount, setAmount] = useState("");
  const [saved, setSaved] = useState<string | null>(null);
  const set = useMutation(
    trpc.budgets.setWorkflowCap.mutationOptions({
      onSuccess: (next, input) => {
        const name = next.workflowCaps.find((cap) => cap.workflowId === input.workflowId)?.name ?? "the workflow";
        setSaved(`The monthly cap of ${name} is now ${usd(input.monthlyCapUsd)}.`);
        setAmount("");
        setPicked(null);
        refresh();
      },
    }),
  );
  const capped = new Set(caps.map((cap) => cap.workflowId));
  const list = workflows.data ?? [];
  // By default the first workflow without a cap: setting one on a capped workflow changes it.
  const workflowId = picked ?? list.find((workflow) => !capped.has(workflow.id))?.id ?? list[0]?.id ?? "";
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(null);
    // An empty box is no amount (sent as NaN, which JSON carries as null: the server names the field), never $0.
    set.mutate({ workflowId, monthlyCapUsd: amount.trim() === "" ? Number.NaN : Number(amount) });
  };
  const workflowError = fieldError(set.error, "workflowId", "The workflow");
  return (
    // noValidate: the server's message shows under the field (the same for every client), not the browser's bubble.
    <form onSubmit={submit} noValidate className="border-t border-slate-100 px-5 py-4" autoComplete="off" aria-label="Set a workflow's cap">
      <div className="flex flex-wrap items-start gap-3">
        <div className="min-w-56 flex-1 text-sm">
          <label htmlFor={selectId} className="font-medium text-slate-700">
            Workflow
          </label>
          <select
            id={selectId}
            value={workflowId}
            onChange={(event) => setPicked(event.target.value)}
            disabled={list.length === 0}
            aria-invalid={workflowError ? true : undefined}
            className={`${SELECT} mt-1 h-9 w-full`}
          >
            {list.length === 0 && <option value="">{workflows.isPending ? "Loading workflows…" : "No workflows yet"}</option>}
            {list.map((workflow) => (
              <option key={workflow.id} value={workflow.id}>
                {workflow.name}
                {capped.has(workflow.id) ? " (has a cap)" : ""}
              </option>
            ))}
          </select>
          {workflows.isError && <p className="mt-1 text-xs text-red-600">{errorMessage(workflows.error)}</p>}
          {workflowError && <p className="mt-1 text-xs text-red-600">{workflowError}</p>}
        </div>
        <TextField
          className="w-48"
          label="Monthly cap, USD"
          type="number"
          min={0}
          step="any"
          value={amount}
          onChange={(event) => setAmount(event.target.value)}
          error={fieldError(set.error, "monthlyCapUsd", "The cap")}
        />
        <Button className="mt-6" type="submit" variant="primary" disabled={set.isPending || workflowId === ""}>
          Set workflow cap
        </Button>
      </div>
      <div className="mt-2 space-y-2">
        <FormError message={formError(set.error, ["workflowId", "monthlyCapUsd"])} />
        {saved && <SuccessNote>{saved}</SuccessNote>}
      </div>
    </form>
  );
}
