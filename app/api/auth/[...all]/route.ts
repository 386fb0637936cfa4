import { getAuth, SSO_PROVIDER_ID } from "@/server/auth/better-auth";
import { errorResponse, jsonError } from "@/server/http/rest";
import { recordSignInOutcome, signInBlockedFor } from "@/server/auth/rate-limit";

export const dynamic = "force-dynamic";

/**
 * better-auth's HTTP endpoints, but only the ones AgentFlow uses: sign in (password or SSO),
 * the SSO callback, sign out and reading the session. Everything else it offers (open
 * sign-up, user deletion, account linking, ...) answers 404 here; accounts are created by the
 * setup page and invite links, and passwords change through our API (which audits it).
 */
const AUTH_ROUTES: Record<"GET" | "POST", readonly string[]> = {
  GET: ["/get-session", `/oauth2/callback/${SSO_PROVIDER_ID}`, `/callback/${SSO_PROVIDER_ID}`],
  POST: ["/sign-in/email", "/sign-in/social", "/sign-in/oauth2", "/sign-out", `/oauth2/callback/${SSO_PROVIDER_ID}`, `/callback/${SSO_PROVIDER_ID}`],
};

function allowed(method: "GET" | "POST", request: Request): boolean {
  const path = new URL(request.url).pathname.replace(/^\/api\/auth/, "").replace(/\/$/, "");
  return AUTH_ROUTES[method].includes(path);
}

export async function GET(request: Request) {
  if (!allowed("GET", request)) return jsonError(404, "not_found", "Not found");
  // better-auth rethrows a database error (reading the session with Postgres down): a 503 with Retry-After, not a 500.
  return getAuth().handler(request).catch(errorResponse);
}

export async function POST(request: Request) {
  if (!allowed("POST", request)) return jsonError(404, "not_found", "Not found");
  // The sign-in counter lives in Redis: its outage is a 503 with Retry-After (errorResponse), not a 500.
  if (new URL(request.url).pathname.endsWith("/sign-in/email")) return signInWithPassword(request).catch(errorResponse);
  return getAuth().handler(request).catch(errorResponse);
}

/** Password sign-in, with failures counted per account (see signInBlockedFor). */
async function signInWithPassword(request: Request): Promise<Response> {
  const body = (await request.clone().json().catch(() => null)) as { email?: unknown } | null;
  const email = typeof body?.email === "string" ? body.email.slice(0, 254) : "";
  if (email) {
    const retryAfter = await signInBlockedFor(email);
    if (retryAfter !== null) {
      return jsonError(429, "too_many_attempts", "Too many failed sign-ins for this account: wait and try again", { headers: { "retry-after": String(retryAfter) } });
    }
  }
  const response = await getAuth().handler(request);
  if (email && (response.status === 200 || response.status === 401)) await recordSignInOutcome(email, response.status === 200);
  return response;
}
