"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useCan } from "@/components/session/session-context";
import { useTRPC, type RouterOutputs } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { FormError, TextField } from "@/components/ui/text-field";
import { fieldError, formError } from "./form-errors";
import { Card, DangerConfirm, QueryStateRows, RoleNote, SettingsHeader, SuccessNote, TD, TH } from "./section";

type PriceList = RouterOutputs["prices"]["list"];
type Override = PriceList["overrides"][number];

const SHOWN = ["model", "inputPerMTok", "outputPerMTok"];

const usd = (value: number) => `$${value.toLocaleString(undefined, { maximumFractionDigits: 4 })}`;

/**
 * /settings/prices: what model calls cost. A workspace's own price for a model wins over the
 * built-in list; a model with neither shows its cost as "unknown" in runs, never $0.
 */
export function PricesSettings() {
  const trpc = useTRPC();
  const canManage = useCan("credential:manage");
  const prices = useQuery(trpc.prices.list.queryOptions());
  return (
    <div>
      <SettingsHeader
        title="Model prices"
        description="USD per million tokens. Runs use your workspace's price for a model first, then the built-in list; a paid model with neither shows its cost as “unknown”. Local models (Ollama, the demo model) are free; RunPod is billed per second (set on the provider)."
      />
      {!canManage && <RoleNote title="Only admins can set prices.">You can see what run costs are computed from.</RoleNote>}
      <OverridesTable query={prices} canManage={canManage} />
      {canManage && <SetPriceCard />}
      <ListPricesCard list={prices.data} />
    </div>
  );
}

function OverridesTable({ query, canManage }: { query: { isPending: boolean; isError: boolean; error: unknown; data?: PriceList }; canManage: boolean }) {
  const [deleting, setDeleting] = useState<Override | null>(null);
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.prices.delete.mutationOptions({
      onSuccess: () => {
        setDeleting(null);
        void queryClient.invalidateQueries(trpc.prices.list.queryFilter());
      },
    }),
  );
  const rows = query.data?.overrides;
  return (
    <Card title="Your workspace's prices" flush testId="price-overrides">
      <table className="w-full text-left text-sm">
        <thead className="border-b border-slate-100 text-xs text-slate-500">
          <tr>
            <th className={TH}>Model</th>
            <th className={`${TH} text-right`}>Input / 1M tokens</th>
            <th className={`${TH} text-right`}>Output / 1M tokens</th>
            {canManage && <th className={TH} aria-label="Actions" />}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          <QueryStateRows query={{ isPending: query.isPending, isError: query.isError, error: query.error, data: rows }} colSpan={canManage ? 4 : 3} loading="Loading prices…" empty="No prices of your own yet: runs use the built-in list." />
          {rows?.map((row) => (
            <tr key={row.id} data-testid="price-override-row">
              <td className={`${TD} font-mono text-xs text-slate-800`}>{row.model}</td>
              <td className={`${TD} text-right tabular-nums`}>{usd(row.inputPerMTok)}</td>
              <td className={`${TD} text-right tabular-nums`}>{usd(row.outputPerMTok)}</td>
              {canManage && (
                <td className={`${TD} text-right`}>
                  <Button size="sm" variant="ghost" onClick={() => setDeleting(row)} aria-label={`Remove the price of ${row.model}`}>
                    Remove
                  </Button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {deleting && (
        <DangerConfirm
          title={`Remove the price of ${deleting.model}?`}
          confirmLabel="Remove"
          pending={remove.isPending}
          error={remove.error}
          onConfirm={() => remove.mutate({ id: deleting.id })}
          onCancel={() => {
            remove.reset();
            setDeleting(null);
          }}
        >
          Later calls use the built-in list price, or show “unknown” if the list does not know the model. Past runs keep their costs.
        </DangerConfirm>
      )}
    </Card>
  );
}

function SetPriceCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [model, setModel] = useState("");
  const [input, setInput] = useState("");
  const [output, setOutput] = useState("");
  const [saved, setSaved] = useState<string | null>(null);
  const set = useMutation(
    trpc.prices.set.mutationOptions({
      onSuccess: (row) => {
        setSaved(row.model);
        setModel("");
        setInput("");
        setOutput("");
        void queryClient.invalidateQueries(trpc.prices.list.queryFilter());
      },
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(null);
    // The number inputs are required: an empty box never becomes a price of $0.
    set.mutate({ model: model.trim(), inputPerMTok: Number(input), outputPerMTok: Number(output) });
  };
  return (
    <Card title="Set a price" description="For a model the list does not know (a fine-tune, a self-hosted model behind an OpenAI-compatible server) or a price you negotiated. Setting it again replaces it.">
      <form onSubmit={submit} className="max-w-2xl space-y-3" autoComplete="off">
        <div className="grid gap-3 sm:grid-cols-3">
          <TextField label="Model" placeholder="gpt-4o-mini" required maxLength={200} spellCheck={false} value={model} onChange={(event) => setModel(event.target.value)} error={fieldError(set.error, "model", "The model")} />
          <TextField label="Input, USD / 1M tokens" type="number" min={0} step="any" placeholder="0.15" required value={input} onChange={(event) => setInput(event.target.value)} error={fieldError(set.error, "inputPerMTok", "The input price")} />
          <TextField label="Output, USD / 1M tokens" type="number" min={0} step="any" placeholder="0.60" required value={output} onChange={(event) => setOutput(event.target.value)} error={fieldError(set.error, "outputPerMTok", "The output price")} />
        </div>
        <FormError message={formError(set.error, SHOWN)} />
        {saved && <SuccessNote>Saved the price of “{saved}”. New model calls use it.</SuccessNote>}
        <Button type="submit" variant="primary" disabled={set.isPending}>
          Save price
        </Button>
      </form>
    </Card>
  );
}

function ListPricesCard({ list }: { list: PriceList | undefined }) {
  if (!list) return null;
  return (
    <Card title="Built-in list prices" description={`OpenAI and Anthropic standard rates, checked on ${list.listCheckedOn}. Dated snapshots (gpt-4o-2024-08-06) use their model's price.`}>
      <details>
        <summary className="cursor-pointer text-sm text-slate-600">{list.listPrices.length} models</summary>
        <table className="mt-2 w-full text-left text-sm" data-testid="list-prices">
          <thead className="text-xs text-slate-500">
            <tr>
              <th className="py-1 font-medium">Model</th>
              <th className="py-1 text-right font-medium">Input / 1M</th>
              <th className="py-1 text-right font-medium">Output / 1M</th>
            </tr>
          </thead>
          <tbody>
            {list.listPrices.map((row) => (
              <tr key={row.model}>
                <td className="py-0.5 font-mono text-xs text-slate-800">{row.model}</td>
                <td className="py-0.5 text-right tabular-nums">{usd(row.inputPerMTok)}</td>
                <td className="py-0.5 text-right tabular-nums">{usd(row.outputPerMTok)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </Card>
  );
}
