import "server-only";
import { jsonError } from "../http/rest";
import { SSE_HEARTBEAT_MS, SSE_RETRY_MS } from "./run-event-stream";
import { acquireStreamSlot, MAX_STREAMS_PER_VIEWER, STREAM_RETRY_AFTER_SECONDS } from "./viewer-limits";
import { getWorkspaceFeedHub, type RunChange, type WorkspaceFeedHub } from "./workspace-feed";

export type StreamWorkspaceFeedParams = {
  /** The workspace of the caller's resolved access — never one named by the client. */
  workspaceId: string;
  /** Whose stream this is, for the per-viewer limit (shared with run streams). */
  viewerKey: string;
  limit?: number;
  signal: AbortSignal;
  hub?: WorkspaceFeedHub;
};

const SSE_HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};

/**
 * Server-Sent Events of one workspace's run changes:
 *  - `event: live` when the feed is subscribed (and again after Redis reconnects): anything
 *    may have changed unseen before it, so the client re-reads its list then;
 *  - `event: run-change`, data `RunChange` JSON, for each status change after that.
 * There is nothing to resume (no ids): a reconnecting client gets `live` and re-reads.
 * 429 `too_many_streams` when the viewer already holds its limit of streams.
 */
export function streamWorkspaceFeed({ workspaceId, viewerKey, limit = MAX_STREAMS_PER_VIEWER, signal, hub = getWorkspaceFeedHub() }: StreamWorkspaceFeedParams): Response {
  const release = acquireStreamSlot(viewerKey, limit);
  if (!release) {
    const response = jsonError(429, "too_many_streams", `At most ${limit} live streams per viewer; close one and retry`);
    response.headers.set("retry-after", String(STREAM_RETRY_AFTER_SECONDS));
    return response;
  }

  const encoder = new TextEncoder();
  let closed = false;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let unwatch: (() => void) | undefined;
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;

  // Every way out (client abort, body cancelled, write failure) comes here, once.
  const close = () => {
    if (closed) return;
    closed = true;
    release();
    clearInterval(heartbeat);
    unwatch?.();
    signal.removeEventListener("abort", close);
    try {
      controller?.close();
    } catch {
      // already closed or cancelled by the client
    }
  };
  const send = (text: string) => {
    if (closed) return;
    try {
      controller?.enqueue(encoder.encode(text));
    } catch {
      close();
    }
  };

  try {
    const stream = new ReadableStream<Uint8Array>({
      start(streamController) {
        controller = streamController;
      },
      cancel: close,
    });
    if (signal.aborted) {
      close();
      return new Response(stream, { headers: SSE_HEADERS });
    }
    signal.addEventListener("abort", close);
    send(`retry: ${SSE_RETRY_MS}\n\n`);
    heartbeat = setInterval(() => send(": ping\n\n"), SSE_HEARTBEAT_MS);
    unwatch = hub.watchWorkspace(workspaceId, {
      onLive: () => send("event: live\ndata: {}\n\n"),
      onChange: (change: RunChange) => {
        // The hub routes by workspace already; checked again where the data leaves the server.
        if (change.workspaceId === workspaceId) send(`event: run-change\ndata: ${JSON.stringify(change)}\n\n`);
      },
    });
    return new Response(stream, { headers: SSE_HEADERS });
  } catch (error) {
    close();
    throw error;
  }
}
