import { z } from "zod";
import { graphSchema, type Graph } from "../engine/graph";
import { TERMINAL_RUN_STATUSES } from "../engine/events";
import type { Db, Prisma } from "../db";
import { NotFoundError } from "../errors";
import { newId } from "../ids";
import { assertStorable, toJson } from "../json";

/**
 * The workflow list a builder works in every day: search and sort, tags, rename, duplicate,
 * delete. Names of new workflows (duplicates, templates, imports) never repeat an existing
 * one in the workspace: "Invoices" → "Invoices (copy)" → "Invoices (copy 2)".
 */

export const WORKFLOW_SORTS = ["edited", "name", "last_run"] as const;
export type WorkflowSort = (typeof WORKFLOW_SORTS)[number];

export const MAX_NAME_LENGTH = 120;
export const MAX_TAGS = 10;
export const MAX_TAG_LENGTH = 32;
export const MAX_SEARCH_LENGTH = 200;

/** A tag is stored trimmed and lower-case, so "Billing" and "billing " filter as one. */
export const tagSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, "A tag must not be empty")
  .max(MAX_TAG_LENGTH, `A tag is at most ${MAX_TAG_LENGTH} characters`)
  .regex(/^[^,]+$/, "A tag cannot contain a comma");

export const tagsSchema = z
  .array(tagSchema)
  .max(MAX_TAGS, `A workflow has at most ${MAX_TAGS} tags`)
  .transform((tags) => [...new Set(tags)]);

export const workflowListQuerySchema = z
  .object({
    q: z.string().trim().max(MAX_SEARCH_LENGTH, `Search is at most ${MAX_SEARCH_LENGTH} characters`).optional(),
    tag: tagSchema.optional(),
    sort: z.enum(WORKFLOW_SORTS).optional(),
  })
  .optional();

export type WorkflowListQuery = NonNullable<z.infer<typeof workflowListQuerySchema>>;

export type WorkflowListRow = {
  id: string;
  name: string;
  tags: string[];
  updatedAt: Date;
  nodeCount: number;
  runCount: number;
  lastRun: { id: string; status: string; createdAt: Date } | null;
};

/**
 * The workspace's workflows matching the search (name or tag, case-insensitive) and tag,
 * in the asked order; newest edit first by default. The whole list is one workspace's, so it
 * is filtered and sorted here rather than paged.
 */
export async function listWorkflows(db: Db, workspaceId: string, query: WorkflowListQuery = {}): Promise<WorkflowListRow[]> {
  const rows = await db.workflow.findMany({
    where: { workspaceId, ...(query.tag ? { tags: { has: query.tag } } : {}) },
    orderBy: { updatedAt: "desc" },
    select: {
      id: true,
      name: true,
      tags: true,
      updatedAt: true,
      draftGraph: true,
      _count: { select: { runs: true } },
      runs: { orderBy: { createdAt: "desc" }, take: 1, select: { id: true, status: true, createdAt: true } },
    },
  });
  const listed = rows.map((row) => ({
    id: row.id,
    name: row.name,
    tags: row.tags,
    updatedAt: row.updatedAt,
    nodeCount: graphSchema.safeParse(row.draftGraph).data?.nodes.length ?? 0,
    runCount: row._count.runs,
    lastRun: row.runs[0] ?? null,
  }));
  return sortWorkflows(listed.filter((row) => matchesSearch(row, query.q ?? "")), query.sort ?? "edited");
}

export function matchesSearch(row: { name: string; tags: string[] }, search: string): boolean {
  const needle = search.trim().toLowerCase();
  if (needle === "") return true;
  return row.name.toLowerCase().includes(needle) || row.tags.some((tag) => tag.includes(needle));
}

const byName = new Intl.Collator("en", { sensitivity: "base", numeric: true });

/** name: A→Z (numbers in order: "Flow 2" before "Flow 10"); edited: newest first; last_run: most recent run first, never-run ones last. */
export function sortWorkflows<Row extends Pick<WorkflowListRow, "id" | "name" | "updatedAt" | "lastRun">>(rows: Row[], sort: WorkflowSort): Row[] {
  const newestEdit = (a: Row, b: Row) => b.updatedAt.getTime() - a.updatedAt.getTime() || a.id.localeCompare(b.id);
  const compare: Record<WorkflowSort, (a: Row, b: Row) => number> = {
    name: (a, b) => byName.compare(a.name, b.name) || a.id.localeCompare(b.id),
    edited: newestEdit,
    last_run: (a, b) => {
      if (a.lastRun && b.lastRun) return b.lastRun.createdAt.getTime() - a.lastRun.createdAt.getTime() || newestEdit(a, b);
      if (a.lastRun || b.lastRun) return a.lastRun ? -1 : 1;
      return newestEdit(a, b);
    },
  };
  return [...rows].sort(compare[sort]);
}

/** Every tag used in the workspace with how many workflows carry it, A→Z: the list's tag filter. */
export async function listWorkflowTags(db: Db, workspaceId: string): Promise<{ tag: string; count: number }[]> {
  const rows = await db.$queryRaw<{ tag: string; count: bigint }[]>`
    SELECT tag, count(*) AS count FROM "Workflow", unnest("tags") AS tag
    WHERE "workspaceId" = ${workspaceId} GROUP BY tag ORDER BY tag`;
  return rows.map((row) => ({ tag: row.tag, count: Number(row.count) }));
}

const COPY_SUFFIX = / \(copy(?: \d+)?\)$/i;

/**
 * The first free name: `name` itself when `keepIfFree` and nobody uses it, else
 * "<root> (copy)", "<root> (copy 2)", … where root is the name without a copy suffix (so a
 * copy of "X (copy)" is "X (copy 2)", not "X (copy) (copy)"). `taken` holds lower-case names;
 * the root is shortened so the result stays within the name limit.
 */
export function uniqueWorkflowName(name: string, taken: ReadonlySet<string>, keepIfFree: boolean): string {
  const trimmed = name.trim();
  if (keepIfFree && !taken.has(trimmed.toLowerCase())) return trimmed;
  const root = trimmed.replace(COPY_SUFFIX, "");
  for (let copy = 1; ; copy += 1) {
    const suffix = copy === 1 ? " (copy)" : ` (copy ${copy})`;
    const candidate = `${root.slice(0, MAX_NAME_LENGTH - suffix.length).trimEnd()}${suffix}`;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
}

type Tx = Prisma.TransactionClient;

/**
 * Inserts a workflow under a name no other workflow of the workspace has. Names are chosen
 * under a per-workspace transaction lock, so two copies made at the same moment still get
 * different names.
 */
export async function createUniquelyNamedWorkflow(
  db: Db,
  workspaceId: string,
  params: { name: string; graph: Graph; tags?: string[]; description?: string; keepNameIfFree: boolean },
): Promise<{ id: string; name: string }> {
  assertStorable(params.name, "name");
  assertStorable(params.graph, "graph");
  return db.$transaction(async (tx) => {
    await lockWorkspaceNames(tx, workspaceId);
    const root = params.name.trim().replace(COPY_SUFFIX, "");
    const similar = await tx.workflow.findMany({
      where: { workspaceId, name: { startsWith: root.slice(0, 100), mode: "insensitive" } },
      select: { name: true },
    });
    const name = uniqueWorkflowName(params.name, new Set(similar.map((row) => row.name.toLowerCase())), params.keepNameIfFree);
    return tx.workflow.create({
      data: { id: newId("wf"), workspaceId, name, description: params.description ?? "", tags: params.tags ?? [], draftGraph: toJson(params.graph) },
      select: { id: true, name: true },
    });
  });
}

async function lockWorkspaceNames(tx: Tx, workspaceId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`workflow-names:${workspaceId}`}))`;
}

/** A copy of the draft (graph, description, tags) as a new workflow; versions and runs stay with the original. */
export async function duplicateWorkflow(db: Db, workspaceId: string, id: string): Promise<{ id: string; name: string; sourceName: string }> {
  const source = await db.workflow.findFirst({ where: { id, workspaceId }, select: { name: true, description: true, tags: true, draftGraph: true } });
  if (!source) throw new NotFoundError(`Workflow ${id}`);
  const graph = graphSchema.parse(source.draftGraph);
  const created = await createUniquelyNamedWorkflow(db, workspaceId, {
    name: source.name,
    graph,
    tags: source.tags,
    description: source.description,
    keepNameIfFree: false,
  });
  return { ...created, sourceName: source.name };
}

/**
 * Renames a workflow. The draft revision moves on too: an editor open elsewhere saves the
 * name with every autosave, so its next save is a conflict to resolve instead of quietly
 * putting the old name back.
 */
export async function renameWorkflow(db: Db, workspaceId: string, id: string, name: string): Promise<{ id: string; name: string; previousName: string }> {
  assertStorable(name, "name");
  const existing = await db.workflow.findFirst({ where: { id, workspaceId }, select: { name: true } });
  if (!existing) throw new NotFoundError(`Workflow ${id}`);
  const updated = await db.workflow.updateMany({ where: { id, workspaceId }, data: { name, draftRevision: { increment: 1 } } });
  if (updated.count !== 1) throw new NotFoundError(`Workflow ${id}`);
  return { id, name, previousName: existing.name };
}

export async function setWorkflowTags(db: Db, workspaceId: string, id: string, tags: string[]): Promise<{ id: string; name: string; tags: string[]; previousTags: string[] }> {
  assertStorable(tags, "tags");
  const existing = await db.workflow.findFirst({ where: { id, workspaceId }, select: { name: true, tags: true } });
  if (!existing) throw new NotFoundError(`Workflow ${id}`);
  const updated = await db.workflow.updateMany({ where: { id, workspaceId }, data: { tags } });
  if (updated.count !== 1) throw new NotFoundError(`Workflow ${id}`);
  return { id, name: existing.name, tags, previousTags: existing.tags };
}

export type DeleteImpact = {
  id: string;
  name: string;
  /** Runs deleted with the workflow (the database cascades: runs, their event logs and human tasks). */
  runs: number;
  /** Of those, runs not finished yet: deleting stops them. */
  unfinishedRuns: number;
  versions: number;
  schedules: number;
};

/** What deleting a workflow takes with it, for the confirmation to state before anyone clicks Delete. */
export async function workflowDeleteImpact(db: Db, workspaceId: string, id: string): Promise<DeleteImpact> {
  const row = await db.workflow.findFirst({
    where: { id, workspaceId },
    select: { id: true, name: true, _count: { select: { runs: true, versions: true, schedules: true } } },
  });
  if (!row) throw new NotFoundError(`Workflow ${id}`);
  const unfinishedRuns = await db.run.count({ where: { workspaceId, workflowId: id, status: { notIn: [...TERMINAL_RUN_STATUSES] } } });
  return { id: row.id, name: row.name, runs: row._count.runs, unfinishedRuns, versions: row._count.versions, schedules: row._count.schedules };
}
