import type { ServerResponse } from "node:http";
import { sendFetchResponse } from "../http/node-bridge";
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

/** Starts a stream's source once the stream is open; returns how to stop it. */
export type SseSubscribe = (channel: SseChannel) => () => void;

export type SseStreamOptions = {
  /** Whose stream this is (a user id, an API key id), for the per-viewer limit. */
  viewerKey: string;
  limit: number;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** What the streams are called in the 429's message ("live run streams"). */
  what: string;
};

/**
 * How a stream's answer is given: a fetch Response (App Router route handlers), or written on
 * the node response of the socket itself (`nodeResponder`).
 */
export type SseResponder<Answer> = {
  /** An answer with no body: 204 when there is nothing left to send. */
  empty(status: number): Answer;
  stream(options: SseStreamOptions, subscribe: SseSubscribe): Answer;
};

export const fetchResponder: SseResponder<Response> = {
  empty: (status) => new Response(null, { status }),
  stream: openSseStream,
};

/** Writes the answer on `res`: what pages/api routes, which get node's own response, use. */
export function nodeResponder(res: ServerResponse): SseResponder<void> {
  return {
    empty: (status) => void res.writeHead(status).end(),
    stream: (options, subscribe) => writeSseStream(res, options, subscribe),
  };
}

/** Where a stream's bytes go. `write` throws when they cannot go anywhere any more. */
type SseSink = { write(frames: string | Uint8Array): void; end(): void };

/**
 * The stream of one viewer who holds a slot (`release` gives it back): the reconnect delay, a
 * heartbeat, and the source. Every way out (the client goes away, the body is cancelled, a write
 * fails, the source closes) ends in one close that stops the source, ends the sink and frees
 * the slot.
 */
function openChannel(sink: SseSink, release: () => void, signal: AbortSignal, subscribe: SseSubscribe): SseChannel {
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let unsubscribe: (() => void) | undefined;
  const channel = {
    closed: false,
    close() {
      if (channel.closed) return;
      channel.closed = true;
      release();
      clearInterval(heartbeat);
      unsubscribe?.();
      signal.removeEventListener("abort", channel.close);
      sink.end();
    },
    send(frames: string | Uint8Array) {
      if (channel.closed) return;
      try {
        sink.write(frames);
      } catch {
        channel.close();
      }
    },
  };
  if (signal.aborted) {
    channel.close();
    return channel;
  }
  try {
    signal.addEventListener("abort", channel.close);
    channel.send(`retry: ${SSE_RETRY_MS}\n\n`);
    heartbeat = setInterval(() => channel.send(": ping\n\n"), SSE_HEARTBEAT_MS);
    unsubscribe = subscribe(channel);
    // The source may have closed the stream while subscribing (a run already finished).
    if (channel.closed) unsubscribe();
    return channel;
  } catch (error) {
    channel.close();
    throw error;
  }
}

/** The 429 of a viewer who holds `limit` streams already. */
function tooManyStreams(limit: number, what: string): Response {
  const response = jsonError(429, "too_many_streams", `At most ${limit} ${what} per viewer; close one and retry`);
  response.headers.set("retry-after", String(STREAM_RETRY_AFTER_SECONDS));
  return response;
}

/**
 * A Server-Sent Events response for one viewer, counted against their open streams (429
 * `too_many_streams` past `limit`), with the reconnect delay and a heartbeat. `subscribe` starts
 * the source once the stream is open and returns how to stop it.
 */
export function openSseStream(options: SseStreamOptions, subscribe: SseSubscribe): Response {
  const release = acquireStreamSlot(options.viewerKey, options.limit);
  if (!release) return tooManyStreams(options.limit, options.what);

  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({
    start(streamController) {
      controller = streamController;
    },
    // Only ever called after `channel` below exists: the body is cancelled by its reader.
    cancel: () => channel.close(),
  });
  const sink: SseSink = {
    write: (frames) => controller.enqueue(typeof frames === "string" ? encoder.encode(frames) : frames),
    end() {
      try {
        controller.close();
      } catch {
        // already closed or cancelled by the client
      }
    },
  };
  const channel = openChannel(sink, release, options.signal, subscribe);
  return new Response(stream, { headers: SSE_HEADERS });
}

/**
 * The same stream written on node's own response of the socket. Why a second way: a frame
 * enqueued on a Response's body reaches the socket through Next's web-stream pipe (a read, a
 * write and their promises per frame), which costs about twice a plain `res.write` (28 µs
 * against 16 µs per frame measured here). With a thousand viewers of one run, each commit is a
 * thousand frames, and that difference is most of the time between the commit and the last
 * viewer seeing it.
 */
export function writeSseStream(res: ServerResponse, options: SseStreamOptions, subscribe: SseSubscribe): void {
  const release = acquireStreamSlot(options.viewerKey, options.limit);
  if (!release) return void sendFetchResponse(res, tooManyStreams(options.limit, options.what));
  res.writeHead(200, SSE_HEADERS);
  const sink: SseSink = {
    write(frames) {
      if (res.destroyed || res.writableEnded) throw new Error("the client went away");
      res.write(frames);
    },
    end: () => void res.end(),
  };
  openChannel(sink, release, options.signal, subscribe);
}
