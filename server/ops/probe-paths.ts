/**
 * The probe URLs, which answer whatever the Host header: a Kubernetes httpGet probe sends the
 * pod's IP as Host (`10.1.2.3:3000`), a compose or load-balancer check may send the container's
 * address, and neither can be listed in ALLOWED_HOSTS ahead of time. The Host allowlist guards
 * against DNS rebinding, i.e. a foreign page reading the app as "same origin"; these two routes
 * answer every caller the same and reveal nothing (see server/ops/readiness.ts), so there is
 * nothing for such a page to read. Only GET and HEAD, and only these exact paths.
 *
 * Kept apart from readiness.ts so proxy.ts does not pull Postgres and Redis clients in.
 */
export const PROBE_PATHS: ReadonlySet<string> = new Set(["/api/health", "/api/ready"]);

export function isProbeRequest(method: string, pathname: string): boolean {
  return (method === "GET" || method === "HEAD") && PROBE_PATHS.has(pathname);
}
