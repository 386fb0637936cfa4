// The worker restart policy of scripts/start.ts, kept pure (no clock, no processes) so its
// arithmetic is unit-tested: a crashed worker is restarted after a delay that doubles with
// each crash in a row (1 s, 2 s, 4 s … capped at 30 s), and a worker that stayed up for a
// minute counts as healthy again, so its next crash waits 1 s.

export type RestartPolicy = {
  /** Delay before restarting after the first crash in a row. */
  initialDelayMs: number;
  /** Upper bound of the doubling delay. */
  maxDelayMs: number;
  /** A process that ran at least this long before crashing resets the crash count. */
  stableAfterMs: number;
};

export const DEFAULT_RESTART_POLICY: RestartPolicy = { initialDelayMs: 1_000, maxDelayMs: 30_000, stableAfterMs: 60_000 };

/** What the supervisor does after a worker exited on its own. */
export type RestartDecision = {
  /** Crashes in a row, this one included (1 after a stable run). */
  crashesInARow: number;
  delayMs: number;
};

/**
 * `previousCrashesInARow` is the count before this exit (0 for a fresh slot); `ranForMs` is
 * how long the process that just exited had been running.
 */
export function decideRestart(policy: RestartPolicy, previousCrashesInARow: number, ranForMs: number): RestartDecision {
  const crashesInARow = ranForMs >= policy.stableAfterMs ? 1 : previousCrashesInARow + 1;
  // 2 ** (n - 1) overflows to Infinity long before n gets large; Math.min caps it either way.
  const delayMs = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (crashesInARow - 1));
  return { crashesInARow, delayMs };
}

export const MAX_WORKER_PROCESSES = 64;

export type WorkerCountResult = { ok: true; count: number } | { ok: false; error: string };

/** `WORKER_PROCESSES`: unset or empty → 1; otherwise a whole number from 1 to MAX_WORKER_PROCESSES. */
export function parseWorkerProcesses(raw: string | undefined): WorkerCountResult {
  const text = raw?.trim() ?? "";
  if (text === "") return { ok: true, count: 1 };
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_WORKER_PROCESSES) {
    return { ok: false, error: `WORKER_PROCESSES must be a whole number from 1 to ${MAX_WORKER_PROCESSES}, got "${raw ?? ""}"` };
  }
  return { ok: true, count: Number(text) };
}
