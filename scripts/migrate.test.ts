import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_MIGRATIONS_DIR, listMigrations, migrationChecksum } from "./migrate";

describe("migrationChecksum", () => {
  it("is Prisma's checksum: lowercase hex sha256 of the file's bytes", () => {
    expect(migrationChecksum("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(migrationChecksum("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // Line endings are part of the bytes: an editor converting them changes the checksum.
    expect(migrationChecksum("SELECT 1;\r\n")).not.toBe(migrationChecksum("SELECT 1;\n"));
  });
});

describe("listMigrations", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "agentflow-migrations-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("returns folders with a migration.sql in name order, with their checksums", () => {
    for (const [name, sql] of [["20260102000000_second", "SELECT 2;"], ["20260101000000_first", "SELECT 1;"]] as const) {
      mkdirSync(path.join(dir, name));
      writeFileSync(path.join(dir, name, "migration.sql"), sql);
    }
    mkdirSync(path.join(dir, "20260103000000_empty")); // no migration.sql: not a migration
    writeFileSync(path.join(dir, "migration_lock.toml"), 'provider = "postgresql"');

    const migrations = listMigrations(dir);
    expect(migrations.map((migration) => migration.name)).toEqual(["20260101000000_first", "20260102000000_second"]);
    expect(migrations[0]?.checksum).toBe(migrationChecksum("SELECT 1;"));
  });

  it("finds the project's own migrations, named like Prisma's (timestamp_name)", () => {
    const names = listMigrations(DEFAULT_MIGRATIONS_DIR).map((migration) => migration.name);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name).toMatch(/^\d{14}_[a-z0-9_]+$/);
  });
});
