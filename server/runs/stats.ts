import type { Db } from "../db";
import { listLiveWorkers } from "../ops/workers";

/**
 * The dashboard's figures for a time window: runs by status, tokens and cost in total, by
 * workflow and by provider (from each model call's committed event), and the latest failures.
 */
export async function runStats(db: Db, workspaceId: string, params: { sinceHours: number; now?: Date }) {
  const since = new Date((params.now ?? new Date()).getTime() - params.sinceHours * 3_600_000);
  const [byStatus, byWorkflow, byProviderAndWorkflow, failures] = await Promise.all([
    db.run.groupBy({ by: ["status"], where: { workspaceId, createdAt: { gte: since } }, _count: { _all: true } }),
    db.run.groupBy({
      by: ["workflowId"],
      where: { workspaceId, createdAt: { gte: since } },
      _count: { _all: true },
      _sum: { costUsd: true, tokens: true },
      orderBy: { _sum: { costUsd: "desc" } },
      take: 10,
    }),
    // Per provider and workflow, so one pass over the model calls gives both breakdowns. A call
    // whose price is unknown (costUsd null) is counted apart, never summed as $0.
    db.$queryRaw<{ provider: string; workflowId: string; calls: bigint; tokens: bigint | null; cost: number | null; unpriced: bigint }[]>`
      SELECT "payload"->>'provider' AS provider,
             r."workflowId" AS "workflowId",
             COUNT(*) AS calls,
             SUM(COALESCE(("payload"->'usage'->>'promptTokens')::bigint, 0) + COALESCE(("payload"->'usage'->>'completionTokens')::bigint, 0)) AS tokens,
             SUM(COALESCE(("payload"->>'costUsd')::double precision, 0)) AS cost,
             COUNT(*) FILTER (WHERE jsonb_typeof("payload"->'costUsd') = 'null') AS unpriced
      FROM "RunStep" s JOIN "Run" r ON r."id" = s."runId"
      WHERE s."type" = 'llm_response' AND s."createdAt" >= ${since} AND r."workspaceId" = ${workspaceId}
      GROUP BY 1, 2`,
    db.run.findMany({
      // A failed run whose steps were undone (saga) failed too.
      where: { workspaceId, createdAt: { gte: since }, status: { in: ["failed", "compensated", "compensation_failed"] } },
      orderBy: { createdAt: "desc" },
      take: 5,
      select: { id: true, error: true, createdAt: true, workflow: { select: { name: true } } },
    }),
  ]);
  const names = new Map(
    (await db.workflow.findMany({ where: { workspaceId, id: { in: byWorkflow.map((row) => row.workflowId) } }, select: { id: true, name: true } })).map((w) => [w.id, w.name]),
  );
  const statusCounts = Object.fromEntries(byStatus.map((row) => [row.status, row._count._all]));
  const providers = new Map<string, { provider: string; calls: number; tokens: number; costUsd: number; unpricedCalls: number }>();
  const unpricedByWorkflow = new Map<string, number>();
  for (const row of byProviderAndWorkflow) {
    const unpriced = Number(row.unpriced);
    const total = providers.get(row.provider) ?? { provider: row.provider, calls: 0, tokens: 0, costUsd: 0, unpricedCalls: 0 };
    total.calls += Number(row.calls);
    total.tokens += Number(row.tokens ?? 0);
    total.costUsd += row.cost ?? 0;
    total.unpricedCalls += unpriced;
    providers.set(row.provider, total);
    unpricedByWorkflow.set(row.workflowId, (unpricedByWorkflow.get(row.workflowId) ?? 0) + unpriced);
  }
  return {
    since,
    runs: byStatus.reduce((sum, row) => sum + row._count._all, 0),
    statusCounts,
    /** USD of the priced calls; `unpricedCalls` more had no known price (shown as "≥ $x + unknown"). */
    costUsd: byWorkflow.reduce((sum, row) => sum + (row._sum.costUsd ?? 0), 0),
    unpricedCalls: [...unpricedByWorkflow.values()].reduce((sum, count) => sum + count, 0),
    tokens: byWorkflow.reduce((sum, row) => sum + (row._sum.tokens ?? 0), 0),
    byWorkflow: byWorkflow.map((row) => ({
      workflowId: row.workflowId,
      name: names.get(row.workflowId) ?? row.workflowId,
      runs: row._count._all,
      costUsd: row._sum.costUsd ?? 0,
      unpricedCalls: unpricedByWorkflow.get(row.workflowId) ?? 0,
      tokens: row._sum.tokens ?? 0,
    })),
    byProvider: [...providers.values()].sort((a, b) => b.costUsd - a.costUsd || b.unpricedCalls - a.unpricedCalls || b.calls - a.calls),
    failures: failures.map(({ workflow, ...row }) => ({ ...row, workflowName: workflow.name })),
  };
}

/** How many days the cost-per-day chart shows (today included). */
export const COST_DAYS = 14;

/**
 * The dashboard's live operations figures, read every few seconds. The queue is this
 * workspace's own runs (queued: waiting for a worker; running: held by one), from Postgres:
 * BullMQ's queue counts every workspace's jobs, which would show one workspace another's load.
 * Workers online is the instance's count of live heartbeats — a number of processes, no tenant
 * data — since every workspace's runs need them. The oldest task a person of this workspace
 * still has to answer, with its run.
 */
export async function runOpsLive(db: Db, workspaceId: string, params: { now?: Date } = {}) {
  const now = params.now ?? new Date();
  const [byStatus, oldestTask, workers] = await Promise.all([
    db.run.groupBy({ by: ["status"], where: { workspaceId, status: { in: ["queued", "running"] } }, _count: { _all: true } }),
    db.humanTask.findFirst({
      where: { status: "pending", run: { workspaceId } },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { id: true, runId: true, message: true, createdAt: true, run: { select: { workflow: { select: { name: true } } } } },
    }),
    // A Redis outage hides the count (null: unknown), not the rest of the dashboard.
    listLiveWorkers().catch(() => null),
  ]);
  const count = (status: string) => byStatus.find((row) => row.status === status)?._count._all ?? 0;
  return {
    queued: count("queued"),
    running: count("running"),
    workersOnline: workers?.length ?? null,
    workerSlots: workers?.reduce((sum, worker) => sum + worker.concurrency, 0) ?? null,
    oldestPendingTask: oldestTask
      ? {
          id: oldestTask.id,
          runId: oldestTask.runId,
          message: oldestTask.message.slice(0, 200),
          workflowName: oldestTask.run.workflow.name,
          createdAt: oldestTask.createdAt,
          ageSeconds: Math.max(0, Math.round((now.getTime() - oldestTask.createdAt.getTime()) / 1_000)),
        }
      : null,
  };
}

/**
 * The dashboard's trends: per workflow, the runs that ended in the window (by when they were
 * created) — p50/p95 of start-to-end duration (percentile_cont, over every final status) and
 * the share that succeeded; and the cost of model calls per UTC day for the last `costDays`
 * days (every day present, $0 included; calls of unknown price counted beside). For-each item
 * runs are pieces of their parent's run, so they are left out of the per-workflow figures but
 * their model calls are paid for, so they count in the cost.
 */
export async function runOpsTrends(db: Db, workspaceId: string, params: { sinceHours: number; costDays?: number; now?: Date }) {
  const now = params.now ?? new Date();
  const since = new Date(now.getTime() - params.sinceHours * 3_600_000);
  const costDays = params.costDays ?? COST_DAYS;
  const firstDay = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (costDays - 1)));
  const [workflows, days] = await Promise.all([
    db.$queryRaw<{ workflowId: string; name: string; finished: number; succeeded: number; p50: number | null; p95: number | null }[]>`
      SELECT r."workflowId", w."name",
             count(*)::int AS finished,
             count(*) FILTER (WHERE r."status" = 'succeeded')::int AS succeeded,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM r."finishedAt" - r."startedAt"))::float8 AS p50,
             percentile_cont(0.95) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM r."finishedAt" - r."startedAt"))::float8 AS p95
      FROM "Run" r JOIN "Workflow" w ON w."id" = r."workflowId"
      WHERE r."workspaceId" = ${workspaceId} AND r."createdAt" >= ${since} AND r."itemOf" IS NULL
        AND r."status" IN ('succeeded', 'failed', 'rejected', 'cancelled', 'compensated', 'compensation_failed')
        AND r."startedAt" IS NOT NULL AND r."finishedAt" IS NOT NULL
      GROUP BY r."workflowId", w."name"
      ORDER BY finished DESC, w."name" ASC
      LIMIT 20`,
    db.$queryRaw<{ day: Date; cost: number; calls: number; unpriced: number }[]>`
      SELECT date_trunc('day', s."createdAt") AS day,
             SUM(COALESCE(("payload"->>'costUsd')::double precision, 0))::float8 AS cost,
             count(*)::int AS calls,
             (count(*) FILTER (WHERE jsonb_typeof("payload"->'costUsd') = 'null'))::int AS unpriced
      FROM "RunStep" s JOIN "Run" r ON r."id" = s."runId"
      WHERE s."type" = 'llm_response' AND s."createdAt" >= ${firstDay} AND r."workspaceId" = ${workspaceId}
      GROUP BY 1`,
  ]);
  const byDay = new Map(days.map((row) => [row.day.toISOString().slice(0, 10), row]));
  const costPerDay = Array.from({ length: costDays }, (_, index) => {
    const day = new Date(firstDay.getTime() + index * 86_400_000).toISOString().slice(0, 10);
    const row = byDay.get(day);
    return { day, costUsd: row?.cost ?? 0, calls: row?.calls ?? 0, unpricedCalls: row?.unpriced ?? 0 };
  });
  return {
    since,
    byWorkflow: workflows.map((row) => ({
      workflowId: row.workflowId,
      name: row.name,
      finished: row.finished,
      succeeded: row.succeeded,
      successRate: row.finished === 0 ? null : row.succeeded / row.finished,
      p50Seconds: row.p50,
      p95Seconds: row.p95,
    })),
    costPerDay,
  };
}
export type RunOpsTrends = Awaited<ReturnType<typeof runOpsTrends>>;
