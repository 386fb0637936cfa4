import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Redis } from "ioredis";
import type pg from "pg";
import { getPool } from "../db";
import { getEnv } from "../env";
import { getRedis } from "../events";
import { READINESS_CHECK_TIMEOUT_MS, type ReadinessCheck, type ReadinessCheckName, type ReadinessReport } from "./checks";
import { HEARTBEAT_TTL_MS, listLiveWorkers } from "./workers";
import { componentLog } from "./log";

const logger = componentLog("ready");

export { type ReadinessReport } from "./checks";

/**
 * Readiness (GET /api/ready): can this deployment run workflows right now? Postgres answers,
 * Redis answers, every migration in prisma/migrations is applied, and at least one worker
 * process beat within HEARTBEAT_TTL_MS. Liveness (GET /api/health) checks none of this.
 *
 * The answer is public (probes carry no credential), so it says only which check failed and a
 * short reason a person can act on — never a host name, a port, a user or an error's text; the
 * whole error goes to the server log instead.
 */

type Queryable = { query<Row extends pg.QueryResultRow>(text: string): Promise<pg.QueryResult<Row>> };

export type ReadinessDeps = {
  db: Queryable;
  redis: Redis;
  queuePrefix: string;
  migrationsDir: string;
  timeoutMs: number;
  /** Where failures are logged in full. */
  log: (line: string) => void;
};

/** The migrations folder as `scripts/migrate.ts` reads it; `npm start`, the image and the tests run from the repository root. */
export const DEFAULT_MIGRATIONS_DIR = path.join(process.cwd(), "prisma", "migrations");

function defaultDeps(): ReadinessDeps {
  return {
    db: getPool(),
    redis: getRedis(),
    queuePrefix: getEnv().QUEUE_PREFIX,
    migrationsDir: DEFAULT_MIGRATIONS_DIR,
    timeoutMs: READINESS_CHECK_TIMEOUT_MS,
    log: (line) => logger.error(line),
  };
}

type Outcome = { ok: boolean; detail: string };

class CheckTimeout extends Error {}

async function runCheck(name: ReadinessCheckName, deps: ReadinessDeps, check: () => Promise<Outcome>): Promise<ReadinessCheck> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeout()), deps.timeoutMs);
  });
  let outcome: Outcome;
  try {
    outcome = await Promise.race([check(), timeout]);
    if (!outcome.ok) deps.log(`${name}: ${outcome.detail}`);
  } catch (error) {
    outcome = { ok: false, detail: publicReason(error, deps.timeoutMs) };
    // The whole error, host and port included, for the operator's log only.
    deps.log(`${name}: ${error instanceof CheckTimeout ? outcome.detail : error instanceof Error ? error.message : String(error)}`);
  } finally {
    clearTimeout(timer);
  }
  return { name, ok: outcome.ok, ms: Math.round(performance.now() - started), detail: outcome.detail };
}

/**
 * What a failure may say in public: a timeout, or the error's code when it is a bare code
 * (ECONNREFUSED, ENOTFOUND, a Postgres SQLSTATE such as 28P01) — messages are never copied,
 * they name hosts, ports and users.
 */
function publicReason(error: unknown, timeoutMs: number): string {
  if (error instanceof CheckTimeout) return `no answer within ${timeoutMs} ms`;
  const code = typeof error === "object" && error !== null && "code" in error ? (error as { code: unknown }).code : undefined;
  return typeof code === "string" && /^[A-Z0-9_]{2,32}$/.test(code) ? `failed (${code})` : "failed";
}

type MigrationOnDisk = { name: string; checksum: string };
const migrationsOnDisk = new Map<string, MigrationOnDisk[]>();

/** The folders with a migration.sql and their checksums (sha256 of the bytes, as scripts/migrate.ts stores them); read once per process. */
function readMigrationsOnDisk(dir: string): MigrationOnDisk[] {
  const cached = migrationsOnDisk.get(dir);
  if (cached) return cached;
  const migrations = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({ name, checksum: createHash("sha256").update(readFileSync(path.join(dir, name, "migration.sql"))).digest("hex") }));
  migrationsOnDisk.set(dir, migrations);
  return migrations;
}

async function checkMigrations(deps: ReadinessDeps): Promise<Outcome> {
  let onDisk: MigrationOnDisk[];
  try {
    onDisk = readMigrationsOnDisk(deps.migrationsDir);
  } catch (error) {
    deps.log(`migrations: cannot read ${deps.migrationsDir}: ${error instanceof Error ? error.message : String(error)}`);
    return { ok: false, detail: "the migrations folder cannot be read" };
  }
  let rows: { migration_name: string; checksum: string }[];
  try {
    // The bookkeeping table scripts/migrate.ts (and `prisma migrate deploy`) write: a migration is
    // applied when its row finished and was not rolled back.
    ({ rows } = await deps.db.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    ));
  } catch (error) {
    if (typeof error === "object" && error !== null && (error as { code?: unknown }).code === "42P01") return { ok: false, detail: "no migration has been applied" };
    throw error;
  }
  const applied = new Map(rows.map((row) => [row.migration_name, row.checksum]));
  const missing = onDisk.filter((migration) => !applied.has(migration.name));
  const edited = onDisk.filter((migration) => applied.has(migration.name) && applied.get(migration.name) !== migration.checksum);
  if (missing.length > 0) {
    deps.log(`migrations: not applied: ${missing.map((migration) => migration.name).join(", ")}`);
    return { ok: false, detail: `${missing.length} of ${onDisk.length} not applied` };
  }
  if (edited.length > 0) {
    deps.log(`migrations: edited after they were applied: ${edited.map((migration) => migration.name).join(", ")}`);
    return { ok: false, detail: `${edited.length} changed after they were applied` };
  }
  // Rows without a folder are a newer release's migrations (a rolling deploy): this code runs on that schema.
  return { ok: true, detail: `${onDisk.length} applied` };
}

/** Runs every check side by side; each ends within `timeoutMs`. */
export async function checkReadiness(overrides: Partial<ReadinessDeps> = {}): Promise<ReadinessReport> {
  const deps: ReadinessDeps = { ...defaultDeps(), ...overrides };
  const checks = await Promise.all([
    runCheck("postgres", deps, async () => {
      await deps.db.query("SELECT 1");
      return { ok: true, detail: "answered" };
    }),
    runCheck("redis", deps, async () => {
      const answer = await deps.redis.ping();
      return { ok: answer === "PONG", detail: answer === "PONG" ? "answered" : "unexpected answer to PING" };
    }),
    runCheck("migrations", deps, () => checkMigrations(deps)),
    runCheck("workers", deps, async () => {
      const online = (await listLiveWorkers({ redis: deps.redis, queuePrefix: deps.queuePrefix })).length;
      return online > 0 ? { ok: true, detail: `${online} online` } : { ok: false, detail: `no worker heartbeat in the last ${HEARTBEAT_TTL_MS / 1000} s` };
    }),
  ]);
  return { status: checks.every((check) => check.ok) ? "ready" : "not_ready", checks };
}

let inFlight: Promise<ReadinessReport> | null = null;

/**
 * checkReadiness with the process's own connections, shared by concurrent callers: anyone may
 * call /api/ready, and a flood of probes costs one set of checks at a time, not one each.
 */
export function getReadiness(): Promise<ReadinessReport> {
  inFlight ??= checkReadiness().finally(() => {
    inFlight = null;
  });
  return inFlight;
}

/** 200 when every check passed, 503 otherwise; the same body either way, never cached. */
export function readinessResponse(report: ReadinessReport): Response {
  return Response.json(report, { status: report.status === "ready" ? 200 : 503, headers: { "cache-control": "no-store" } });
}
