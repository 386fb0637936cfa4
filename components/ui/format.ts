/** Display formatting shared by the workflow and run pages. Client-side only (uses the local clock and locale). */

export function formatDateTime(value: Date | string | null | undefined): string {
  if (!value) return "—";
  const date = typeof value === "string" ? new Date(value) : value;
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

export function formatRelative(value: Date | string, now: number = Date.now()): string {
  const date = typeof value === "string" ? new Date(value) : value;
  const seconds = Math.round((date.getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  if (abs < 45) return rtf.format(seconds, "second");
  if (abs < 45 * 60) return rtf.format(Math.round(seconds / 60), "minute");
  if (abs < 22 * 3600) return rtf.format(Math.round(seconds / 3600), "hour");
  if (abs < 26 * 86_400) return rtf.format(Math.round(seconds / 86_400), "day");
  return date.toLocaleDateString();
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds % 60);
  if (minutes < 60) return `${minutes}m ${rest}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

export function formatTokens(tokens: number): string {
  if (tokens < 1000) return String(tokens);
  if (tokens < 1_000_000) return `${(tokens / 1000).toFixed(tokens < 10_000 ? 1 : 0)}k`;
  return `${(tokens / 1_000_000).toFixed(1)}M`;
}

/**
 * A cost, honest about calls whose price is unknown (a paid model without a list or workspace
 * price): never "$0" for them, but "unknown", or "≥ $x + unknown" when other calls were priced.
 */
export function formatCost(usd: number, unpricedCalls = 0): string {
  if (unpricedCalls > 0) return usd > 0 ? `≥ ${formatUsd(usd)} + unknown` : "unknown";
  return formatUsd(usd);
}

/** A tooltip for a cost with unknown parts, saying how to fix them. */
export function costTitle(unpricedCalls = 0): string | undefined {
  if (unpricedCalls === 0) return undefined;
  const calls = unpricedCalls === 1 ? "1 model call has" : `${unpricedCalls} model calls have`;
  return `${calls} no known price: set the model's price in Settings → Model prices`;
}

function formatUsd(usd: number): string {
  if (usd === 0) return "$0";
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}

/** Strings render as text, everything else as indented JSON. */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  return JSON.stringify(value, null, 2);
}

/** "1 run", "1,204 runs". */
export function plural(count: number, noun: string): string {
  return `${count.toLocaleString("en")} ${noun}${count === 1 ? "" : "s"}`;
}
