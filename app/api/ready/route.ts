import { getReadiness, readinessResponse } from "@/server/ops/readiness";

export const dynamic = "force-dynamic";

/**
 * GET /api/ready — readiness: Postgres and Redis answer, every migration is applied, and a worker
 * beat within the last 30 s (server/ops/readiness.ts). 200 when all pass, 503 otherwise, with
 * `{status, checks: [{name, ok, ms, detail}]}`. No credential: a probe has none, and the body
 * holds only check names, timings and short reasons — no host, port, user or error text.
 */
export async function GET() {
  return readinessResponse(await getReadiness());
}
