import os from "node:os";
import path from "node:path";
import { getDb, type Db } from "../server/db";
import { getEnv } from "../server/env";
import { createRunWorker } from "../server/runs/worker";
import { handBackOrphanedJobs, supervisedSlotKey } from "../server/runs/slot-handover";
import { getRedis } from "../server/events";
import { getRunsQueue } from "../server/queue";
import { reconcileRuns } from "../server/runs/reconcile";
import { expireOverdueTasks } from "../server/runs/human-timeouts";
import { createWorkspaceSweeper } from "../server/runs/workspace-retention";
import { closeRunCodeSandbox } from "../server/tools/run-code";
import { createNotificationWorker } from "../server/notifications/worker";
import { createEscalationSweeper } from "../server/notifications/escalation";
import { createScheduleWorker } from "../server/schedules/worker";
import { reconcileSchedulers } from "../server/schedules/reconcile";
import { catchUpMissedFires } from "../server/schedules/fire";
import { createRunCallbackWorker } from "../server/callbacks/worker";
import { sweepRunCallbacks } from "../server/callbacks/outbox";
import { startWorkerHeartbeat } from "../server/ops/heartbeat";
import { closeAllOnShutdown } from "../server/ops/closers";
import { componentLog, setLogService } from "../server/ops/log";
import { initTracing, shutdownTracing } from "../server/ops/tracing";
import { startMetricsPush } from "../server/ops/metrics-push";
import { ALERT_SWEEP_EVERY_MS, createAlertSweeper } from "../server/ops/alerts";
import { startIdleTrim } from "../server/ops/idle-trim";
import { appMetrics } from "../server/ops/metrics";
import { isStoreOutage } from "../server/http/store-outage";

const logger = componentLog("worker");
/** Longest wait between two tries to reach Postgres for the owner account at start. */
const OWNER_RETRY_MAX_MS = 5_000;
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
  // Before anything that logs or opens a span (OpenTelemetry only when OTEL_EXPORTER_OTLP_ENDPOINT is set).
  setLogService("agentflow-worker");
  await initTracing("agentflow-worker");
  const env = getEnv();
  const db = getDb();
  // After a burst of run jobs and a quiet spell, the heap pages the burst grew into go back to the OS.
  const idleTrim = startIdleTrim({
    onTrim: (report) => {
      appMetrics().memoryTrims.inc();
      logger.info({ jobs: report.jobs, rssBeforeMib: Math.round(report.rssBeforeMib), rssAfterMib: Math.round(report.rssAfterMib), ms: Math.round(report.ms) }, "memory trimmed after a burst");
    },
  });
  // The jobs this slot's previous process died holding go back to the queue before this one takes any.
  const slotKey = supervisedSlotKey();
  if (slotKey) {
    try {
      const handover = await handBackOrphanedJobs(getRedis(), getRunsQueue(), slotKey);
      if (handover.recorded > 0) logger.info(handover, "took over the jobs the previous worker of this slot held");
    } catch (error) {
      logger.warn({ err: error }, "could not hand back the previous worker's jobs; their locks will run out instead");
    }
  }
  const worker = createRunWorker(db);
  worker.on("active", () => idleTrim.jobStarted());
  worker.on("completed", () => idleTrim.jobEnded());
  worker.on("failed", (job, error) => {
    if (job) idleTrim.jobEnded();
    logger.error({ err: error, jobId: job?.id, runId: job?.data.runId }, "job failed");
  });
  worker.on("error", (error) => logger.error({ err: error }, "runs worker error"));
  // Notifications (a task waits, a task is escalated, an alert fires) on their own queue: a slow or failing
  // channel never holds up a run.
  const notifications = createNotificationWorker(db);
  notifications.on("failed", (job, error) => logger.error({ err: error, jobId: job?.id, deliveryId: job?.data.deliveryId }, "notification delivery failed"));
  notifications.on("error", (error) => logger.error({ err: error }, "notifications worker error"));
  const escalations = createEscalationSweeper(db);
  // Schedules: each slot is one job of the "schedules" queue, whichever worker takes it.
  const schedules = createScheduleWorker(db);
  schedules.on("failed", (job, error) => logger.error({ err: error, jobId: job?.id, scheduleId: job?.data.scheduleId }, "schedule fire failed"));
  schedules.on("error", (error) => logger.error({ err: error }, "schedules worker error"));
  // Run-finished callbacks, retried with backoff for 24 h.
  const callbacks = createRunCallbackWorker(db);
  callbacks.on("failed", (job, error) => logger.warn({ err: error, jobId: job?.id, callbackId: job?.data.callbackId }, "run callback attempt failed"));
  callbacks.on("error", (error) => logger.error({ err: error }, "callbacks worker error"));
  await Promise.all([worker.waitUntilReady(), notifications.waitUntilReady(), schedules.waitUntilReady(), callbacks.waitUntilReady()]);
  // After the queues are consumed: runs move on while this waits for Postgres (a worker started
  // during a database outage used to exit here and cost its supervisor a restart).
  if (env.AGENTFLOW_OWNER_EMAIL && env.AGENTFLOW_OWNER_PASSWORD) await ensureOwnerOnceReachable(db, env.AGENTFLOW_OWNER_EMAIL);
  // Postgres holds the schedules: a flushed Redis gets its job schedulers back; `run_once`
  // schedules that missed slots while every worker was down get their one catch-up run.
  try {
    const report = await reconcileSchedulers(db);
    const caughtUp = (await catchUpMissedFires(db, new Date())).filter((outcome) => outcome.outcome === "started");
    logger.info({ active: report.upserted, removed: report.removed, catchUpRuns: caughtUp.length }, "schedules reconciled");
  } catch (error) {
    logger.error({ err: error }, "reconciling schedules failed");
  }
  const sweepCallbacks = () =>
    sweepRunCallbacks(db).then(
      (report) => void (report.enqueued > 0 && logger.info({ enqueued: report.enqueued }, "callbacks re-enqueued")),
      (error: unknown) => logger.error({ err: error }, "callbacks sweep failed"),
    );
  // Alert rules (server/ops/alerts.ts): swept once before this worker's first beat, so a
  // fleet coming back after every worker was down fires "no worker alive", then every 30 s.
  const alerts = createAlertSweeper(db, logger);
  await alerts.tick();
  const alertSweeper = setInterval(() => void alerts.tick(), ALERT_SWEEP_EVERY_MS);
  // Announced only once its queues are consumed: /api/ready counts it from its first beat.
  const heartbeat = await startWorkerHeartbeat({
    concurrency: env.WORKER_CONCURRENCY,
    beatFile: BEAT_FILE,
    onError: (error) => logger.error({ err: error }, "heartbeat failed"),
  });
  // Its metrics reach the web's /api/metrics through Redis, under the heartbeat's id.
  const metricsPush = startMetricsPush({ workerId: heartbeat.id });
  // Tests and the supervisor wait for this text ("[worker] ready").
  logger.info({ concurrency: env.WORKER_CONCURRENCY }, "[worker] ready");

  const reconcile = async () => {
    try {
      const report = await reconcileRuns(db);
      if (report.reEnqueued.length + report.failed.length > 0) {
        logger.info({ reEnqueued: report.reEnqueued.length, failed: report.failed.length }, "reconciler acted");
      }
    } catch (error) {
      logger.error({ err: error }, "reconciler failed");
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
      (report) => void (report.expired.length > 0 && logger.info({ expired: report.expired.length }, "human tasks timed out")),
      (error: unknown) => logger.error({ err: error }, "task timeouts failed"),
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
    logger.info({ signal }, "closing");
    // Not counted as online while it drains (it takes no new job).
    await heartbeat.stop();
    await metricsPush.stop();
    clearInterval(reconciler);
    clearInterval(expirer);
    clearInterval(alertSweeper);
    idleTrim.stop();
    await Promise.all([reconciling, expiring, workspaces.stop(), escalations.stop(), alerts.stop()]);
    await Promise.all([worker.close(), notifications.close(), schedules.close(), callbacks.close()]);
    await closeRunCodeSandbox();
    // The queues, the Redis client and the database pool, each registered when it was opened.
    await closeAllOnShutdown();
    // The spans still batched go out before the process does.
    await shutdownTracing();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  watchSupervisor(() => void stop("supervisor gone"));
}

/**
 * Headless first start (docker): the owner account from AGENTFLOW_OWNER_EMAIL/PASSWORD, created
 * once no user exists. Postgres being away (a restart, the database still starting) is waited
 * out, checking again every few seconds; any other failure is logged and the worker carries on:
 * the web's setup page then asks for the owner instead.
 */
async function ensureOwnerOnceReachable(db: Db, email: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      // setup.ts loads the account code (better-auth) only when it creates the owner.
      const { ensureOwnerFromEnv } = await import("../server/auth/setup");
      if ((await ensureOwnerFromEnv(db)) === "created") logger.info({ email }, "created the owner account");
      return;
    } catch (error) {
      if (!isStoreOutage(error)) {
        logger.error({ err: error, email }, "could not create the owner account from AGENTFLOW_OWNER_EMAIL");
        return;
      }
      const waitMs = Math.min(OWNER_RETRY_MAX_MS, 500 * attempt);
      logger.warn({ err: error, attempt, retryInMs: waitMs }, "Postgres unreachable at start; checking for the owner account again");
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}

/**
 * Under `npm start` the launcher (which also serves the web) supervises this process and stops
 * it in order. If the launcher dies without doing so (kill -9, out of memory), this worker is
 * re-parented and closes itself the same way, rather than run on unsupervised.
 */
function watchSupervisor(onGone: () => void): void {
  const supervisor = Number(process.env.AGENTFLOW_SUPERVISOR_PID);
  if (!Number.isInteger(supervisor) || supervisor <= 0) return; // not started by the launcher
  const timer = setInterval(() => {
    if (process.ppid === supervisor) return;
    clearInterval(timer);
    logger.warn({ supervisorPid: supervisor }, "the launcher that supervised this worker is gone; closing");
    onGone();
  }, 1_000);
  timer.unref();
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, "failed to start");
  process.exit(1);
});
