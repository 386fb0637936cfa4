// Applies prisma/migrations/*/migration.sql with plain `pg`.
//
// Why not `prisma migrate deploy`: it needs Prisma's schema engine binary, which is
// downloaded at install time and cannot be on machines without that network access. We
// keep Prisma's bookkeeping table byte-for-byte compatible, so `prisma migrate deploy` or
// `prisma migrate status` run elsewhere see these migrations as applied.
//
// CLI: `tsx scripts/migrate.ts` (uses DATABASE_URL).
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { isMain } from "./lib/paths";

export const DEFAULT_MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "prisma", "migrations");

// Prisma Migrate's own advisory lock key, so we also exclude a concurrent `prisma migrate`.
const ADVISORY_LOCK_KEY = 72707369;

// Prisma's DDL for its bookkeeping table (postgres flavour), column for column.
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export type Migration = { name: string; sql: string; checksum: string };
export type MigrationResult = { applied: string[]; alreadyApplied: string[] };

/** Prisma's checksum: sha256 of the migration.sql bytes, lowercase hex. */
export function migrationChecksum(sql: string | Buffer): string {
  return createHash("sha256").update(sql).digest("hex");
}

/** Migration folders that hold a migration.sql, in folder-name (= timestamp) order. */
export function listMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const bytes = readFileSync(path.join(dir, name, "migration.sql"));
      return { name, sql: bytes.toString("utf8"), checksum: migrationChecksum(bytes) };
    });
}

type AppliedRow = { migration_name: string; checksum: string; finished_at: Date | null };

/**
 * Empties a throwaway database (every table, and the migration history) so a test run starts
 * from nothing: earlier runs' rows, written by an older engine, must not leak into this one.
 */
export async function resetDatabase(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
  } finally {
    await client.end();
  }
}

export async function applyMigrations(
  databaseUrl: string,
  options: { dir?: string; log?: (line: string) => void } = {},
): Promise<MigrationResult> {
  const log = options.log ?? ((line: string) => console.log(`[agentflow] ${line}`));
  const migrations = listMigrations(options.dir);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // Session-level lock: held across the per-migration transactions below, so a second
    // starter waits here and then finds everything applied.
    await client.query("SELECT pg_advisory_lock($1)", [ADVISORY_LOCK_KEY]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const { rows } = await client.query<AppliedRow>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
    );
    const applied = new Map(rows.map((row) => [row.migration_name, row]));

    const unfinished = rows.find((row) => row.finished_at === null);
    if (unfinished) {
      throw new Error(
        `migration ${unfinished.migration_name} was started but never finished (a failed \`prisma migrate\`?). ` +
          `Fix the database by hand, then mark it with \`prisma migrate resolve\`.`,
      );
    }
    for (const migration of migrations) {
      const row = applied.get(migration.name);
      if (row && row.checksum !== migration.checksum) {
        throw new Error(
          `migration ${migration.name} was edited after it was applied (checksum ${row.checksum} in the database, ` +
            `${migration.checksum} on disk). Applied migrations are immutable: revert the edit and add a new migration.`,
        );
      }
    }

    const result: MigrationResult = { applied: [], alreadyApplied: [] };
    for (const migration of migrations) {
      if (applied.has(migration.name)) {
        result.alreadyApplied.push(migration.name);
        continue;
      }
      // One transaction per migration (Postgres DDL is transactional): a failure leaves
      // neither half a schema nor a bookkeeping row behind, so a fixed file can be re-run.
      await client.query("BEGIN");
      try {
        const id = randomUUID();
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)`,
          [id, migration.checksum, migration.name],
        );
        await client.query(migration.sql); // no parameters → simple protocol → many statements allowed
        await client.query(`UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`, [id]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined); // keep the original error
        throw new Error(`migration ${migration.name} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      result.applied.push(migration.name);
      log(`migrations: applied ${migration.name}`);
    }
    const known = new Set(migrations.map((migration) => migration.name));
    for (const name of applied.keys()) {
      if (!known.has(name)) log(`migrations: warning: ${name} is applied in the database but has no folder here`);
    }
    log(`migrations: ${result.applied.length} applied, ${result.alreadyApplied.length} already up to date`);
    return result;
  } finally {
    // Ending the session also releases the advisory lock.
    await client.end();
  }
}

if (isMain(import.meta.url)) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error("scripts/migrate.ts: set DATABASE_URL (or use `npm run db:migrate`, which starts the local Postgres)");
    process.exit(2);
  }
  applyMigrations(url).catch((error: unknown) => {
    console.error(`[agentflow] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
