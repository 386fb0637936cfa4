import "server-only";
import { jsonError } from "../http/rest";
import { acquireStreamSlot, STREAM_RETRY_AFTER_SECONDS } from "./viewer-limits";

/** How long the browser waits before reconnecting after the stream drops (the SSE `retry:`). */
export const SSE_RETRY_MS = 2_000;
/** A comment line this often keeps proxies and load balancers from closing an idle stream. */
export const SSE_HEARTBEAT_MS = 15_000;

const SSE_HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};

/**
 * What a stream's source writes to: frames (text, or bytes already encoded, which may be shared
 * between streams and are never changed), and the end. Both are no-ops once closed.
 */
export type SseChannel = { send(frames: string | Uint8Array): void; close(): void; readonly closed: boolean };

/**
 * A Server-Sent Events response for one viewer, counted against their open streams (429
 * `too_many_streams` past `limit`), with the reconnect delay and a heartbeat. `subscribe` starts
 * the source once the stream is open and returns how to stop it; every way out (the client
 * goes away, the body is cancelled, a write fails, the source closes) ends in one close that
 * stops the source and frees the viewer's slot.
 */
export function openSseStream(
  options: { viewerKey: string; limit: number; signal: AbortSignal; what: string },
  subscribe: (channel: SseChannel) => () => void,
): Response {
  const { viewerKey, limit, signal, what } = options;
  const release = acquireStreamSlot(viewerKey, limit);
  if (!release) {
    const response = jsonError(429, "too_many_streams", `At most ${limit} ${what} per viewer; close one and retry`);
    response.headers.set("retry-after", String(STREAM_RETRY_AFTER_SECONDS));
    return response;
  }

  const encoder = new TextEncoder();
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let unsubscribe: (() => void) | undefined;
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const channel = {
    closed: false,
    close() {
      if (channel.closed) return;
      channel.closed = true;
      release();
      clearInterval(heartbeat);
      unsubscribe?.();
      signal.removeEventListener("abort", channel.close);
      try {
        controller?.close();
      } catch {
        // already closed or cancelled by the client
      }
    },
    send(frames: string | Uint8Array) {
      if (channel.closed) return;
      try {
        controller?.enqueue(typeof frames === "string" ? encoder.encode(frames) : frames);
      } catch {
        channel.close();
      }
    },
  };

  try {
    const stream = new ReadableStream<Uint8Array>({
      start(streamController) {
        controller = streamController;
      },
      cancel: channel.close,
    });
    if (signal.aborted) {
      channel.close();
      return new Response(stream, { headers: SSE_HEADERS });
    }
    signal.addEventListener("abort", channel.close);
    channel.send(`retry: ${SSE_RETRY_MS}\n\n`);
    heartbeat = setInterval(() => channel.send(": ping\n\n"), SSE_HEARTBEAT_MS);
    unsubscribe = subscribe(channel);
    // The source may have closed the stream while subscribing (a run already finished).
    if (channel.closed) unsubscribe();
    return new Response(stream, { headers: SSE_HEADERS });
  } catch (error) {
    channel.close();
    throw error;
  }
}
