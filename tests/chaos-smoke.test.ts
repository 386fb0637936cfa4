import path from "node:path";
import { expect, it } from "vitest";
import { chaosReport, runChaos } from "../scripts/lib/chaos-run";

/**
 * The chaos harness (`npm run chaos`) in small: its own Postgres and Redis (.data/chaos-smoke,
 * never the test services), 2 worker processes, 20 runs through the REST routes, 5 × kill -9
 * and one Redis restart. Proves the harness itself works and that its zero figures hold; the
 * figures at full size are printed by `npm run chaos`, not checked here.
 */
it("keeps every run, event, side effect and model reply exactly once through kill -9 and a Redis restart", async () => {
  const options = {
    runs: 20,
    kills: 5,
    killEveryMs: 2_000,
    workers: 2,
    workerLockMs: 2_000,
    workerMode: "tsx" as const,
    restartRedis: true,
    restartPostgres: false,
    storeDownMs: 2_000,
    dataDir: path.resolve(import.meta.dirname, "../.data/chaos-smoke"),
    postgresPort: 54369,
    redisPort: 63829,
    fastPostgres: true,
    settleMs: 90_000,
    log: () => undefined,
  };
  const figures = await runChaos(options);
  console.log(chaosReport(figures, options).join("\n"));

  expect(figures.kills).toBe(5);
  expect(figures.restarts.map((restart) => restart.store).sort()).toEqual(["control", "redis"]);
  expect(figures.runsTriggered).toBe(20);
  expect(figures.runRows).toBe(20);
  expect(figures.runsEnded).toBe(20);
  expect(figures.runsSucceeded).toBe(20);
  expect(figures.runsLost).toBe(0);
  expect(figures.duplicateSeq).toBe(0);
  expect(figures.duplicateExamples).toEqual([]);
  // Every run made its one side effect, each under one key, and its result is in the log.
  expect(figures.sink.effects).toBe(20);
  expect(figures.sink.repeatedUnderNewKey).toBe(0);
  expect(figures.sink.withoutKey).toBe(0);
  expect(figures.effectsMissing).toBe(0);
  // Two replies per run (the tool call, then the answer), none paid again after it was committed.
  expect(figures.committedReplies).toBe(40);
  expect(figures.modelRepliesPaidTwice).toBe(0);
  expect(figures.triggers5xx).toBe(0);
  expect(figures.answers5xx).toBe(0);
}, 240_000);
