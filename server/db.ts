import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client";
import { getEnv } from "./env";

/**
 * One Prisma client per process, over node-postgres (Prisma 7 needs no native engine).
 * Kept on globalThis so Next's dev reloads do not open a new pool each time.
 */
const globalForPrisma = globalThis as unknown as { agentflowPrisma?: PrismaClient };

export function getDb(): PrismaClient {
  if (!globalForPrisma.agentflowPrisma) {
    const env = getEnv();
    const adapter = new PrismaPg({ connectionString: env.DATABASE_URL, max: env.DATABASE_POOL_SIZE });
    globalForPrisma.agentflowPrisma = new PrismaClient({ adapter });
  }
  return globalForPrisma.agentflowPrisma;
}

export type Db = PrismaClient;
export { Prisma } from "./generated/prisma/client";
