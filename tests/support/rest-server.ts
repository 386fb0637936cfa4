import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as triggerRoute from "../../app/api/v1/workflows/[workflowId]/trigger/route";
import * as runRoute from "../../app/api/v1/runs/[runId]/route";
import * as runActionRoute from "../../app/api/v1/runs/[runId]/[action]/route";
import * as humanTasksRoute from "../../app/api/v1/human-tasks/route";
import * as humanTaskRoute from "../../app/api/v1/human-tasks/[taskId]/route";
import { fetchRequestOf, readRequestBody, sendFetchResponse } from "../../server/http/node-bridge";

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
  if (pathname === "/api/v1/human-tasks" && method === "GET") return (request) => humanTasksRoute.GET(request);
  match = /^\/api\/v1\/human-tasks\/([^/]+)$/.exec(pathname);
  if (match && method === "POST") {
    const taskId = decodeURIComponent(match[1] ?? "");
    return (request) => humanTaskRoute.POST(request, { params: Promise.resolve({ taskId }) });
  }
  return null;
}

export type RestServerOptions = {
  /** A fixed port (default: any free one). */
  port?: number;
  /** Told of a handler that threw instead of answering (answered 500, as Next would). */
  onThrow?: (error: unknown) => void;
};

export async function startRestServer(options: RestServerOptions = {}): Promise<RestServer> {
  const server: Server = createServer(async (req, res) => {
    try {
      const body = await readRequestBody(req);
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const handler = route(req.method ?? "GET", new URL(req.url ?? "/", origin).pathname);
      if (!handler) return void res.writeHead(404).end();
      await sendFetchResponse(res, await handler(fetchRequestOf(req, res, origin, body)));
    } catch (error) {
      options.onThrow?.(error);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("handler threw");
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
