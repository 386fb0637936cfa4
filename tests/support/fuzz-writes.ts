import type { Db } from "../../server/db";

/**
 * Every committed row write to the database, for the fuzz test's "no partial writes" check: a
 * row-level trigger on every table of the schema appends (table, operation, changed columns)
 * to a log table. The log is written in the same transaction as the write, so a rolled-back
 * write leaves nothing, and what the log shows between two requests is exactly what the first
 * one committed (the fuzz sends its requests one at a time, without a worker running beside it).
 */

const LOG_TABLE = "fuzz_write_log";
const FUNCTION = "fuzz_log_write";
const TRIGGER = "fuzz_log_write_trigger";

export type RowWrite = { table: string; op: "INSERT" | "UPDATE" | "DELETE"; columns: string[] };

async function tables(db: Db): Promise<string[]> {
  const rows = await db.$queryRaw<{ name: string }[]>`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname NOT IN (${LOG_TABLE}, '_prisma_migrations')`;
  return rows.map((row) => row.name);
}

export async function installWriteLog(db: Db): Promise<void> {
  await uninstallWriteLog(db);
  await db.$executeRawUnsafe(`CREATE TABLE ${LOG_TABLE} (id bigserial PRIMARY KEY, tbl text NOT NULL, op text NOT NULL, columns text[] NOT NULL)`);
  // For an UPDATE, the columns whose value changed (so a last-used timestamp is told apart from real edits).
  await db.$executeRawUnsafe(`
    CREATE FUNCTION ${FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE changed text[] := '{}';
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        SELECT coalesce(array_agg(n.key ORDER BY n.key), '{}') INTO changed
        FROM jsonb_each(to_jsonb(NEW)) n WHERE (to_jsonb(OLD) -> n.key) IS DISTINCT FROM n.value;
        IF cardinality(changed) = 0 THEN RETURN NULL; END IF;
      END IF;
      INSERT INTO ${LOG_TABLE} (tbl, op, columns) VALUES (TG_TABLE_NAME, TG_OP, changed);
      RETURN NULL;
    END $$`);
  for (const table of await tables(db)) {
    await db.$executeRawUnsafe(`CREATE TRIGGER ${TRIGGER} AFTER INSERT OR UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION ${FUNCTION}()`);
  }
}

export async function uninstallWriteLog(db: Db): Promise<void> {
  for (const table of await tables(db)) await db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS ${TRIGGER} ON "${table}"`);
  await db.$executeRawUnsafe(`DROP FUNCTION IF EXISTS ${FUNCTION}() CASCADE`);
  await db.$executeRawUnsafe(`DROP TABLE IF EXISTS ${LOG_TABLE}`);
}

/** The log's current end: writes after it are read with `writesSince`. */
export async function writeLogMark(db: Db): Promise<bigint> {
  const rows = await db.$queryRawUnsafe<{ id: bigint | null }[]>(`SELECT max(id) AS id FROM ${LOG_TABLE}`);
  return rows[0]?.id ?? 0n;
}

export async function writesSince(db: Db, mark: bigint): Promise<RowWrite[]> {
  return db.$queryRawUnsafe<RowWrite[]>(`SELECT tbl AS "table", op, columns FROM ${LOG_TABLE} WHERE id > $1 ORDER BY id`, mark);
}
