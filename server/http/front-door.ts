import { isAllowedHost, isAllowedOrigin } from "../auth/hosts";
import { getEnv } from "../env";

/**
 * The checks every request passes before any route runs, the same whichever way it came in:
 * proxy.ts runs them for pages and most API routes; the public REST API (app/api/v1), which
 * the proxy skips because Next's proxy step costs more CPU per call than the rest of a cheap
 * route, runs them itself through `publicApiRoute` (server/http/public-api.ts).
 *
 * - a Host header that is not ours is refused (DNS rebinding: a foreign page whose name
 *   resolves to this server would otherwise talk to it as "same origin");
 * - a path with malformed percent-encoding or an encoded NUL is refused before routing tries
 *   to decode it;
 * - a state-changing request from another site's page is refused (Origin / Sec-Fetch-Site);
 * - a body declared larger than any route accepts is refused (413) before it is read.
 *
 * Nothing here grants access: routes still check identity and workspace themselves.
 */
export type FrontDoorRefusal = { status: 400 | 403 | 413; code: string; message: string };

/** `host`: the Host header (a route given a Request built in-process passes its URL's host). */
export type FrontDoorRequest = { method: string; pathname: string; host: string | null; headers: Headers };

const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

/** `%E0%A4%A`, `%ZZ`, an encoded NUL: none of them can be part of a real path. */
function isDecodablePath(pathname: string): boolean {
  try {
    return !decodeURIComponent(pathname).includes("\u0000");
  } catch {
    return false;
  }
}

export function frontDoorRefusal(request: FrontDoorRequest): FrontDoorRefusal | null {
  const { host } = request;
  if (!isAllowedHost(host)) {
    return {
      status: 400,
      code: "host_not_allowed",
      message: `This server does not answer to "${(host ?? "").slice(0, 100)}": open it at its APP_URL, or add the host to ALLOWED_HOSTS`,
    };
  }
  if (!isDecodablePath(request.pathname)) {
    return { status: 400, code: "invalid_path", message: "The URL path has malformed percent-encoding or characters no id can contain" };
  }
  if (!SAFE_METHODS.has(request.method)) {
    const origin = request.headers.get("origin");
    if ((origin && origin !== "null" && !isAllowedOrigin(origin, host)) || origin === "null" || request.headers.get("sec-fetch-site") === "cross-site") {
      return { status: 403, code: "cross_origin", message: "Requests that change something must come from AgentFlow's own pages" };
    }
    const declared = Number(request.headers.get("content-length") ?? "0");
    const limit = getEnv().MAX_GRAPH_BYTES;
    if (Number.isFinite(declared) && declared > limit) {
      return { status: 413, code: "payload_too_large", message: `The request body is larger than the limit of ${limit} bytes` };
    }
  }
  return null;
}
