import type { RestClient } from "./client";

/** One committed run event as the stream sends it (only the fields the CLI prints). */
type StreamedEvent = {
  seq: number;
  type: string;
  at?: string;
  nodeId?: string;
  taskId?: string;
  message?: string;
  error?: string;
  status?: string;
  decision?: string;
  by?: string;
  output?: unknown;
};

export type FollowResult = { status: string; output?: unknown; error?: string };

/** Where the lines go (a test or a pipe gets plain lines; no cursor tricks). */
export type Printer = (line: string) => void;

/**
 * Follows a run on its event stream (`GET /api/runs/:id/events`, Server-Sent Events) and
 * prints one line per node status change, prefixed with a progress count, until the run
 * finishes. A dropped connection is resumed from the last event seen (Last-Event-ID), so no
 * event is printed twice or skipped.
 */
export async function followRun(client: RestClient, runId: string, print: Printer, signal?: AbortSignal): Promise<FollowResult> {
  const progress = { started: new Set<string>(), done: new Set<string>() };
  const startedAt = new Map<string, number>();
  let lastSeq = 0;
  let finished: FollowResult | null = null;
  for (let attempt = 0; finished === null; attempt += 1) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 250 * 2 ** Math.min(attempt, 5))));
    if (attempt > 20) throw new Error(`lost the event stream of ${runId} (resumed ${attempt} times)`);
    const response = await client.send("GET", `/api/runs/${encodeURIComponent(runId)}/events`, undefined, { accept: "text/event-stream", ...(lastSeq > 0 ? { "last-event-id": String(lastSeq) } : {}) }, signal);
    if (!response.ok || !response.body) {
      const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
      throw new Error(body?.error?.message ?? `the event stream answered ${response.status}`);
    }
    for await (const frame of sseFrames(response.body)) {
      if (frame.event !== "run-event") continue;
      const event = JSON.parse(frame.data) as StreamedEvent;
      if (event.seq <= lastSeq) continue;
      lastSeq = event.seq;
      const line = describe(event, progress, startedAt);
      if (line) print(line);
      if (event.type === "run_finished") {
        finished = { status: event.status ?? "finished", output: event.output, ...(event.error ? { error: event.error } : {}) };
        break;
      }
    }
  }
  return finished;
}

function describe(event: StreamedEvent, progress: { started: Set<string>; done: Set<string> }, startedAt: Map<string, number>): string | null {
  const node = event.nodeId ?? "";
  const at = event.at ? Date.parse(event.at) : Date.now();
  const count = () => `[${progress.done.size}/${progress.started.size}]`;
  switch (event.type) {
    case "node_started":
      progress.started.add(node);
      startedAt.set(node, at);
      return `${count()} ▶ ${node} started`;
    case "node_finished": {
      progress.done.add(node);
      const began = startedAt.get(node);
      return `${count()} ✓ ${node} done${began !== undefined ? ` in ${seconds(at - began)}` : ""}`;
    }
    case "node_failed":
      progress.done.add(node);
      return `${count()} ✗ ${node} failed: ${event.error ?? "unknown error"}`;
    case "node_skipped":
      return `${count()} – ${node} skipped`;
    case "human_requested":
      return `${count()} ⏸ ${node} waits for a person: ${oneLine(event.message ?? "")}\n      answer: agentflow tasks approve ${event.taskId} | agentflow tasks reject ${event.taskId} --reason "…"`;
    case "human_responded":
      return `${count()} ✔ ${node}: ${event.decision ?? "answered"}${event.by ? ` by ${event.by}` : ""}`;
    case "run_finished":
      return `■ run ${event.status}${event.error ? `: ${event.error}` : ""}`;
    default:
      return null;
  }
}

const seconds = (ms: number) => `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
const oneLine = (text: string) => (text.length > 160 ? `${text.slice(0, 157)}…` : text).replace(/\s+/g, " ");

/** Server-Sent Events frames of a response body: `event:` and the joined `data:` lines. */
export async function* sseFrames(body: ReadableStream<Uint8Array>): AsyncGenerator<{ event: string; data: string; id?: string }> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") event = value;
        else if (field === "data") data.push(value);
        else if (field === "id") id = value;
      }
      if (data.length > 0) yield { event, data: data.join("\n"), ...(id !== undefined ? { id } : {}) };
    }
  }
}
