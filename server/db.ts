import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/prisma/client";
import { getEnv } from "./env";
import { closeOnShutdown } from "./ops/closers";
import { componentLog } from "./ops/log";

const logger = componentLog("db");

/**
 * One node-postgres pool per process, shared by the Prisma client (Prisma 7 needs no native
 * engine) and by the worker's two hot statements (load a run, commit its events), which use
 * the pool directly: each runs on every step, and Prisma's query layer costs more CPU than
 * the statement itself. Kept on globalThis so Next's dev reloads do not open a new pool each time.
 */
const globalForDb = globalThis as unknown as { agentflowPool?: pg.Pool; agentflowPrisma?: PrismaClient };

export function getPool(): pg.Pool {
  if (!globalForDb.agentflowPool) {
    const env = getEnv();
    const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: env.DATABASE_POOL_SIZE });
    // An idle connection that Postgres ends (a restart, a failover, the server stopping first at
    // shutdown) is reported as the pool's "error" event, which would crash the process unheard.
    // The pool has already dropped that connection; the next query opens a new one. Prisma's
    // adapter listens too, but only while it is connected (not during its own disconnect).
    pool.on("error", (error) => logger.warn({ err: error }, "an idle Postgres connection was closed by the server"));
    globalForDb.agentflowPool = pool;
  }
  return globalForDb.agentflowPool;
}

export function getDb(): PrismaClient {
  if (!globalForDb.agentflowPrisma) {
    globalForDb.agentflowPrisma = new PrismaClient({ adapter: new PrismaPg(getPool()) });
    closeOnShutdown(closeDb);
  }
  return globalForDb.agentflowPrisma;
}

/** Closes the Prisma client and the pool; a later getDb() opens new ones. */
export async function closeDb(): Promise<void> {
  const { agentflowPrisma: prisma, agentflowPool: pool } = globalForDb;
  globalForDb.agentflowPrisma = undefined;
  globalForDb.agentflowPool = undefined;
  await prisma?.$disconnect();
  await pool?.end();
}

export type Db = PrismaClient;
export { Prisma } from "./generated/prisma/client";
