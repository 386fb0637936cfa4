import type { Db } from "../db";

export type RunStats = Awaited<ReturnType<typeof runStats>>;

/**
 * The dashboard's figures for a time window: runs by status, tokens and cost in total, by
 * workflow and by provider (from each model call's committed event), and the latest failures.
 */
export async function runStats(db: Db, workspaceId: string, params: { sinceHours: number; now?: Date }) {
  const since = new Date((params.now ?? new Date()).getTime() - params.sinceHours * 3_600_000);
  const [byStatus, byWorkflow, byProvider, failures] = await Promise.all([
    db.run.groupBy({ by: ["status"], where: { workspaceId, createdAt: { gte: since } }, _count: { _all: true } }),
    db.run.groupBy({
      by: ["workflowId"],
      where: { workspaceId, createdAt: { gte: since } },
      _count: { _all: true },
      _sum: { costUsd: true, tokens: true },
      orderBy: { _sum: { costUsd: "desc" } },
      take: 10,
    }),
    db.$queryRaw<{ provider: string; calls: bigint; tokens: bigint | null; cost: number | null }[]>`
      SELECT "payload"->>'provider' AS provider,
             COUNT(*) AS calls,
             SUM(COALESCE(("payload"->'usage'->>'promptTokens')::bigint, 0) + COALESCE(("payload"->'usage'->>'completionTokens')::bigint, 0)) AS tokens,
             SUM(COALESCE(("payload"->>'costUsd')::double precision, 0)) AS cost
      FROM "RunStep" s JOIN "Run" r ON r."id" = s."runId"
      WHERE s."type" = 'llm_response' AND s."createdAt" >= ${since} AND r."workspaceId" = ${workspaceId}
      GROUP BY 1 ORDER BY cost DESC NULLS LAST`,
    db.run.findMany({
      where: { workspaceId, createdAt: { gte: since }, status: "failed" },
      orderBy: { createdAt: "desc" },
      take: 5,
      select: { id: true, error: true, createdAt: true, workflow: { select: { name: true } } },
    }),
  ]);
  const names = new Map(
    (await db.workflow.findMany({ where: { workspaceId, id: { in: byWorkflow.map((row) => row.workflowId) } }, select: { id: true, name: true } })).map((w) => [w.id, w.name]),
  );
  const statusCounts = Object.fromEntries(byStatus.map((row) => [row.status, row._count._all]));
  return {
    since,
    runs: byStatus.reduce((sum, row) => sum + row._count._all, 0),
    statusCounts,
    costUsd: byWorkflow.reduce((sum, row) => sum + (row._sum.costUsd ?? 0), 0),
    tokens: byWorkflow.reduce((sum, row) => sum + (row._sum.tokens ?? 0), 0),
    byWorkflow: byWorkflow.map((row) => ({
      workflowId: row.workflowId,
      name: names.get(row.workflowId) ?? row.workflowId,
      runs: row._count._all,
      costUsd: row._sum.costUsd ?? 0,
      tokens: row._sum.tokens ?? 0,
    })),
    byProvider: byProvider.map((row) => ({ provider: row.provider, calls: Number(row.calls), tokens: Number(row.tokens ?? 0), costUsd: row.cost ?? 0 })),
    failures: failures.map(({ workflow, ...row }) => ({ ...row, workflowName: workflow.name })),
  };
}
