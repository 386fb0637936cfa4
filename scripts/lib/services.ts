// Postgres + Redis as one unit, for start.ts, with-services.ts and test.ts.
import { startPostgres } from "./postgres";
import type { ProcessGroup } from "./process";
import { ROOT } from "./paths";
import { startRedis } from "./redis";

/** A running (or external) backing service. `process` is set only when we spawned it. */
export type Service = { url: string; stop(): Promise<void>; process?: ProcessGroup };

export type ServiceOptions = {
  dataDir: string;
  postgresPort: number;
  redisPort: number;
  /** Durability off: throwaway test data only. */
  fast?: boolean;
};

/** `npm start` / `npm run dev` / `npm run db:migrate`. Ports chosen off the system defaults. */
export const DEV_SERVICES: ServiceOptions = { dataDir: `${ROOT}/.data`, postgresPort: 54329, redisPort: 63790 };
/** Tests: their own data and ports, so they never touch dev data and can run beside the app. */
export const TEST_SERVICES: ServiceOptions = { dataDir: `${ROOT}/.data/test`, postgresPort: 54339, redisPort: 63799, fast: true };

export type Services = {
  databaseUrl: string;
  redisUrl: string;
  /**
   * Run workspaces belong with the database whose runs they serve: a worker deletes the
   * folders of runs its database does not know, so tests and the app must never share one.
   */
  workspacesDir: string;
  /**
   * The vault's master key file (generated on first use when AGENTFLOW_SECRET_KEY is unset):
   * with the data it encrypts, so tests never read or write the app's key.
   */
  secretKeyFile: string;
  postgres: Service;
  redis: Service;
  /** Redis first, then Postgres: the shutdown order the rest of the system expects. */
  stop(): Promise<void>;
};

export async function startServices(options: ServiceOptions): Promise<Services> {
  // Started together to save a second; if one fails, the other is stopped before we throw.
  const [postgres, redis] = await Promise.allSettled([
    startPostgres({ dataDir: options.dataDir, port: options.postgresPort, fast: options.fast }),
    startRedis({ dataDir: options.dataDir, port: options.redisPort }),
  ]);
  if (postgres.status === "rejected" || redis.status === "rejected") {
    if (redis.status === "fulfilled") await redis.value.stop();
    if (postgres.status === "fulfilled") await postgres.value.stop();
    throw postgres.status === "rejected" ? postgres.reason : redis.status === "rejected" ? redis.reason : new Error("unreachable");
  }
  return {
    databaseUrl: postgres.value.url,
    redisUrl: redis.value.url,
    workspacesDir: `${options.dataDir}/workspaces`,
    secretKeyFile: `${options.dataDir}/secret.key`,
    postgres: postgres.value,
    redis: redis.value,
    stop: async () => {
      await redis.value.stop();
      await postgres.value.stop();
    },
  };
}

/**
 * startPostgres/startRedis take DATABASE_URL/REDIS_URL as "use this server": `start` runs with
 * both unset, so a harness that must own its stores (to restart them) always gets its own.
 */
export async function withoutExternalStores<T>(start: () => Promise<T>): Promise<T> {
  const saved = { DATABASE_URL: process.env.DATABASE_URL, REDIS_URL: process.env.REDIS_URL };
  delete process.env.DATABASE_URL;
  delete process.env.REDIS_URL;
  try {
    return await start();
  } finally {
    for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
  }
}
