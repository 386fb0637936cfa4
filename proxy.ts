import { NextResponse, type NextRequest } from "next/server";
import { frontDoorRefusal } from "@/server/http/front-door";
import { isProbeRequest } from "@/server/ops/probe-paths";

/** Pages anyone may open. */
const PUBLIC_PAGES = ["/sign-in", "/setup", "/invite/"];

function refuse(status: number, code: string, message: string): NextResponse {
  return NextResponse.json({ error: { code, message } }, { status });
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

/**
 * The front door, before any route runs:
 * - the checks of server/http/front-door.ts (foreign Host, malformed path, cross-site write,
 *   oversized body);
 * - pages without a session cookie go to sign-in (the page's layout then checks the session
 *   itself: this is only the cheap first gate);
 * - pages get a per-request CSP nonce, so only Next's own scripts run.
 * Routes still check identity and workspace themselves; nothing here grants access.
 */
export function proxy(request: NextRequest) {
  // Health and readiness probes come from orchestrators that send the pod's or container's
  // address as Host; both routes answer everyone the same and reveal nothing (server/ops/probe-paths.ts).
  if (isProbeRequest(request.method, request.nextUrl.pathname)) return NextResponse.next();
  const { pathname } = request.nextUrl;
  const refusal = frontDoorRefusal({ method: request.method, pathname, host: request.headers.get("host"), headers: request.headers });
  if (refusal) return refuse(refusal.status, refusal.code, refusal.message);
  const isApi = pathname.startsWith("/api/");

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
  // Everything but Next's hashed static files and the public REST API. Next's proxy step costs
  // about as much CPU per call as a whole cheap route (~0.5–0.8 ms here: it rebuilds the
  // request and buffers its body), so app/api/v1 runs the same front-door checks itself
  // (server/http/public-api.ts). A v1 path with a `%` still comes here: Next answers 500 when
  // it cannot decode a path, before any route could refuse it.
  matcher: ["/((?!_next/static|_next/image|api/v1/).*)", "/api/v1/(.*%.*)"],
};
