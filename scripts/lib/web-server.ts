// The production web server of `npm start`, served from the launcher's own process.
//
// Why not a `next start` child, as before: every node process carries ~40 MiB of node itself
// (the binary's code and V8's start-up heap, counted in each process's RSS), and the launcher
// held ~63 MiB idle only to wait for signals and restart workers. Serving the web from the
// launcher removes one process of the four a user's `npm start` left running (npm, launcher,
// web, worker). Workers stay separate processes: a worker that crashes is restarted while
// this process keeps serving. `npm run dev` keeps `next dev` as a child (its compiler and
// hot reload live there). The Docker image and docker-compose.yml's `web` service run this
// same server alone, as scripts/serve-web.ts bundled into dist/serve-web.mjs.
//
// It is Next's documented custom server: the same request handler `next start` uses (the
// proxy in proxy.ts, the app's routes, static files), behind a node:http server of ours, which
// answers the trigger route itself with that route's handler (server/http/fast-routes.ts).
import http from "node:http";
import type { Duplex } from "node:stream";
import { fastRouteCount, serveFastRoute } from "../../server/http/fast-routes";
import { answerInternalError } from "../../server/http/node-bridge";
import { closeAllOnShutdown } from "../../server/ops/closers";

export type WebServer = {
  /**
   * Stops taking connections, lets requests in flight finish for up to `graceMs`, closes the
   * rest, then the app's connections to Redis and Postgres (the launcher stops those next).
   */
  stop(): Promise<void>;
};

export type WebServerOptions = {
  dir: string;
  hostname: string;
  port: number;
  /** How long open requests (a sync trigger waiting, an SSE stream) get on stop. */
  graceMs?: number;
};

/** Why listen failed, in words an operator acts on. */
function describeListenError(error: NodeJS.ErrnoException, hostname: string, port: number): string {
  if (error.code === "EADDRINUSE") return `port ${port} on ${hostname} is in use by another program (set PORT to use another)`;
  if (error.code === "EACCES") return `not allowed to listen on port ${port} (set PORT to a port above 1023)`;
  return `cannot listen on ${hostname}:${port}: ${error.message}`;
}

/** The web's port from PORT (default 3000): a whole number from 1 to 65535, else null. */
export function webPortOf(text: string | undefined): number | null {
  const port = /^\d{1,5}$/.test(text ?? "3000") ? Number(text ?? "3000") : Number.NaN;
  return port >= 1 && port <= 65535 ? port : null;
}

/** `hostname` as the host of a URL: an IPv6 address goes in brackets. */
export function hostInUrl(hostname: string): string {
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}

/**
 * Where this process reaches its own server: the host it listens on, except that a wildcard
 * address (HOST=0.0.0.0 in the Docker image, or ::) is no destination to send a request to, so
 * loopback stands in for it.
 */
function ownAddress(hostname: string): string {
  if (hostname === "0.0.0.0") return "127.0.0.1";
  if (hostname === "::") return "[::1]";
  return hostInUrl(hostname);
}

/**
 * Next prepares its server — instrumentation.ts included, which registers the fast routes — on
 * the first request it handles, not in `app.prepare()`: one liveness probe makes that happen
 * now rather than in a user's first request. Without the fast routes every request still works
 * (Next answers the trigger too), only with more CPU per call, so their absence is a warning.
 */
async function warmUp(options: WebServerOptions): Promise<void> {
  try {
    await (await fetch(`http://${ownAddress(options.hostname)}:${options.port}/api/health`, { signal: AbortSignal.timeout(30_000) })).arrayBuffer();
  } catch (error) {
    console.warn(`[agentflow] web: the warm-up request failed (${error instanceof Error ? error.message : String(error)})`);
  }
  if (fastRouteCount() === 0) console.warn("[agentflow] web: no fast routes registered (instrumentation.ts did not run): Next answers the trigger");
}

/** How long the web server keeps an idle keep-alive connection open (see startWebServer). */
const KEEP_ALIVE_MS = 65_000;

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const { default: next } = await import("next");
  const app = next({ dev: false, dir: options.dir, hostname: options.hostname, port: options.port });
  const handle = app.getRequestHandler();
  await app.prepare();

  const server = http.createServer((request, response) => {
    // The sync trigger, answered by its own route handler without Next's request handling around it.
    if (serveFastRoute(request, response)) return;
    handle(request, response).catch((error: unknown) => {
      // Next answers its own errors; this is only reached if its handler itself throws.
      console.error("[agentflow] web: request handler failed", error);
      answerInternalError(response);
    });
  });
  // An idle keep-alive connection stays open 65 s, not node's 5 s. A client that reuses one just
  // as the server closes it gets ECONNRESET (a reverse proxy's upstream pool, an SDK's, a test's
  // request context: CI lost a request so, 5 s after the last one). Proxies keep idle upstream
  // connections up to 60 s, so the server outlasts them; the header timeout must exceed it.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1_000;
  // The app has no WebSocket routes (live runs use SSE): an upgrade request is refused, not left hanging.
  server.on("upgrade", (_request, socket: Duplex) => socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n"));

  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => reject(new Error(describeListenError(error, options.hostname, options.port))));
    server.listen(options.port, options.hostname, () => resolve());
  });
  await warmUp(options);

  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const grace = setTimeout(() => server.closeAllConnections(), options.graceMs ?? 5_000);
        await closed;
        clearTimeout(grace);
        await app.close();
        await closeAllOnShutdown();
      })();
      return stopping;
    },
  };
}
