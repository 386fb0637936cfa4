"use client";

import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { FormError, TextField } from "@/components/ui/text-field";
import { fieldError, formError } from "./form-errors";

import { PROVIDER_KINDS, PROVIDER_KIND_LABELS, type ProviderKind } from "@/lib/provider-kinds";

export { PROVIDER_KIND_LABELS, isProviderKind, type ProviderKind } from "@/lib/provider-kinds";

export type ProviderDraft = {
  name: string;
  kind: ProviderKind;
  baseUrl: string;
  apiKey: string;
  organization: string;
  runpodEndpointId: string;
  coldStartTimeoutSeconds: string;
  usdPerSecond: string;
  defaultModel: string;
};

export const EMPTY_PROVIDER: ProviderDraft = {
  name: "",
  kind: "openai_compatible",
  baseUrl: "",
  apiKey: "",
  organization: "",
  runpodEndpointId: "",
  coldStartTimeoutSeconds: "180",
  usdPerSecond: "",
  defaultModel: "",
};

/** The fields the server takes, for the kind chosen (the key only when typed: it is write-only). */
export function providerFields(draft: ProviderDraft) {
  const number = (text: string) => (text.trim() === "" ? null : Number(text));
  return {
    baseUrl: draft.kind === "runpod" ? "" : draft.baseUrl.trim(),
    ...(draft.apiKey.trim() ? { apiKey: draft.apiKey.trim() } : {}),
    organization: draft.kind === "openai" ? draft.organization.trim() : "",
    runpodEndpointId: draft.kind === "runpod" ? draft.runpodEndpointId.trim() : "",
    coldStartTimeoutSeconds: draft.kind === "runpod" ? number(draft.coldStartTimeoutSeconds) : null,
    usdPerSecond: draft.kind === "runpod" ? number(draft.usdPerSecond) : null,
    defaultModel: draft.defaultModel.trim(),
  };
}

const BASE_URL_HINTS: Record<ProviderKind, string> = {
  openai: "Optional; defaults to https://api.openai.com/v1.",
  anthropic: "Optional; defaults to https://api.anthropic.com/v1.",
  runpod: "",
  ollama: "The Ollama server, e.g. http://localhost:11434 (its OpenAI API under /v1 is used).",
  openai_compatible: "The API root ending in /v1, e.g. http://localhost:8000/v1 (vLLM, LM Studio, llama.cpp, LiteLLM).",
};

const SHOWN = ["name", "kind", "baseUrl", "apiKey", "organization", "runpodEndpointId", "coldStartTimeoutSeconds", "usdPerSecond", "defaultModel"];

/**
 * The fields of a provider, per kind. Creating: name and kind are chosen; editing: they are
 * fixed (agents refer to the name), and the key field replaces the stored key only when typed.
 */
export function ProviderForm({
  initial,
  editing,
  apiKeySet,
  pending,
  error,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  initial: ProviderDraft;
  editing: boolean;
  apiKeySet?: boolean;
  pending: boolean;
  error: unknown;
  submitLabel: string;
  onSubmit: (draft: ProviderDraft) => void;
  onCancel?: () => void;
}) {
  const [draft, setDraft] = useState<ProviderDraft>(initial);
  const set = (patch: Partial<ProviderDraft>) => setDraft((current) => ({ ...current, ...patch }));
  const errorFor = (path: string, label: string) => fieldError(error, path, label);
  const kind = draft.kind;
  const keyRequired = kind === "openai" || kind === "anthropic" || kind === "runpod";
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(draft);
  };

  return (
    <form onSubmit={submit} className="max-w-2xl space-y-3" autoComplete="off" data-testid="provider-form">
      <div className="grid gap-3 sm:grid-cols-2">
        <TextField
          label="Name"
          placeholder="my-vllm"
          required
          readOnly={editing}
          maxLength={40}
          spellCheck={false}
          value={draft.name}
          onChange={(event) => set({ name: event.target.value })}
          hint={editing ? "Agents refer to it by this name; it cannot change." : "Agents pick it by this name (lowercase letters, digits, - or _)."}
          error={errorFor("name", "The name")}
        />
        <div className="text-sm">
          <label htmlFor="provider-kind" className="font-medium text-slate-700">
            Kind
          </label>
          <select
            id="provider-kind"
            disabled={editing}
            value={kind}
            onChange={(event) => set({ kind: event.target.value as ProviderKind })}
            className="mt-1 block h-9 w-full rounded-md border border-slate-300 bg-white px-2 text-sm disabled:bg-slate-50 disabled:text-slate-500"
          >
            {PROVIDER_KINDS.map((option) => (
              <option key={option} value={option}>
                {PROVIDER_KIND_LABELS[option]}
              </option>
            ))}
          </select>
        </div>
      </div>
      {kind === "runpod" ? (
        <div className="grid gap-3 sm:grid-cols-3">
          <TextField
            label="Endpoint id"
            placeholder="abc123xyz"
            required
            spellCheck={false}
            value={draft.runpodEndpointId}
            onChange={(event) => set({ runpodEndpointId: event.target.value })}
            hint={draft.runpodEndpointId.trim() ? `URL: https://api.runpod.ai/v2/${draft.runpodEndpointId.trim()}/openai/v1` : "From the RunPod console (Serverless → your vLLM endpoint)."}
            error={errorFor("runpodEndpointId", "The endpoint id")}
            className="sm:col-span-3"
          />
          <TextField
            label="Cold-start timeout (seconds)"
            type="number"
            min={1}
            max={900}
            value={draft.coldStartTimeoutSeconds}
            onChange={(event) => set({ coldStartTimeoutSeconds: event.target.value })}
            hint="How long a first answer may take while a worker starts."
            error={errorFor("coldStartTimeoutSeconds", "The timeout")}
          />
          <TextField
            label="Price (USD per second)"
            type="number"
            min={0}
            step="any"
            placeholder="0.00044"
            value={draft.usdPerSecond}
            onChange={(event) => set({ usdPerSecond: event.target.value })}
            hint="RunPod bills worker time; used for run cost."
            error={errorFor("usdPerSecond", "The price")}
          />
        </div>
      ) : (
        <TextField
          label="Base URL"
          placeholder={kind === "ollama" ? "http://localhost:11434" : kind === "openai_compatible" ? "http://localhost:8000/v1" : "https://api.openai.com/v1"}
          required={kind === "ollama" || kind === "openai_compatible"}
          spellCheck={false}
          value={draft.baseUrl}
          onChange={(event) => set({ baseUrl: event.target.value })}
          hint={BASE_URL_HINTS[kind]}
          error={errorFor("baseUrl", "The base URL")}
        />
      )}
      {kind !== "ollama" && (
        <TextField
          label={keyRequired ? "API key" : "API key (optional)"}
          type="password"
          required={keyRequired && !apiKeySet}
          spellCheck={false}
          value={draft.apiKey}
          placeholder={apiKeySet ? "Set — type a new key to replace it" : ""}
          onChange={(event) => set({ apiKey: event.target.value })}
          hint={apiKeySet ? "A key is set. It is never shown; leave empty to keep it." : "Stored encrypted in the vault; never shown again."}
          error={errorFor("apiKey", "The API key")}
        />
      )}
      <div className="grid gap-3 sm:grid-cols-2">
        {kind === "openai" && (
          <TextField label="Organization (optional)" placeholder="org-…" spellCheck={false} value={draft.organization} onChange={(event) => set({ organization: event.target.value })} error={errorFor("organization", "The organization")} />
        )}
        <TextField
          label="Default model (optional)"
          placeholder={kind === "openai" ? "gpt-4o-mini" : "e.g. meta-llama/Llama-3.1-8B-Instruct"}
          spellCheck={false}
          value={draft.defaultModel}
          onChange={(event) => set({ defaultModel: event.target.value })}
          hint="Used by agents that leave the model empty."
          error={errorFor("defaultModel", "The default model")}
        />
      </div>
      <FormError message={formError(error, SHOWN)} />
      <div className="flex gap-2">
        <Button type="submit" variant="primary" disabled={pending}>
          {pending ? "Saving…" : submitLabel}
        </Button>
        {onCancel && (
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        )}
      </div>
    </form>
  );
}
