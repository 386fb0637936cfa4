/**
 * The readiness checks' names and the report's shape: no runtime dependencies, so the API's
 * schemas (server/http/api-schemas.ts) can name them without loading Postgres or Redis clients.
 */
export const READINESS_CHECKS = ["postgres", "redis", "migrations", "workers"] as const;
export type ReadinessCheckName = (typeof READINESS_CHECKS)[number];
export type ReadinessCheck = { name: ReadinessCheckName; ok: boolean; ms: number; detail: string };
export type ReadinessReport = { status: "ready" | "not_ready"; checks: ReadinessCheck[] };

/**
 * Each check's own limit, well under a probe's usual 1–5 s: the checks run side by side, so a
 * hung store makes the probe answer 503 after this long instead of hanging with it.
 */
export const READINESS_CHECK_TIMEOUT_MS = 1_500;
