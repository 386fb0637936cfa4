import type { Db } from "../db";

export type RunStats = Awaited<ReturnType<typeof runStats>>;

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
