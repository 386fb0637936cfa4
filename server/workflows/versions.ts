import { createHash } from "node:crypto";
import { graphSchema, type Graph } from "../engine/graph";
import { validateGraph } from "../engine/validate";
import { InvalidWorkflowError, NotFoundError } from "../errors";
import type { Db } from "../db";
import { newId } from "../ids";
import { toJson } from "../json";
import { subworkflowCycleProblems } from "./subworkflow-calls";
import { forgetPublishedVersions } from "../runs/pinned-graph";

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

/** The longest publish note: a line or two about what changed, not a changelog. */
export const VERSION_NOTE_MAX_LENGTH = 500;

/**
 * Freezes the saved draft as an immutable, published version (reusing an identical snapshot),
 * with an optional note. Publishing an unchanged graph again publishes the same version anew
 * (it becomes the latest published) and keeps its earlier note unless a new one is given.
 */
export async function publishVersion(db: Db, workspaceId: string, workflowId: string, note?: string): Promise<{ id: string; version: number; publishedAt: Date; note: string | null }> {
  const workflow = await db.workflow.findFirst({ where: { id: workflowId, workspaceId }, select: { draftGraph: true } });
  if (!workflow) throw new NotFoundError(`Workflow ${workflowId}`);
  const graph = graphSchema.parse(workflow.draftGraph);
  const errors = [...validateGraph(graph, { workflowId }).filter((problem) => problem.severity === "error"), ...(await subworkflowCycleProblems(workspaceId, workflowId, graph))];
  if (errors.length > 0) throw new InvalidWorkflowError(`Fix ${errors.length} problem(s) before publishing: ${errors.map((p) => p.message).join("; ")}`, errors);
  const snapshot = await snapshotVersion(db, workflowId, graph);
  const publishedAt = new Date();
  const trimmed = note?.trim() ?? "";
  const updated = await db.workflowVersion.update({
    where: { id: snapshot.id },
    data: { publishedAt, ...(trimmed === "" ? {} : { note: trimmed }) },
    select: { note: true },
  });
  await forgetPublishedVersions();
  return { ...snapshot, publishedAt, note: updated.note };
}

export async function listVersions(db: Db, workspaceId: string, workflowId: string) {
  const rows = await db.workflowVersion.findMany({
    where: { workflowId, workflow: { workspaceId } },
    orderBy: { version: "desc" },
    select: { id: true, version: true, createdAt: true, publishedAt: true, note: true, _count: { select: { runs: true } } },
  });
  return rows.map(({ _count, ...row }) => ({ ...row, runCount: _count.runs }));
}

export async function getVersion(db: Db, workspaceId: string, versionId: string) {
  const row = await db.workflowVersion.findFirst({ where: { id: versionId, workflow: { workspaceId } }, select: { id: true, workflowId: true, version: true, graph: true, createdAt: true, publishedAt: true, note: true } });
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

/** The newest version of any kind (a publish or a run snapshot): each passed validation when it was made. */
export async function latestVersion(db: Db, workflowId: string) {
  return db.workflowVersion.findFirst({
    where: { workflowId },
    orderBy: { version: "desc" },
    select: { id: true, version: true, createdAt: true },
  });
}

/**
 * What a call of the workflow's API (REST trigger, MCP) runs, by the rule `pinGraph` in
 * server/runs/start-run.ts applies: the latest published version; before any publish, the
 * saved draft when it has no graph errors, else the latest version (a snapshot some run
 * pinned); with neither, nothing can run (calls answer 422 naming the draft's problems).
 */
export type ApiTarget =
  | { kind: "published"; versionId: string; version: number; publishedAt: Date; note: string | null }
  | { kind: "draft" }
  | { kind: "snapshot"; versionId: string; version: number; createdAt: Date; draftProblems: number }
  | { kind: "none"; draftProblems: number };

/**
 * The draft against the latest published version, for the editor's Publish call to action and
 * the Trigger panel: `draftDiffers` compares graph hashes (the same canonical hash snapshots use).
 */
export async function releaseState(db: Db, workspaceId: string, workflowId: string): Promise<{ published: { id: string; version: number; publishedAt: Date } | null; draftDiffers: boolean; api: ApiTarget }> {
  const workflow = await db.workflow.findFirst({ where: { id: workflowId, workspaceId }, select: { draftGraph: true } });
  if (!workflow) throw new NotFoundError(`Workflow ${workflowId}`);
  const published = await db.workflowVersion.findFirst({
    where: { workflowId, publishedAt: { not: null } },
    orderBy: { publishedAt: "desc" },
    select: { id: true, version: true, publishedAt: true, graphHash: true, note: true },
  });
  const draft = graphSchema.parse(workflow.draftGraph);
  const draftDiffers = published === null || graphHash(draft) !== published.graphHash;
  if (published?.publishedAt) {
    return {
      published: { id: published.id, version: published.version, publishedAt: published.publishedAt },
      draftDiffers,
      api: { kind: "published", versionId: published.id, version: published.version, publishedAt: published.publishedAt, note: published.note },
    };
  }
  const draftProblems = validateGraph(draft, { workflowId }).filter((problem) => problem.severity === "error").length;
  if (draftProblems === 0) return { published: null, draftDiffers, api: { kind: "draft" } };
  const latest = await latestVersion(db, workflowId);
  return {
    published: null,
    draftDiffers,
    api: latest ? { kind: "snapshot", versionId: latest.id, version: latest.version, createdAt: latest.createdAt, draftProblems } : { kind: "none", draftProblems },
  };
}
