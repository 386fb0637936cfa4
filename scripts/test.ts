// `npm test`: every tier in order — unit, integration, build (the web server's bundle, and
// `next build` if stale), e2e — against one set of test services, stopping at the first
// failure. `tsx scripts/test.ts <tier...>` runs only the named tiers (npm run
// test:integration / test:e2e use that).
//
// The last line is "tests: N passed, N failed, N skipped" summed over the tiers, the plain
// form CI reads to tell a run that tested something from one that ran nothing.
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { buildWebServer } from "./build-web-server";
import { checkBuild, forgetBuild, recordBuild } from "./lib/build";
import { ensureChromium } from "./lib/chromium";
import { say, seconds, warn } from "./lib/log";
import { nodeBin, ROOT } from "./lib/paths";
import { startGroup, type ProcessGroup } from "./lib/process";
import { startServices, TEST_SERVICES, type Services } from "./lib/services";
import { applyMigrations, resetDatabase } from "./migrate";

const TIERS = ["unit", "integration", "build", "e2e"] as const;
type TierName = (typeof TIERS)[number];
type Counts = { passed: number; failed: number; skipped: number };
type Outcome = { tier: TierName; status: "passed" | "failed" | "skipped" | "stopped" | "not run"; ms: number; note?: string; counts?: Counts };

const reportsDir = path.join(TEST_SERVICES.dataDir, "reports");
/** Arguments after `--` go to Playwright (e.g. `tsx scripts/test.ts build e2e -- e2e/runs`). */
let playwrightArgs: string[] = [];
let current: ProcessGroup | undefined;
let interrupted = false;

function isTier(name: string): name is TierName {
  return (TIERS as readonly string[]).includes(name);
}

/** Counts from a vitest (`--reporter=json`) or Playwright (json reporter) report. */
function readCounts(file: string): Counts | undefined {
  let report: unknown;
  try {
    report = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  if (typeof report !== "object" || report === null) return undefined;
  const num = (source: object, key: string): number => {
    const value: unknown = (source as Record<string, unknown>)[key];
    return typeof value === "number" ? value : 0;
  };
  if ("numTotalTests" in report) {
    return { passed: num(report, "numPassedTests"), failed: num(report, "numFailedTests"), skipped: num(report, "numPendingTests") + num(report, "numTodoTests") };
  }
  if ("stats" in report && typeof report.stats === "object" && report.stats !== null) {
    const stats = report.stats;
    return { passed: num(stats, "expected") + num(stats, "flaky"), failed: num(stats, "unexpected"), skipped: num(stats, "skipped") };
  }
  return undefined;
}

async function run(name: string, command: [string, string[]], env: NodeJS.ProcessEnv): Promise<number> {
  say(`${name}: ${path.basename(command[1][0] ?? "")} ${command[1].slice(1).join(" ")}`);
  current = startGroup(name, command[0], command[1], { cwd: ROOT, env });
  const result = await current.exited;
  await current.stop(); // reap whatever the runner left in its group
  current = undefined;
  return result.code ?? 1;
}

async function runTier(tier: TierName, env: NodeJS.ProcessEnv): Promise<Outcome> {
  const started = Date.now();
  const done = (code: number, counts?: Counts): Outcome => ({
    tier, status: interrupted ? "stopped" : code === 0 ? "passed" : "failed", ms: Date.now() - started, counts,
  });
  const report = path.join(reportsDir, `${tier}.json`);
  rmSync(report, { force: true });

  switch (tier) {
    case "unit":
    case "integration": {
      const code = await run(tier, nodeBin("vitest", ["run", "--project", tier, "--reporter=default", "--reporter=json", `--outputFile.json=${report}`]), env);
      return done(code, readCounts(report));
    }
    case "build": {
      // The web server e2e serves, as the Docker image does (dist/serve-web.mjs): esbuild makes
      // it in well under a second, so it is simply rebuilt every time rather than tracked like .next.
      try {
        await buildWebServer();
      } catch (error) {
        warn(`build: bundling the web server failed: ${error instanceof Error ? error.message : String(error)}`);
        return done(1);
      }
      const check = checkBuild(ROOT);
      if (!check.stale) return { tier, status: "skipped", ms: Date.now() - started, note: `${check.reason}; web server bundled` };
      say(`build: ${check.reason}`);
      forgetBuild(ROOT);
      const code = await run(tier, nodeBin("next", ["build"]), env);
      if (code === 0) recordBuild(ROOT, check.hash);
      return done(code);
    }
    case "e2e": {
      const code = await run(tier, nodeBin("playwright", ["test", "--reporter=list,json", ...playwrightArgs]), { ...env, PLAYWRIGHT_JSON_OUTPUT_FILE: report });
      return done(code, readCounts(report));
    }
  }
}

function printSummary(outcomes: Outcome[]): void {
  const total: Counts = { passed: 0, failed: 0, skipped: 0 };
  console.log("");
  for (const outcome of outcomes) {
    const counts = outcome.counts ? ` (${outcome.counts.passed} passed, ${outcome.counts.failed} failed, ${outcome.counts.skipped} skipped)` : "";
    const note = outcome.note ? ` — ${outcome.note}` : "";
    say(`${outcome.tier.padEnd(11)} ${outcome.status.padEnd(7)} ${seconds(outcome.ms).padStart(7)}${counts}${note}`);
    if (outcome.counts) {
      total.passed += outcome.counts.passed;
      total.failed += outcome.counts.failed;
      total.skipped += outcome.counts.skipped;
    }
  }
  console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const separator = argv.indexOf("--");
  const requested = separator === -1 ? argv : argv.slice(0, separator);
  if (separator !== -1) playwrightArgs = argv.slice(separator + 1);
  const unknown = requested.filter((name) => !isTier(name));
  if (unknown.length > 0) {
    console.error(`unknown tier(s): ${unknown.join(", ")}; choose from ${TIERS.join(", ")}`);
    return 2;
  }
  const selected = TIERS.filter((tier) => requested.length === 0 || requested.includes(tier));

  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      if (interrupted) return; // npm/tsx forward the same signal again
      interrupted = true;
      say(`received ${signal}; stopping`);
      void current?.stop();
    });
  }

  if (selected.includes("e2e")) ensureChromium();
  mkdirSync(reportsDir, { recursive: true });
  let services: Services | undefined;
  const outcomes: Outcome[] = [];
  try {
    // Unit tests need no services, but starting them once up front (about a second) keeps
    // this simple and lets a broken Postgres/Redis setup fail before any long tier runs.
    services = await startServices(TEST_SERVICES);
    // Our own test cluster starts empty every run; a DATABASE_URL the user gave is never wiped.
    if (services.postgres.process) await resetDatabase(services.databaseUrl);
    await applyMigrations(services.databaseUrl);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: services.databaseUrl,
      REDIS_URL: services.redisUrl,
      WORKSPACES_DIR: services.workspacesDir,
      AGENTFLOW_SECRET_KEY_FILE: services.secretKeyFile,
      NEXT_TELEMETRY_DISABLED: "1",
    };
    for (const tier of selected) {
      if (interrupted || outcomes.some((outcome) => outcome.status === "failed")) {
        outcomes.push({ tier, status: "not run", ms: 0 });
        continue;
      }
      // The browser tests start where a new user does: an empty database ("create the owner
      // account"). Only our own throwaway cluster is wiped, never a DATABASE_URL the user gave.
      if (tier === "e2e" && services.postgres.process) {
        await resetDatabase(services.databaseUrl);
        await applyMigrations(services.databaseUrl);
      }
      outcomes.push(await runTier(tier, env));
    }
  } catch (error) {
    warn(error instanceof Error ? error.message : String(error));
    return 1;
  } finally {
    await services?.stop();
  }
  printSummary(outcomes);
  if (interrupted) return 130;
  return outcomes.some((outcome) => outcome.status === "failed") ? 1 : 0;
}

main().then((code) => process.exit(code), (error: unknown) => {
  warn(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
