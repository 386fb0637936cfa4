"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useState, type FormEvent, type ReactNode } from "react";
import type { NodeRunStatus } from "@/server/engine/state";
import { NODE_KIND_INFO } from "@/components/editor/node-kinds";
import { errorMessage, useTRPC, type RouterOutputs } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { formatCost, formatDateTime, formatDuration, formatTokens } from "@/components/ui/format";
import { StatusBadge } from "@/components/ui/status-badge";
import { compareRuns, type NodeComparison, type NodeFacts, type RunComparison } from "./compare";
import { RunOutput } from "./run-output";

type RunDetail = RouterOutputs["run"]["get"];

/** Two runs side by side, node by node, with what differs highlighted. */
export function CompareView({ a, b }: { a: string | null; b: string | null }) {
  if (!a || !b) return <PickRuns a={a ?? ""} b={b ?? ""} />;
  return <LoadedCompare key={`${a}:${b}`} a={a} b={b} />;
}

function LoadedCompare({ a, b }: { a: string; b: string }) {
  const trpc = useTRPC();
  const options = { refetchOnWindowFocus: false, staleTime: 30_000 };
  const runA = useQuery(trpc.run.get.queryOptions({ runId: a }, options));
  const runB = useQuery(trpc.run.get.queryOptions({ runId: b }, options));
  const comparison = useMemo(
    () => (runA.data && runB.data ? compareRuns(runA.data, runB.data) : null),
    [runA.data, runB.data],
  );

  const failures = [
    runA.isError ? `Run A (${a}): ${errorMessage(runA.error)}` : null,
    runB.isError ? `Run B (${b}): ${errorMessage(runB.error)}` : null,
  ].filter((message): message is string => message !== null);
  if (failures.length > 0) {
    return (
      <Page>
        <div role="alert" data-testid="compare-error" className="rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-800">
          {failures.map((message) => (
            <p key={message}>{message}</p>
          ))}
        </div>
        <PickRuns a={a} b={b} embedded />
      </Page>
    );
  }
  if (!comparison || !runA.data || !runB.data) return <Page><p className="text-sm text-slate-500">Loading runs…</p></Page>;
  return <Comparison comparison={comparison} runA={runA.data} runB={runB.data} />;
}

function Page({ children }: { children: ReactNode }) {
  return (
    <div className="min-h-0 flex-1 overflow-y-auto">
      <div className="mx-auto w-full max-w-7xl space-y-6 px-6 py-8">
        <div>
          <nav aria-label="Breadcrumb" className="text-sm">
            <Link href="/runs" className="text-slate-500 hover:text-slate-900">
              Runs
            </Link>
          </nav>
          <h1 className="mt-1 text-xl font-semibold tracking-tight text-slate-900">Compare runs</h1>
        </div>
        {children}
      </div>
    </div>
  );
}

function PickRuns({ a, b, embedded = false }: { a: string; b: string; embedded?: boolean }) {
  const router = useRouter();
  const [left, setLeft] = useState(a);
  const [right, setRight] = useState(b);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    router.push(`/runs/compare?a=${encodeURIComponent(left.trim())}&b=${encodeURIComponent(right.trim())}`);
  };
  const form = (
    <form onSubmit={submit} className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-4 shadow-xs">
      <label className="grid gap-1 text-xs font-medium text-slate-600">
        Run A
        <input value={left} onChange={(event) => setLeft(event.target.value)} required className="h-8 w-72 rounded-md border border-slate-300 px-2 font-mono text-sm" />
      </label>
      <label className="grid gap-1 text-xs font-medium text-slate-600">
        Run B
        <input value={right} onChange={(event) => setRight(event.target.value)} required className="h-8 w-72 rounded-md border border-slate-300 px-2 font-mono text-sm" />
      </label>
      <Button type="submit" variant="primary">
        Compare
      </Button>
    </form>
  );
  if (embedded) return form;
  return (
    <Page>
      <p className="text-sm text-slate-600">Pick two runs by id. A fork or a re-run links here from its page (“Compare with parent”).</p>
      {form}
    </Page>
  );
}

function Comparison({ comparison, runA, runB }: { comparison: RunComparison; runA: RunDetail; runB: RunDetail }) {
  const [onlyChanged, setOnlyChanged] = useState(false);
  const changed = comparison.nodes.filter((node) => node.changed).length;
  const shown = onlyChanged ? comparison.nodes.filter((node) => node.changed) : comparison.nodes;
  const { differs } = comparison;

  return (
    <Page>
      <section aria-label="Summary" className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-xs">
        <table className="w-full table-fixed text-sm" data-testid="compare-summary">
          <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium text-slate-500">
            <tr>
              <th scope="col" className="w-40 px-4 py-2.5">
                <span className="sr-only">Measure</span>
              </th>
              <RunHeading letter="A" run={runA} other={runB} />
              <RunHeading letter="B" run={runB} other={runA} />
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            <SummaryRow label="Status" field="status" differs={differs.status} a={<StatusBadge status={comparison.a.status} />} b={<StatusBadge status={comparison.b.status} />} />
            <SummaryRow label="Tokens" field="tokens" differs={differs.tokens} a={formatTokens(comparison.a.tokens)} b={formatTokens(comparison.b.tokens)} />
            <SummaryRow label="Cost" field="cost" differs={differs.cost} a={formatCost(comparison.a.costUsd, comparison.a.unpricedCalls)} b={formatCost(comparison.b.costUsd, comparison.b.unpricedCalls)} />
            <SummaryRow label="Duration" field="duration" differs={differs.duration} a={formatDuration(comparison.a.durationMs)} b={formatDuration(comparison.b.durationMs)} />
          </tbody>
        </table>
      </section>

      <section aria-label="Nodes" className="space-y-3">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h2 className="text-sm font-semibold text-slate-900">
            Nodes <span className="font-normal text-slate-500">· {changed === 0 ? "no differences" : `${changed} of ${comparison.nodes.length} differ`}</span>
          </h2>
          <label className="flex items-center gap-2 text-sm text-slate-600">
            <input type="checkbox" checked={onlyChanged} onChange={(event) => setOnlyChanged(event.target.checked)} className="size-4 accent-accent-600" />
            Only nodes that differ
          </label>
        </div>
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-xs">
          <table className="w-full table-fixed text-sm" data-testid="compare-nodes">
            <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium text-slate-500">
              <tr>
                <th scope="col" className="w-40 px-4 py-2.5">Node</th>
                <th scope="col" className="px-4 py-2.5">Run A</th>
                <th scope="col" className="px-4 py-2.5">Run B</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {shown.map((node) => (
                <NodeRow key={node.nodeId} node={node} />
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </Page>
  );
}

function RunHeading({ letter, run, other }: { letter: "A" | "B"; run: RunDetail; other: RunDetail }) {
  const otherLetter = letter === "A" ? "B" : "A";
  // How the two are related, when one was made from the other.
  const relation =
    run.parentRunId === other.id ? (run.origin === "fork" ? `fork of run ${otherLetter} at event #${run.forkedAtSeq}` : `re-run of run ${otherLetter}`) : null;
  return (
    <th scope="col" className="px-4 py-2.5 font-normal">
      <span className="font-medium text-slate-700">Run {letter}</span>{" "}
      <Link href={`/runs/${run.id}`} className="font-mono text-[11px] text-accent-700 hover:underline">
        {run.id}
      </Link>
      {relation && <span className="ml-2 rounded-full bg-accent-50 px-2 py-0.5 text-[11px] font-medium text-accent-700">{relation}</span>}
      <div className="mt-0.5 text-[11px] text-slate-500">
        {run.workflowName} · v{run.version} · {formatDateTime(run.createdAt)}
      </div>
    </th>
  );
}

const DIFFERS = "bg-amber-100/80 ring-1 ring-amber-300 ring-inset";

function SummaryRow({ label, field, differs, a, b }: { label: string; field: string; differs: boolean; a: ReactNode; b: ReactNode }) {
  return (
    <tr data-field={field} data-differs={differs}>
      <th scope="row" className="px-4 py-2 text-left text-xs font-medium text-slate-500">
        {label}
      </th>
      <td className={`px-4 py-2 tabular-nums ${differs ? DIFFERS : ""}`}>{a}</td>
      <td className={`px-4 py-2 tabular-nums ${differs ? DIFFERS : ""}`}>{b}</td>
    </tr>
  );
}

function NodeRow({ node }: { node: NodeComparison }) {
  const info = NODE_KIND_INFO[node.kind];
  return (
    <tr data-node-id={node.nodeId} data-changed={node.changed} className={`align-top ${node.changed ? "border-l-4 border-l-amber-400" : "border-l-4 border-l-transparent"}`}>
      <th scope="row" className="px-4 py-3 text-left font-normal">
        <div className="flex items-center gap-2">
          <span className={`grid size-6 shrink-0 place-items-center rounded ${info.tile}`}>
            <info.Icon className="size-3.5" />
          </span>
          <span className="truncate font-medium text-slate-900">{node.label}</span>
        </div>
        <code className="mt-0.5 block truncate font-mono text-[11px] text-slate-400">{node.nodeId}</code>
        {node.changed && <span className="mt-1 inline-block rounded-full bg-amber-100 px-2 py-0.5 text-[10px] font-semibold text-amber-800 uppercase">Differs</span>}
      </th>
      <NodeCell facts={node.a} node={node} />
      <NodeCell facts={node.b} node={node} />
    </tr>
  );
}

const NODE_STATUS_TONE: Record<NodeRunStatus, string> = {
  pending: "bg-slate-100 text-slate-500",
  running: "bg-accent-50 text-accent-700",
  waiting: "bg-amber-50 text-amber-700",
  succeeded: "bg-emerald-50 text-emerald-700",
  failed: "bg-red-50 text-red-700",
  skipped: "bg-slate-100 text-slate-400",
};

function NodeCell({ facts, node }: { facts: NodeFacts | null; node: NodeComparison }) {
  if (facts === null) return <td className={`px-4 py-3 text-xs text-slate-400 italic ${DIFFERS}`}>Not in this run&apos;s graph</td>;
  const { differs } = node;
  const mark = (field: boolean) => (field ? `rounded px-1 ${DIFFERS}` : "px-1");
  return (
    <td className="space-y-2 px-4 py-3">
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-slate-600 tabular-nums">
        <span data-field="status" data-differs={differs.status} className={mark(differs.status)}>
          <span className={`rounded-full px-2 py-0.5 font-medium ${NODE_STATUS_TONE[facts.status]}`}>{facts.status}</span>
        </span>
        <span data-field="tokens" data-differs={differs.tokens} className={mark(differs.tokens)}>
          {formatTokens(facts.tokens)} tokens
        </span>
        <span data-field="cost" data-differs={differs.cost} className={mark(differs.cost)}>
          {formatCost(facts.costUsd, facts.unpricedCalls)}
        </span>
        <span data-field="duration" data-differs={differs.duration} className={mark(differs.duration)}>
          {formatDuration(facts.durationMs)}
        </span>
      </div>
      {facts.output !== undefined && facts.output !== null ? (
        <div data-field="output" data-differs={differs.output} className={differs.output ? `rounded-md p-0.5 ${DIFFERS}` : ""}>
          <RunOutput value={facts.output} className="max-h-40" />
        </div>
      ) : (
        <p data-field="output" data-differs={differs.output} className="text-xs text-slate-400 italic">
          No output
        </p>
      )}
    </td>
  );
}
