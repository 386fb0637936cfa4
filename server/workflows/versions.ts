import { createHash } from "node:crypto";
import { graphSchema, type Graph } from "../engine/graph";
import { validateGraph } from "../engine/validate";
import { InvalidWorkflowError, NotFoundError } from "../errors";
import type { Db } from "../db";
import { newId } from "../ids";
import { toJson } from "../json";

/** Stable JSON (sorted keys) so equal graphs hash equally. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function graphHash(graph: Graph): string {
  return createHash("sha256").update(canonicalJson(graph)).digest("hex");
}

/**
 * The immutable version a run pins. Running an unchanged graph again reuses its snapshot;
 * a changed one gets the next version number.
 */
export async function snapshotVersion(db: Db, workflowId: string, graph: Graph): Promise<{ id: string; version: number }> {
  const hash = graphHash(graph);
  const existing = await db.workflowVersion.findFirst({
    where: { workflowId, graphHash: hash },
    orderBy: { version: "desc" },
    select: { id: true, version: true },
  });
  if (existing) return existing;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const latest = await db.workflowVersion.findFirst({ where: { workflowId }, orderBy: { version: "desc" }, select: { version: true } });
    try {
      return await db.workflowVersion.create({
        data: { id: newId("wfv"), workflowId, version: (latest?.version ?? 0) + 1, graph: toJson(graph), graphHash: hash },
        select: { id: true, version: true },
      });
    } catch (error) {
      // Two snapshots raced for the same version number (unique index): take the next one.
      if (!(error instanceof Error && "code" in error && error.code === "P2002")) throw error;
    }
  }
  throw new Error(`could not allocate a version for workflow ${workflowId}`);
}

/** Freezes the saved draft as an immutable, published version (reusing an identical snapshot). */
export async function publishVersion(db: Db, workspaceId: string, workflowId: string): Promise<{ id: string; version: number; publishedAt: Date }> {
  const workflow = await db.workflow.findFirst({ where: { id: workflowId, workspaceId }, select: { draftGraph: true } });
  if (!workflow) throw new NotFoundError(`Workflow ${workflowId}`);
  const graph = graphSchema.parse(workflow.draftGraph);
  const errors = validateGraph(graph).filter((problem) => problem.severity === "error");
  if (errors.length > 0) throw new InvalidWorkflowError(`Fix ${errors.length} problem(s) before publishing: ${errors.map((p) => p.message).join("; ")}`, errors);
  const snapshot = await snapshotVersion(db, workflowId, graph);
  const publishedAt = new Date();
  await db.workflowVersion.update({ where: { id: snapshot.id }, data: { publishedAt } });
  return { ...snapshot, publishedAt };
}

export async function listVersions(db: Db, workspaceId: string, workflowId: string) {
  const rows = await db.workflowVersion.findMany({
    where: { workflowId, workflow: { workspaceId } },
    orderBy: { version: "desc" },
    select: { id: true, version: true, createdAt: true, publishedAt: true, _count: { select: { runs: true } } },
  });
  return rows.map(({ _count, ...row }) => ({ ...row, runCount: _count.runs }));
}

export async function getVersion(db: Db, workspaceId: string, versionId: string) {
  const row = await db.workflowVersion.findFirst({ where: { id: versionId, workflow: { workspaceId } }, select: { id: true, workflowId: true, version: true, graph: true, createdAt: true, publishedAt: true } });
  if (!row) throw new NotFoundError(`Version ${versionId}`);
  return { ...row, graph: graphSchema.parse(row.graph) };
}

/** The latest published version, which the REST trigger runs when there is one. */
export async function latestPublishedVersion(db: Db, workflowId: string) {
  return db.workflowVersion.findFirst({
    where: { workflowId, publishedAt: { not: null } },
    orderBy: { publishedAt: "desc" },
    select: { id: true, version: true, graph: true },
  });
}
