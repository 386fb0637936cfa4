// scripts/migrate.ts against the real test Postgres. Each test gets its own throwaway
// database so it neither sees nor disturbs the schema other integration tests use.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyMigrations, DEFAULT_MIGRATIONS_DIR, listMigrations } from "../scripts/migrate";

const baseUrl = process.env.DATABASE_URL;
if (!baseUrl) throw new Error("DATABASE_URL is not set: run through `npm test` or `npm run test:integration`");

const quiet = () => undefined;
let dbName: string;
let dbUrl: string;

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function query<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

beforeEach(async () => {
  dbName = `migrate_test_${process.pid}_${Date.now()}`;
  await admin((client) => client.query(`CREATE DATABASE ${dbName}`));
  const url = new URL(baseUrl);
  url.pathname = `/${dbName}`;
  dbUrl = url.toString();
});

afterEach(async () => {
  await admin((client) => client.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
});

describe("applyMigrations", () => {
  it("creates the schema and records each migration the way Prisma does", async () => {
    const migrations = listMigrations();
    const result = await applyMigrations(dbUrl, { log: quiet });
    expect(result.applied).toEqual(migrations.map((migration) => migration.name));

    const tables = (await query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    )).map((row) => row.table_name);
    expect(tables).toEqual(expect.arrayContaining(["Workflow", "WorkflowVersion", "Run", "RunStep", "HumanTask", "TriggerToken", "_prisma_migrations"]));

    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.map((row) => [row.migration_name, row.checksum, row.applied_steps_count])).toEqual(
      migrations.map((migration) => [migration.name, migration.checksum, 1]),
    );
    expect(rows.every((row) => row.finished_at instanceof Date)).toBe(true);
  });

  it("is idempotent: a second run applies nothing and changes no row", async () => {
    await applyMigrations(dbUrl, { log: quiet });
    const before = await query(`SELECT * FROM "_prisma_migrations" ORDER BY id`);
    const second = await applyMigrations(dbUrl, { log: quiet });
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toHaveLength(listMigrations().length);
    expect(await query(`SELECT * FROM "_prisma_migrations" ORDER BY id`)).toEqual(before);
  });

  it("lets two concurrent starters race safely (advisory lock): each migration applied once", async () => {
    const [a, b] = await Promise.all([applyMigrations(dbUrl, { log: quiet }), applyMigrations(dbUrl, { log: quiet })]);
    expect([...a.applied, ...b.applied].sort()).toEqual(listMigrations().map((migration) => migration.name));
    expect(await query(`SELECT id FROM "_prisma_migrations"`)).toHaveLength(listMigrations().length);
  });

  it("refuses to run when an applied migration was edited, and rolls back a failing one", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "agentflow-migrations-"));
    try {
      cpSync(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
      await applyMigrations(dbUrl, { dir, log: quiet });
      const [first] = listMigrations(dir);
      if (!first) throw new Error("no migrations in the project");

      writeFileSync(path.join(dir, first.name, "migration.sql"), `${first.sql}\n-- edited\n`);
      await expect(applyMigrations(dbUrl, { dir, log: quiet })).rejects.toThrow(/was edited after it was applied/);
      writeFileSync(path.join(dir, first.name, "migration.sql"), first.sql);

      const broken = "99999999999999_broken";
      cpSync(path.join(dir, first.name), path.join(dir, broken), { recursive: true });
      writeFileSync(path.join(dir, broken, "migration.sql"), `CREATE TABLE "Half" (id int);\nSELECT no_such_function();\n`);
      await expect(applyMigrations(dbUrl, { dir, log: quiet })).rejects.toThrow(/99999999999999_broken failed/);
      const half = await query(`SELECT to_regclass('"Half"') AS t`);
      expect(half).toEqual([{ t: null }]);
      expect(await query(`SELECT 1 FROM "_prisma_migrations" WHERE migration_name = '${broken}'`)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
