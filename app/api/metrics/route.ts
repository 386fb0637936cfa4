import { createHash, timingSafeEqual } from "node:crypto";
import { verifyApiKey } from "@/server/auth/api-keys";
import { bearerToken } from "@/server/auth/request";
import { tokenKindOf } from "@/server/auth/secret-tokens";
import { getEnv } from "@/server/env";
import { jsonError } from "@/server/http/rest";
import { collectMetrics } from "@/server/ops/metrics-scrape";

export const dynamic = "force-dynamic";

const unauthorized = () =>
  jsonError(401, "unauthorized", "Send `Authorization: Bearer <METRICS_TOKEN>` or an API key with the metrics scope", {
    headers: { "www-authenticate": 'Bearer realm="agentflow-metrics"' },
  });

/** Equal in constant time: both sides hashed first, so neither the content nor the length leaks. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * GET /api/metrics — Prometheus text (server/ops/metrics-scrape.ts): this web process, every
 * live worker (pushed through Redis, labelled `worker`) and queue, worker and human-task gauges
 * read at scrape time. Never open: `METRICS_TOKEN` sees the whole instance; an API key with the
 * `metrics` scope sees the series without tenant data plus its own workspace's. No session
 * cookie: a scraper has none, and a browser has no business here.
 */
export async function GET(request: Request) {
  const token = bearerToken(request.headers);
  if (!token) return unauthorized();
  const metricsToken = getEnv().METRICS_TOKEN;
  let workspaceId: string | undefined;
  if (metricsToken !== undefined && sameSecret(token, metricsToken)) {
    workspaceId = undefined;
  } else if (tokenKindOf(token) === "api_key") {
    const key = await verifyApiKey(token);
    if (!key) return unauthorized();
    if (!key.scopes.includes("metrics")) return jsonError(403, "forbidden", "This API key's scopes do not include metrics");
    workspaceId = key.workspaceId;
  } else {
    return unauthorized();
  }
  const { text, contentType } = await collectMetrics({ workspaceId });
  return new Response(text, { headers: { "content-type": contentType, "cache-control": "no-store" } });
}
