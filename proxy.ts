import { NextResponse, type NextRequest } from "next/server";
import { isAllowedHost, isAllowedOrigin } from "@/server/auth/hosts";
import { getEnv } from "@/server/env";
import { isProbeRequest } from "@/server/ops/probe-paths";

/**
 * The front door, before any route runs:
 * - a Host header that is not ours is refused (DNS rebinding: a foreign page whose name
 *   resolves to this server would otherwise talk to it as "same origin");
 * - a state-changing request from another site's page is refused (Origin / Sec-Fetch-Site);
 * - a body declared larger than any route accepts is refused (413) before it is read;
 * - pages without a session cookie go to sign-in (the page's layout then checks the session
 *   itself: this is only the cheap first gate);
 * - pages get a per-request CSP nonce, so only Next's own scripts run.
 * Routes still check identity and workspace themselves; nothing here grants access.
 */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Pages anyone may open. */
const PUBLIC_PAGES = ["/sign-in", "/setup", "/invite/"];

function refuse(status: number, code: string, message: string): NextResponse {
  return NextResponse.json({ error: { code, message } }, { status });
}

/** `%E0%A4%A`, `%ZZ`, an encoded NUL: refused here with a JSON error, before routing tries to decode them. */
function isDecodablePath(pathname: string): boolean {
  try {
    return !decodeURIComponent(pathname).includes("\u0000");
  } catch {
    return false;
  }
}

function contentSecurityPolicy(nonce: string): string {
  const dev = process.env.NODE_ENV === "development";
  return [
    "default-src 'self'",
    // 'strict-dynamic': scripts Next loads from its nonce'd bootstrap may run, nothing else.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // React Flow positions nodes with style attributes.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'self'",
    "object-src 'none'",
  ].join("; ");
}

export function proxy(request: NextRequest) {
  // Health and readiness probes come from orchestrators that send the pod's or container's
  // address as Host; both routes answer everyone the same and reveal nothing (server/ops/probe-paths.ts).
  if (isProbeRequest(request.method, request.nextUrl.pathname)) return NextResponse.next();
  const host = request.headers.get("host");
  if (!isAllowedHost(host)) {
    return refuse(400, "host_not_allowed", `This server does not answer to "${(host ?? "").slice(0, 100)}": open it at its APP_URL, or add the host to ALLOWED_HOSTS`);
  }

  const { pathname } = request.nextUrl;
  if (!isDecodablePath(pathname)) {
    return refuse(400, "invalid_path", "The URL path has malformed percent-encoding or characters no id can contain");
  }
  const isApi = pathname.startsWith("/api/");

  if (!SAFE_METHODS.has(request.method)) {
    const origin = request.headers.get("origin");
    if ((origin && origin !== "null" && !isAllowedOrigin(origin, host)) || origin === "null" || request.headers.get("sec-fetch-site") === "cross-site") {
      return refuse(403, "cross_origin", "Requests that change something must come from AgentFlow's own pages");
    }
    const declared = Number(request.headers.get("content-length") ?? "0");
    if (Number.isFinite(declared) && declared > getEnv().MAX_GRAPH_BYTES) {
      return refuse(413, "payload_too_large", `The request body is larger than the limit of ${getEnv().MAX_GRAPH_BYTES} bytes`);
    }
  }

  // API routes check identity themselves; files (icon.svg, robots.txt) are public.
  if (isApi || /\.[a-z0-9]+$/i.test(pathname)) return NextResponse.next();

  const isPublicPage = PUBLIC_PAGES.some((page) => pathname === page || pathname.startsWith(page));
  if (!isPublicPage && !request.cookies.getAll().some((cookie) => cookie.name.endsWith("session_token"))) {
    const signIn = new URL("/sign-in", request.url);
    if (pathname !== "/") signIn.searchParams.set("next", `${pathname}${request.nextUrl.search}`);
    return NextResponse.redirect(signIn);
  }

  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const csp = contentSecurityPolicy(nonce);
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  // Next reads the policy from the request to put the nonce on its own scripts.
  requestHeaders.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", csp);
  return response;
}

export const config = {
  // Everything but Next's hashed static files.
  matcher: ["/((?!_next/static|_next/image).*)"],
};
