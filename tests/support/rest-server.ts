import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import * as triggerRoute from "../../app/api/v1/workflows/[workflowId]/trigger/route";
import * as runRoute from "../../app/api/v1/runs/[runId]/route";
import * as runActionRoute from "../../app/api/v1/runs/[runId]/[action]/route";
import * as humanTaskRoute from "../../app/api/v1/human-tasks/[taskId]/route";

/**
 * The public REST routes (app/api/v1) mounted on a real loopback HTTP server the way Next.js
 * serves them — path params from the URL, the raw body bytes as sent, the client's disconnect
 * as the request's abort signal — so tests call them with fetch over real sockets.
 */
export type RestServer = { url: string; close(): Promise<void> };

type Params<T> = { params: Promise<T> };

function route(method: string, pathname: string): ((request: Request) => Promise<Response>) | null {
  let match = /^\/api\/v1\/workflows\/([^/]+)\/trigger$/.exec(pathname);
  if (match && method === "POST") {
    const workflowId = decodeURIComponent(match[1] ?? "");
    return (request) => triggerRoute.POST(request, { params: Promise.resolve({ workflowId }) } satisfies Params<{ workflowId: string }>);
  }
  match = /^\/api\/v1\/runs\/([^/]+)\/([^/]+)$/.exec(pathname);
  if (match && method === "POST") {
    const [runId, action] = [decodeURIComponent(match[1] ?? ""), decodeURIComponent(match[2] ?? "")];
    return (request) => runActionRoute.POST(request, { params: Promise.resolve({ runId, action }) });
  }
  match = /^\/api\/v1\/runs\/([^/]+)$/.exec(pathname);
  if (match && method === "GET") {
    const runId = decodeURIComponent(match[1] ?? "");
    return (request) => runRoute.GET(request, { params: Promise.resolve({ runId }) });
  }
  match = /^\/api\/v1\/human-tasks\/([^/]+)$/.exec(pathname);
  if (match && method === "POST") {
    const taskId = decodeURIComponent(match[1] ?? "");
    return (request) => humanTaskRoute.POST(request, { params: Promise.resolve({ taskId }) });
  }
  return null;
}

export async function startRestServer(): Promise<RestServer> {
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const aborted = new AbortController();
    res.on("close", () => aborted.abort());
    const { port } = server.address() as AddressInfo;
    const url = new URL(`http://127.0.0.1:${port}${req.url ?? "/"}`);
    const handler = route(req.method ?? "GET", url.pathname);
    if (!handler) {
      res.writeHead(404).end();
      return;
    }
    const request = new Request(url, {
      method: req.method,
      headers: Object.entries(req.headers).flatMap(([key, value]) => (typeof value === "string" ? [[key, value] as [string, string]] : [])),
      body: req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks),
      signal: aborted.signal,
    });
    const response = await handler(request);
    res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
    if (response.body) Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>).pipe(res);
    else res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
