import type { RunStatus } from "@/server/engine/events";
import { RunOutput } from "./run-output";

const NO_OUTPUT: Partial<Record<RunStatus, string>> = {
  rejected: "A reviewer rejected the run.",
  cancelled: "The run was cancelled.",
  succeeded: "The run finished without an output.",
};

/** A finished run's outcome: its error, its output, or why there is none. */
export function RunResult({
  status,
  output,
  error,
  outputClassName = "max-h-48",
}: {
  status: RunStatus;
  output: unknown;
  error: string | undefined;
  outputClassName?: string;
}) {
  const hasOutput = output !== undefined && output !== null;
  return (
    <div className="grid gap-2">
      {error && (
        <p role="alert" data-testid="run-error" className="rounded-md border border-red-200 bg-red-50 p-2.5 text-sm whitespace-pre-wrap text-red-800">
          {error}
        </p>
      )}
      {hasOutput && <RunOutput value={output} testId="run-output" className={outputClassName} />}
      {!hasOutput && !error && <p className="text-sm text-slate-500">{NO_OUTPUT[status] ?? "No output."}</p>}
    </div>
  );
}
