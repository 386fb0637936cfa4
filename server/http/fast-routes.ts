import type { IncomingMessage, ServerResponse } from "node:http";
import { answerInternalError, fetchRequestOf, readRequestBody, sendFetchResponse } from "./node-bridge";

/**
 * Routes the production web server (scripts/lib/web-server.ts, what `npm start` serves) answers
 * itself, ahead of Next's request handler, with the very same route handler Next would call.
 *
 * Why: the sync trigger is the one route other systems call in a tight loop, and Next's own
 * request handling around an App Router route (its router, the request rebuilt as a web Request,
 * its async-local stores, the Response piped back as a web stream) cost about as much CPU as the
 * trigger itself (issue 11's bench: ~35 % of the web's CPU per run). Nothing else changes: the
 * handler is the route module's export, its front-door checks (server/http/public-api.ts)
 * included; anything the fast path does not take as it is — another method, a path that would
 * need decoding, a body without a declared small length — goes to Next as before. `next dev`
 * serves the same route through Next. Its answers carry the security headers next.config.js
 * gives every answer of Next's (SECURITY_HEADERS; a unit test keeps the two lists in step).
 *
 * The routes are registered by instrumentation.ts, which Next runs inside its server bundle, so
 * the handler shares that bundle's modules; this module only holds the table, on globalThis
 * under a registered symbol, because the web server's own copy of it (in the launcher's bundle,
 * dist/start.mjs, or dist/serve-web.mjs) reads it.
 */
export type FastRoute = {
  method: string;
  /** Matched against the path alone (no query); capture groups are the handler's params. */
  pattern: RegExp;
  handler: (request: Request, params: string[]) => Promise<Response>;
};

const FAST_ROUTES = Symbol.for("agentflow.fastRoutes");

/** What next.config.js's `headers()` adds to every answer of Next's, added to the fast path's answers too. */
export const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ["X-Frame-Options", "DENY"],
  ["X-Content-Type-Options", "nosniff"],
  ["Referrer-Policy", "same-origin"],
  ["Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"],
  ["Cross-Origin-Opener-Policy", "same-origin"],
];

/** Bodies the fast path reads itself: small ones, with their length declared (a JSON trigger input). */
export const FAST_ROUTE_MAX_BODY_BYTES = 64 * 1024;

export function registerFastRoutes(routes: FastRoute[]): void {
  (globalThis as { [FAST_ROUTES]?: FastRoute[] })[FAST_ROUTES] = routes;
}

/** How many routes are registered: none means instrumentation.ts did not run, and Next answers everything. */
export function fastRouteCount(): number {
  return registeredRoutes().length;
}

function registeredRoutes(): FastRoute[] {
  return (globalThis as { [FAST_ROUTES]?: FastRoute[] })[FAST_ROUTES] ?? [];
}

/** The route and params `req` would take on the fast path, or null when it goes to Next. */
function fastRouteOf(req: IncomingMessage): { route: FastRoute; params: string[] } | null {
  const routes = registeredRoutes();
  if (routes.length === 0) return null;
  const url = req.url ?? "";
  const queryAt = url.indexOf("?");
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  if (path.includes("%")) return null;
  if (req.headers["transfer-encoding"] !== undefined) return null;
  const length = req.headers["content-length"];
  if (length !== undefined && !(/^\d{1,9}$/.test(length) && Number(length) <= FAST_ROUTE_MAX_BODY_BYTES)) return null;
  for (const route of routes) {
    if (route.method !== req.method) continue;
    const match = route.pattern.exec(path);
    if (match) return { route, params: match.slice(1) };
  }
  return null;
}

/**
 * Answers `req` on the fast path when a registered route takes it; false when Next should.
 * A handler that throws instead of answering gets the bare 500 Next would send.
 */
export function serveFastRoute(req: IncomingMessage, res: ServerResponse): boolean {
  const taken = fastRouteOf(req);
  if (!taken) return false;
  // Set before the handler answers: writeHead merges them with the response's own headers.
  for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
  void (async () => {
    try {
      // The handlers read only the path and query from the URL; the Host header goes with the
      // other headers to the route's front door, which checks it.
      const request = fetchRequestOf(req, res, "http://localhost", await readRequestBody(req));
      await sendFetchResponse(res, await taken.route.handler(request, taken.params));
    } catch (error) {
      console.error("[agentflow] web: fast route failed", error);
      answerInternalError(res);
    }
  })();
  return true;
}
