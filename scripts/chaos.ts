/**
 * `npm run chaos`: the crash and store-restart proof of issue 14 (scripts/lib/chaos-run.ts).
 * Starts its own Postgres and Redis (.data/chaos, ports 54349/63809: never the tests' or
 * `npm start`'s), a web process serving the REST routes, worker processes, the demo model and a
 * side-effect sink; triggers runs that call the sink and wait for an approval the harness gives,
 * kills a random worker with SIGKILL every 2 s and restarts Redis and Postgres once each in the
 * middle; then prints each figure beside its aim. Flags: --runs 500 --kills 100 --workers 3
 * --kill-every-ms 2000 --store-down-ms 3000 --lock-ms 2000 --settle-ms 180000 --no-redis-restart
 * --no-postgres-restart --tsx-worker (workers/main.ts through tsx, as tests start it, instead of the
 * compiled dist/worker/main.mjs that production runs, built here when its sources changed);
 * --kills 0 restarts the stores without killing workers.
 * Heavy on 2 cores: run it alone (flock /tmp/agentflow-test.lock npm run chaos).
 */
import { isMain } from "./lib/paths";
import { chaosReport, DEFAULT_CHAOS_OPTIONS, runChaos, type ChaosOptions } from "./lib/chaos-run";

const NUMBER_FLAGS = {
  "--runs": "runs",
  "--kills": "kills",
  "--workers": "workers",
  "--kill-every-ms": "killEveryMs",
  "--store-down-ms": "storeDownMs",
  "--lock-ms": "workerLockMs",
  "--settle-ms": "settleMs",
} as const satisfies Record<string, keyof ChaosOptions>;

function parseChaosArgs(argv: readonly string[]): Partial<ChaosOptions> {
  const options: Partial<ChaosOptions> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i] ?? "";
    if (flag === "--no-redis-restart") options.restartRedis = false;
    else if (flag === "--no-postgres-restart") options.restartPostgres = false;
    else if (flag === "--tsx-worker") options.workerMode = "tsx";
    else if (flag in NUMBER_FLAGS) {
      const value = Number(argv[i + 1]);
      if (!Number.isInteger(value) || value < 0) throw new Error(`${flag} needs a whole number, got ${argv[i + 1] ?? "nothing"}`);
      options[NUMBER_FLAGS[flag as keyof typeof NUMBER_FLAGS]] = value;
      i += 1;
    } else throw new Error(`unknown flag ${flag} (flags: ${[...Object.keys(NUMBER_FLAGS), "--no-redis-restart", "--no-postgres-restart", "--tsx-worker"].join(" ")})`);
  }
  if (options.workers === 0) throw new Error("--workers must be at least 1");
  return options;
}

async function main(): Promise<void> {
  const options = { ...DEFAULT_CHAOS_OPTIONS, ...parseChaosArgs(process.argv.slice(2)) };
  const figures = await runChaos(options);
  console.log(`\n${chaosReport(figures, options).join("\n")}`);
  process.exit(0);
}

/** The harness's own child processes enter here too (see chaos-run.ts), so every file is reachable from this script. */
async function entry(): Promise<void> {
  const role = process.argv[2];
  if (role === "--set-up") return (await import("./lib/chaos-setup")).setUpChaosWorkspace();
  if (role === "--serve-web") return (await import("./lib/chaos-web")).serveChaosWeb();
  return main();
}

if (isMain(import.meta.url)) {
  entry().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
