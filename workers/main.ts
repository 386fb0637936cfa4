import os from "node:os";
import path from "node:path";
import { closeDb, getDb } from "../server/db";
import { closeRedis } from "../server/events";
import { getEnv } from "../server/env";
import { createRunWorker } from "../server/runs/worker";
import { reconcileRuns } from "../server/runs/reconcile";
import { expireOverdueTasks } from "../server/runs/human-timeouts";
import { createWorkspaceSweeper } from "../server/runs/workspace-retention";
import { closeRunCodeSandbox } from "../server/tools/run-code";
import { ensureOwnerFromEnv } from "../server/auth/setup";
import { createNotificationWorker } from "../server/notifications/worker";
import { createEscalationSweeper } from "../server/notifications/escalation";
import { closeNotificationsQueue } from "../server/notifications/queue";
import { createScheduleWorker } from "../server/schedules/worker";
import { reconcileSchedulers } from "../server/schedules/reconcile";
import { catchUpMissedFires } from "../server/schedules/fire";
import { closeSchedulesQueue } from "../server/schedules/queue";
import { createRunCallbackWorker } from "../server/callbacks/worker";
import { sweepRunCallbacks } from "../server/callbacks/outbox";
import { closeRunCallbacksQueue } from "../server/callbacks/queue";
import { startWorkerHeartbeat } from "../server/ops/heartbeat";

const RECONCILE_EVERY_MS = 15_000;
/** How late a human node's timeout may answer, at most. */
const EXPIRE_TASKS_EVERY_MS = 5_000;
const SWEEP_WORKSPACES_EVERY_MS = 10 * 60_000;
/** Touched after each heartbeat that reached Redis; docker-compose.yml's worker healthcheck reads its age. */
const BEAT_FILE = path.join(os.tmpdir(), "agentflow-worker.beat");

/**
 * The worker process: advances runs from the BullMQ "runs" queue. Stateless: any number of
 * these can run against the same Redis and Postgres. SIGTERM/SIGINT close it cleanly
 * (the in-flight step finishes or is retried by another worker).
 */
async function main() {
  const env = getEnv();
  const db = getDb();
  // Headless first start (docker): the owner account from AGENTFLOW_OWNER_EMAIL/PASSWORD.
  if ((await ensureOwnerFromEnv(db)) === "created") console.log(`[worker] created the owner account ${env.AGENTFLOW_OWNER_EMAIL ?? ""}`);
  const worker = createRunWorker(db);
  worker.on("failed", (job, error) => console.error(`[worker] job ${job?.id ?? "?"} failed: ${error.message}`));
  worker.on("error", (error) => console.error(`[worker] ${error.message}`));
  // Notifications (a task waits, a task is escalated) on their own queue: a slow or failing
  // channel never holds up a run.
  const notifications = createNotificationWorker(db);
  notifications.on("failed", (job, error) => console.error(`[notifications] delivery ${job?.data.deliveryId ?? "?"} failed: ${error.message}`));
  notifications.on("error", (error) => console.error(`[notifications] ${error.message}`));
  const escalations = createEscalationSweeper(db);
  // Schedules: each slot is one job of the "schedules" queue, whichever worker takes it.
  const schedules = createScheduleWorker(db);
  schedules.on("failed", (job, error) => console.error(`[schedules] ${job?.data.scheduleId ?? "?"} failed: ${error.message}`));
  schedules.on("error", (error) => console.error(`[schedules] ${error.message}`));
  // Run-finished callbacks, retried with backoff for 24 h.
  const callbacks = createRunCallbackWorker(db);
  callbacks.on("failed", (job, error) => console.error(`[callbacks] ${job?.data.callbackId ?? "?"} attempt failed: ${error.message}`));
  callbacks.on("error", (error) => console.error(`[callbacks] ${error.message}`));
  await Promise.all([worker.waitUntilReady(), notifications.waitUntilReady(), schedules.waitUntilReady(), callbacks.waitUntilReady()]);
  // Postgres holds the schedules: a flushed Redis gets its job schedulers back; `run_once`
  // schedules that missed slots while every worker was down get their one catch-up run.
  try {
    const report = await reconcileSchedulers(db);
    const caughtUp = (await catchUpMissedFires(db, new Date())).filter((outcome) => outcome.outcome === "started");
    console.log(`[worker] schedules: ${report.upserted} active, ${report.removed} stale scheduler(s) removed, ${caughtUp.length} catch-up run(s)`);
  } catch (error) {
    console.error(`[worker] schedules: ${error instanceof Error ? error.message : String(error)}`);
  }
  const sweepCallbacks = () =>
    sweepRunCallbacks(db).then(
      (report) => void (report.enqueued > 0 && console.log(`[worker] callbacks: re-enqueued ${report.enqueued}`)),
      (error: unknown) => console.error(`[worker] callbacks sweep: ${error instanceof Error ? error.message : String(error)}`),
    );
  // Announced only once its queues are consumed: /api/ready counts it from its first beat.
  const heartbeat = await startWorkerHeartbeat({
    concurrency: env.WORKER_CONCURRENCY,
    beatFile: BEAT_FILE,
    onError: (error) => console.error(`[worker] heartbeat: ${error instanceof Error ? error.message : String(error)}`),
  });
  console.log(`[worker] ready (concurrency ${env.WORKER_CONCURRENCY})`);

  const reconcile = async () => {
    try {
      const report = await reconcileRuns(db);
      if (report.reEnqueued.length + report.failed.length > 0) {
        console.log(`[worker] reconciler: re-enqueued ${report.reEnqueued.length}, failed ${report.failed.length}`);
      }
    } catch (error) {
      console.error(`[worker] reconciler: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  // Deletes workspaces of runs that ended long ago or were deleted: at start, then every 10 minutes.
  const workspaces = createWorkspaceSweeper(db, {
    root: env.WORKSPACES_DIR,
    retentionMs: env.WORKSPACE_RETENTION_HOURS * 3_600_000,
    everyMs: SWEEP_WORKSPACES_EVERY_MS,
  });
  let expiring: Promise<void> = Promise.resolve();
  const expireTasks = () => {
    expiring = expireOverdueTasks(db).then(
      (report) => void (report.expired.length > 0 && console.log(`[worker] timed out ${report.expired.length} human task(s)`)),
      (error: unknown) => console.error(`[worker] task timeouts: ${error instanceof Error ? error.message : String(error)}`),
    );
  };
  expireTasks();
  const expirer = setInterval(expireTasks, EXPIRE_TASKS_EVERY_MS);
  let reconciling: Promise<void> = reconcile().then(sweepCallbacks);
  void workspaces.tick();
  void escalations.tick();
  const reconciler = setInterval(() => {
    reconciling = reconcile().then(sweepCallbacks);
    void workspaces.tick();
    void escalations.tick();
  }, RECONCILE_EVERY_MS);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[worker] ${signal}: closing`);
    // Not counted as online while it drains (it takes no new job).
    await heartbeat.stop();
    clearInterval(reconciler);
    clearInterval(expirer);
    await Promise.all([reconciling, expiring, workspaces.stop(), escalations.stop()]);
    await Promise.all([worker.close(), notifications.close(), schedules.close(), callbacks.close()]);
    await Promise.all([closeNotificationsQueue(), closeSchedulesQueue(), closeRunCallbacksQueue()]);
    await closeRunCodeSandbox();
    await closeRedis();
    await closeDb();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error: unknown) => {
  console.error("[worker] failed to start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
