export const dynamic = "force-dynamic";

/**
 * GET /api/health — liveness: this process answers HTTP. It checks no dependency on purpose: a
 * liveness probe that failed when Postgres or Redis is down would have the orchestrator restart
 * healthy web processes for a store's outage (readiness, /api/ready, is the one that looks at
 * them). No credential, and nothing in the answer but that it answered.
 */
export function GET() {
  return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
}
