"use client";

import { AgentProviderFields } from "./agent-provider-fields";
import { NumberField } from "./fields";
import { numberRules } from "./field-rules";

type Fallback = { provider: string; model: string };

/** The schema's own limit on the chain (graph.ts), so the button and a save agree. */
const MAX_FALLBACKS = 3;
const FALLBACK_AFTER_RULES = numberRules("agent", "fallbackAfterSeconds");

/**
 * The agent's fallback chain: providers tried in order when the one above fails in a way a
 * retry could fix (5xx, rate limit, network) or does not answer in time.
 */
export function AgentFallbackFields({
  fallbacks,
  fallbackAfterSeconds,
  onChange,
}: {
  fallbacks: Fallback[];
  fallbackAfterSeconds: number;
  onChange: (patch: { fallbacks?: Fallback[]; fallbackAfterSeconds?: number }) => void;
}) {
  const replace = (index: number, patch: Partial<Fallback>) => onChange({ fallbacks: fallbacks.map((fallback, at) => (at === index ? { ...fallback, ...patch } : fallback)) });
  return (
    <fieldset className="space-y-2" aria-label="Fallback providers">
      <legend className="text-xs font-medium text-slate-700">Fallbacks</legend>
      <p className="text-xs text-slate-500">
        Tried in order when the provider above fails with a server error, a rate limit or a dropped connection, or does not answer in time. A refused key or an unknown model
        fails the node instead.
      </p>
      {fallbacks.map((fallback, index) => (
        <div key={index} className="space-y-1 rounded-md border border-slate-200 p-2" data-testid={`agent-fallback-${index + 1}`}>
          <div className="flex items-center justify-between text-xs text-slate-600">
            <span>Fallback {index + 1}</span>
            <button type="button" onClick={() => onChange({ fallbacks: fallbacks.filter((_, at) => at !== index) })} className="rounded px-1.5 py-0.5 text-slate-500 hover:bg-slate-100 hover:text-red-700">
              Remove
            </button>
          </div>
          <AgentProviderFields provider={fallback.provider} model={fallback.model} onChange={(patch) => replace(index, patch)} />
        </div>
      ))}
      {fallbacks.length < MAX_FALLBACKS && (
        <button
          type="button"
          onClick={() => onChange({ fallbacks: [...fallbacks, { provider: "default", model: "" }] })}
          className="rounded-md border border-dashed border-slate-300 px-2.5 py-1 text-xs text-slate-700 hover:border-accent-500 hover:text-accent-700"
        >
          Add fallback
        </button>
      )}
      {fallbacks.length > 0 && (
        <NumberField
          label="Try the next provider after (seconds without an answer)"
          value={fallbackAfterSeconds}
          onChange={(seconds) => onChange({ fallbackAfterSeconds: seconds })}
          rules={FALLBACK_AFTER_RULES}
          hint="0 waits for the provider's own timeout. Set it for providers that cold-start, such as RunPod serverless."
        />
      )}
    </fieldset>
  );
}
