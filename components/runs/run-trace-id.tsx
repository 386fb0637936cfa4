"use client";

import { useCopy } from "@/components/ui/use-copy";
import { CheckIcon, CopyIcon } from "@/components/ui/icons";

/**
 * The run's OpenTelemetry trace id (shown when tracing was on at its start), to look the run
 * up in the trace backend (Jaeger, Tempo, Honeycomb…); the button copies it.
 */
export function RunTraceId({ traceId }: { traceId: string }) {
  const { copied, copy } = useCopy(traceId);
  return (
    <div className="flex items-center gap-1">
      <dt>Trace</dt>
      <dd className="font-mono font-medium text-slate-800 select-all" data-testid="run-trace-id" title="OpenTelemetry trace id">
        {traceId}
      </dd>
      <button
        type="button"
        className="rounded p-0.5 text-slate-500 hover:bg-slate-100 hover:text-slate-800"
        aria-label="Copy the trace id"
        title="Copy the trace id"
        onClick={() => void copy()}
      >
        {copied ? <CheckIcon className="size-3.5 text-emerald-600" /> : <CopyIcon className="size-3.5" />}
      </button>
    </div>
  );
}
