// `tsx scripts/with-services.ts <cmd...>`: runs one command against the *test* Postgres and
// Redis (.data/test, ports 54339/63799: apart from `npm start`'s, so tests never touch dev
// data and can run while the app is up), with migrations applied.
//
// `tsx scripts/with-services.ts --migrate-only` (npm run db:migrate) migrates the *dev*
// database (.data, port 54329) — the one `npm start` uses — and needs no Redis.
import os from "node:os";
import { say, warn } from "./lib/log";
import { isMain, resolveCommand, ROOT } from "./lib/paths";
import { startPostgres } from "./lib/postgres";
import { startGroup, type ProcessGroup } from "./lib/process";
import { DEV_SERVICES, startServices, TEST_SERVICES, type Service, type Services } from "./lib/services";
import { applyMigrations } from "./migrate";

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function migrateOnly(): Promise<number> {
  let postgres: Service | undefined;
  try {
    postgres = await startPostgres({ dataDir: DEV_SERVICES.dataDir, port: DEV_SERVICES.postgresPort });
    await applyMigrations(postgres.url);
    return 0;
  } catch (error) {
    warn(message(error));
    return 1;
  } finally {
    await postgres?.stop();
  }
}

async function runWithServices(command: string, args: string[]): Promise<number> {
  let services: Services | undefined;
  let child: ProcessGroup | undefined;
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return; // npm/tsx forward the same signal again
    interrupted = true;
    say(`received ${signal}; stopping`);
    void child?.stop();
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, onSignal);

  try {
    services = await startServices(TEST_SERVICES);
    await applyMigrations(services.databaseUrl);
    if (interrupted) return 130;
    child = startGroup(command, resolveCommand(command), args, {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: services.databaseUrl, REDIS_URL: services.redisUrl, WORKSPACES_DIR: services.workspacesDir, AGENTFLOW_SECRET_KEY_FILE: services.secretKeyFile },
    });
    const result = await child.exited;
    await child.stop(); // reap anything the command left in its group
    if (interrupted) return 130;
    return result.code ?? 128 + (result.signal ? os.constants.signals[result.signal] : 0);
  } catch (error) {
    warn(message(error));
    return 1;
  } finally {
    await services?.stop();
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === "--migrate-only") process.exit(await migrateOnly());
  const [command, ...args] = argv;
  if (!command) {
    console.error("usage: tsx scripts/with-services.ts <command> [args...] | --migrate-only");
    process.exit(2);
  }
  process.exit(await runWithServices(command, args));
}

if (isMain(import.meta.url)) void main();
