import type { Db } from "../db";

/**
 * Workflows as the REST API lists them (`GET /api/v1/workflows`): what an integrator needs to
 * call one — its trigger URL and the version the API runs (the last published one) — newest
 * edit first.
 */
export async function listWorkflowsForApi(db: Db, workspaceId: string, appUrl: string) {
  const rows = await db.workflow.findMany({
    where: { workspaceId },
    orderBy: { updatedAt: "desc" },
    select: {
      id: true,
      name: true,
      createdAt: true,
      updatedAt: true,
      versions: { where: { publishedAt: { not: null } }, orderBy: { publishedAt: "desc" }, take: 1, select: { version: true, publishedAt: true } },
      runs: { orderBy: { createdAt: "desc" }, take: 1, select: { id: true, status: true, createdAt: true } },
    },
  });
  const base = appUrl.replace(/\/$/, "");
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    published: row.versions[0] ? { version: row.versions[0].version, publishedAt: row.versions[0].publishedAt } : null,
    triggerUrl: `${base}/api/v1/workflows/${row.id}/trigger`,
    lastRun: row.runs[0] ?? null,
  }));
}
