import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Serves a fetch-style handler (a Next route handler, the demo model) from a plain node:http
 * server, as Next does: the raw body bytes as sent, the headers, and the client hanging up as the
 * request's abort signal; the answer streamed back frame by frame. Tests, benches and the chaos
 * harness use it to reach the real handlers over real sockets without a Next build; the run
 * events route (a pages/api node handler) uses it for the answers that are not its stream.
 */

export async function readRequestBody(req: IncomingMessage): Promise<Buffer<ArrayBuffer>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `req` as a fetch Request on `origin` (e.g. `http://127.0.0.1:4000`); aborted when the client goes. */
export function fetchRequestOf(req: IncomingMessage, res: ServerResponse, origin: string, body: Buffer<ArrayBuffer>): Request {
  const aborted = new AbortController();
  // Only a client that left before the whole answer was sent aborts: an abort costs a
  // DOMException and its event on every request otherwise, for nobody to hear.
  res.on("close", () => {
    if (!res.writableFinished) aborted.abort();
  });
  return new Request(new URL(req.url ?? "/", origin), {
    method: req.method,
    headers: Object.entries(req.headers).flatMap(([key, value]) => (typeof value === "string" ? [[key, value] as [string, string]] : [])),
    body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
    signal: aborted.signal,
  });
}

/** Writes `response` to `res`, passing a streamed body (SSE) on as it comes; stops when the client goes. */
export async function sendFetchResponse(res: ServerResponse, response: Response): Promise<void> {
  if (res.destroyed) return;
  res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
  const reader = response.body?.getReader();
  if (!reader) return void res.end();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || res.destroyed) break;
      res.write(value);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
    res.end();
  }
}

/** The bare 500 Next sends for a handler that threw instead of answering (what was sent so far stays). */
export function answerInternalError(res: ServerResponse): void {
  if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: { code: "internal", message: "internal error" } }));
}
