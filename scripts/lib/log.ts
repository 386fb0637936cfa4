// One prefix for every line the spine scripts print, so a user can tell our status lines
// apart from the web and worker output that shares the terminal.
export function say(message: string): void {
  console.log(`[agentflow] ${message}`);
}

export function warn(message: string): void {
  console.error(`[agentflow] ${message}`);
}

/** Seconds with one decimal, for timings in status and summary lines. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** A connection URL without its password, safe to print. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable URL)";
  }
}
