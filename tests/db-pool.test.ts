import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { closeDb, getPool } from "../server/db";
import { waitUntil } from "./support/harness";

/**
 * Postgres ending an idle connection of the process's pool (a restart, a failover, Postgres
 * stopping before the app at shutdown) must not crash the process: node-postgres reports it as
 * the pool's "error" event, which throws when nobody listens. Prisma's adapter listens only while
 * it is connected, so this uses the pool alone, as the worker's hot statements and the moments
 * around a disconnect do.
 */

afterAll(async () => {
  await closeDb();
});

it("keeps the process up when Postgres ends an idle pool connection, and the next query works", async () => {
  const pool = getPool();
  const { rows } = await pool.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  const pid = rows[0]?.pid;
  expect(pool.idleCount).toBe(1);

  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  try {
    await admin.query("SELECT pg_terminate_backend($1)", [pid]);
  } finally {
    await admin.end();
  }
  // The pool drops the ended connection; an unheard "error" event would have failed this file.
  await waitUntil(() => pool.idleCount === 0, "the pool to drop the connection Postgres ended");

  const again = await pool.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  expect(again.rows[0]?.pid).not.toBe(pid);
});
