import type { SandboxOutcome } from "./run-code-protocol";

export type RunCodeResult =
  | { ok: true; result: unknown; resultJson: string | undefined; console: string; consoleTruncated: boolean; durationMs: number }
  | { ok: false; error: string; console: string; consoleTruncated: boolean; durationMs: number };

/**
 * One program in a sandbox, JavaScript or Python alike: the input as JSON text in, the
 * sandbox's outcome out with its result parsed and the time it took. `run` is the language's
 * thread pool.
 */
export async function runSandboxJob<L>(
  run: (job: { code: string; inputJson: string | undefined; limits: L }, signal?: AbortSignal) => Promise<SandboxOutcome>,
  args: { code: string; input?: unknown },
  limits: L,
  signal?: AbortSignal,
): Promise<RunCodeResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const failure = (error: string): RunCodeResult => ({ ok: false, error, console: "", consoleTruncated: false, durationMs: elapsed() });

  let inputJson: string | undefined;
  if (args.input !== undefined) {
    try {
      inputJson = JSON.stringify(args.input);
    } catch {
      return failure("input is not JSON-serialisable");
    }
  }

  let outcome: SandboxOutcome;
  try {
    outcome = await run({ code: args.code, inputJson, limits }, signal);
  } catch (error) {
    return failure(error instanceof Error ? error.message : String(error));
  }
  if (!outcome.ok) return { ...outcome, durationMs: elapsed() };
  let result: unknown;
  try {
    result = outcome.resultJson === undefined ? undefined : JSON.parse(outcome.resultJson);
  } catch {
    return failure("the sandbox returned malformed JSON");
  }
  return { ...outcome, resultJson: outcome.resultJson, result, durationMs: elapsed() };
}
