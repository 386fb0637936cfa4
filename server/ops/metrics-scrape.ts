import { Gauge, Registry } from "prom-client";
import { getPool } from "../db";
import { getEnv } from "../env";
import { getRedis } from "../events";
import { getRunsQueue } from "../queue";
import { appMetrics, mergeMetrics, onlyWorkspace, withLabels, type MetricsJson } from "./metrics";
import { workerMetricsKey, type PushedMetrics } from "./metrics-push";
import { listLiveWorkers, type LiveWorker } from "./workers";

/** Each store read at scrape time gives up after this long; its series are then left out (and `up` says 0). */
const SOURCE_TIMEOUT_MS = 2_000;

async function withinTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${SOURCE_TIMEOUT_MS} ms`)), SOURCE_TIMEOUT_MS)))]);
  } finally {
    clearTimeout(timer);
  }
}

type PendingTasks = { workspaceId: string; pending: number; oldestAgeSeconds: number };

/** Pending human tasks and the age of the oldest, per workspace (one pass over the status index). */
async function pendingHumanTasks(): Promise<PendingTasks[]> {
  const result = await getPool().query<{ workspaceId: string; pending: number; oldestAgeSeconds: number }>(`
    SELECT r."workspaceId", count(*)::int AS pending,
           EXTRACT(EPOCH FROM (now() AT TIME ZONE 'UTC') - min(t."createdAt"))::float8 AS "oldestAgeSeconds"
    FROM "HumanTask" t JOIN "Run" r ON r."id" = t."runId"
    WHERE t."status" = 'pending'
    GROUP BY r."workspaceId"`);
  return result.rows;
}

/**
 * The figures read from the stores at scrape time, as their own small registry: the runs queue's
 * job counts (BullMQ), the live workers and their last beats (Redis), pending human tasks
 * (Postgres); plus `agentflow_metrics_source_up` so a store that did not answer shows as such.
 */
async function scrapeTimeMetrics(workers: LiveWorker[] | null): Promise<MetricsJson> {
  const registry = new Registry();
  const registers = [registry];
  const up = new Gauge({ name: "agentflow_metrics_source_up", help: "1 when this source answered the scrape, 0 when its series are missing.", labelNames: ["source"], registers });
  const [queue, tasks] = await Promise.allSettled([
    withinTimeout(getRunsQueue().getJobCounts("waiting", "active", "delayed", "failed")),
    withinTimeout(pendingHumanTasks()),
  ]);

  up.set({ source: "queue" }, queue.status === "fulfilled" ? 1 : 0);
  if (queue.status === "fulfilled") {
    const jobs = new Gauge({ name: "agentflow_queue_jobs", help: "Jobs in a BullMQ queue by state (all workspaces).", labelNames: ["queue", "state"], registers });
    for (const [state, count] of Object.entries(queue.value)) jobs.set({ queue: "runs", state }, count);
  }

  up.set({ source: "postgres" }, tasks.status === "fulfilled" ? 1 : 0);
  if (tasks.status === "fulfilled") {
    const pending = new Gauge({ name: "agentflow_human_tasks_pending", help: "Human tasks waiting for an answer.", labelNames: ["workspace"], registers });
    const oldest = new Gauge({ name: "agentflow_human_task_oldest_pending_age_seconds", help: "Age of the oldest human task still waiting.", labelNames: ["workspace"], registers });
    for (const row of tasks.value) {
      pending.set({ workspace: row.workspaceId }, row.pending);
      oldest.set({ workspace: row.workspaceId }, Math.max(0, row.oldestAgeSeconds));
    }
  }

  up.set({ source: "workers" }, workers ? 1 : 0);
  if (workers) {
    new Gauge({ name: "agentflow_workers_alive", help: "Worker processes whose heartbeat is live (beat within 30 s).", registers }).set(workers.length);
    const beat = new Gauge({ name: "agentflow_worker_last_heartbeat_timestamp_seconds", help: "When each live worker last beat (Unix seconds).", labelNames: ["worker"], registers });
    for (const worker of workers) beat.set({ worker: worker.id }, Date.parse(worker.lastBeatAt) / 1_000);
  }
  return registry.getMetricsAsJSON();
}

/** The snapshots the live workers pushed, each series labelled with its worker's id. */
async function workerSnapshots(workers: LiveWorker[]): Promise<MetricsJson[]> {
  if (workers.length === 0) return [];
  const queuePrefix = getEnv().QUEUE_PREFIX;
  const values = await withinTimeout(getRedis().mget(...workers.map((worker) => workerMetricsKey(queuePrefix, worker.id))));
  const snapshots: MetricsJson[] = [];
  for (const value of values) {
    if (value === null) continue; // a worker that has not pushed yet, or whose push expired
    try {
      const snapshot = JSON.parse(value) as PushedMetrics;
      if (typeof snapshot.workerId === "string" && Array.isArray(snapshot.metrics)) snapshots.push(withLabels(snapshot.metrics, { worker: snapshot.workerId }));
    } catch {
      // A snapshot that does not parse is left out; the worker writes a fresh one in seconds.
    }
  }
  return snapshots;
}

/**
 * Everything /api/metrics shows, as Prometheus text: this process's registry, the live workers'
 * pushed snapshots and the scrape-time gauges. `workspaceId` (a workspace's metrics-scoped key)
 * keeps only series without tenant data (queue, workers, process) and that workspace's own.
 */
export async function collectMetrics(options: { workspaceId?: string } = {}): Promise<{ text: string; contentType: string }> {
  const workers = await withinTimeout(listLiveWorkers()).catch(() => null);
  const [own, pushed, scraped] = await Promise.all([
    appMetrics().registry.getMetricsAsJSON(),
    workers ? workerSnapshots(workers).catch(() => []) : Promise.resolve([]),
    scrapeTimeMetrics(workers),
  ]);
  const sources = [own, ...pushed, scraped];
  const { workspaceId } = options;
  return mergeMetrics(workspaceId === undefined ? sources : sources.map((metrics) => onlyWorkspace(metrics, workspaceId)));
}
