"use client";

import { useId, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { Field, SELECT } from "./fields";

const INPUT =
  "w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm text-slate-900 shadow-xs placeholder:text-slate-400 focus:border-accent-500 focus:ring-2 focus:ring-accent-500/20 focus:outline-none";

/**
 * An agent's provider (a select of what this workspace can use, plus "Default") and model
 * (a combobox: the provider's models as suggestions, any name accepted).
 */
export function AgentProviderFields({ provider, model, onChange }: { provider: string; model: string; onChange: (patch: { provider?: string; model?: string }) => void }) {
  const trpc = useTRPC();
  const providerId = useId();
  const modelId = useId();
  const listId = useId();
  const list = useQuery(trpc.providers.list.queryOptions());
  const choices = list.data?.choices ?? [];
  const isDefault = provider === "default" || provider === "";
  const resolved = isDefault ? list.data?.defaultName : provider;
  const known = isDefault || choices.some((choice) => choice.name === provider);
  const chosen = choices.find((choice) => choice.name === resolved);
  const models = useQuery({ ...trpc.providers.models.queryOptions({ provider: resolved ?? "default" }), enabled: Boolean(resolved) && known && !chosen?.unsupported, staleTime: 60_000 });
  const modelList = models.data?.ok ? models.data.models : [];
  const providerError = list.data && !known ? `"${provider}" is not configured in this workspace` : chosen?.unsupported && !isDefault ? chosen.unsupported : null;
  const [open, setOpen] = useState(false);
  // Suggestions narrow as the builder types; any other name may still be entered.
  const typed = model.trim().toLowerCase();
  const suggestions = modelList.includes(model.trim()) ? modelList : modelList.filter((name) => name.toLowerCase().includes(typed));
  const unlisted = models.data?.ok && model.trim() !== "" && !modelList.includes(model.trim());
  // A provider whose list is complete refuses an unlisted name before a run (check-providers.ts); others may route it.
  const modelError = unlisted && chosen?.modelsComplete ? `${resolved} has no model "${model.trim()}" — pick one of its ${modelList.length} models` : null;
  const modelHint = modelError
    ? undefined
    : unlisted
    ? `Not among ${resolved}'s ${modelList.length} models — fine for a custom name, else check the spelling`
    : models.isPending && models.fetchStatus === "fetching" ? "Loading models…" : models.data?.ok ? `${modelList.length} model${modelList.length === 1 ? "" : "s"} from ${resolved}; any other name works too` : models.data && !models.data.ok ? `Models unavailable: ${models.data.error}` : undefined;

  return (
    <div className="grid grid-cols-2 gap-3">
      <Field label="Provider" htmlFor={providerId} error={providerError} hint={<a href="/settings/providers" className="underline hover:text-slate-700">Manage providers</a>}>
        <select id={providerId} value={isDefault ? "default" : provider} onChange={(event) => onChange({ provider: event.target.value })} className={`${SELECT} ${providerError ? "border-red-400" : ""}`}>
          <option value="default">Default{list.data ? ` (${list.data.defaultName})` : ""}</option>
          {choices.map((choice) => (
            <option key={choice.name} value={choice.name}>
              {choice.label}
              {choice.unsupported ? " — not supported yet" : ""}
            </option>
          ))}
          {!known && <option value={provider}>{provider} (not configured)</option>}
        </select>
      </Field>
      <Field label="Model" htmlFor={modelId} hint={modelHint} error={modelError}>
        <div className="relative">
          <input
            id={modelId}
            type="text"
            role="combobox"
            aria-expanded={suggestions.length > 0 && open}
            aria-controls={listId}
            aria-autocomplete="list"
            value={model}
            maxLength={200}
            placeholder={chosen?.defaultModel ? `${chosen.defaultModel} (provider default)` : "provider default"}
            onChange={(event) => {
              onChange({ model: event.target.value });
              setOpen(true);
            }}
            onFocus={() => setOpen(true)}
            // Late enough for a click on a suggestion to land first.
            onBlur={() => setTimeout(() => setOpen(false), 150)}
            onKeyDown={(event) => {
              if (event.key === "Escape") setOpen(false);
            }}
            className={`${INPUT} ${modelError ? "border-red-400" : ""}`}
            data-testid="agent-model-input"
          />
          {open && suggestions.length > 0 && (
            <ul id={listId} role="listbox" aria-label={`Models of ${resolved ?? "the provider"}`} className="absolute right-0 z-20 mt-1 max-h-56 w-64 overflow-y-auto rounded-md border border-slate-200 bg-white py-1 text-sm shadow-lg">
              {suggestions.map((name) => (
                <li
                  key={name}
                  role="option"
                  aria-selected={name === model}
                  onMouseDown={(event) => {
                    // Keeps the focus (and the list) until the choice is made.
                    event.preventDefault();
                    onChange({ model: name });
                    setOpen(false);
                  }}
                  className="cursor-pointer truncate px-2.5 py-1 font-mono text-xs text-slate-800 hover:bg-accent-50 aria-selected:bg-accent-50"
                >
                  {name}
                </li>
              ))}
            </ul>
          )}
        </div>
      </Field>
    </div>
  );
}
