import { RUN_TRIGGERS } from "../../lib/run-triggers";
import { z } from "zod";
import { Prisma, type Db } from "../db";
import { runStatusSchema } from "../engine/events";
import { UserInputError } from "../errors";
import { idSchema } from "../api/schemas";

/**
 * The Runs list: one page of a workspace's runs, newest first, filtered on the server.
 *
 * Every filter is answered from an index kept in the list's own order, (createdAt DESC,
 * id DESC) — see migration 20261130000100_runs_list — and the cursor is a position in that
 * order, so a page costs about one page of index entries however many runs there are and
 * however far back the page is (`npm run bench -- runs` measures it at 100,000 runs).
 */

export const RUN_PAGE_SIZE = 50;
export const MAX_RUN_PAGE_SIZE = 200;
/** Below this many characters the input text is not searched: a trigram index needs three. */
export const MIN_TEXT_SEARCH_LENGTH = 3;


/** A calendar day (`2026-11-30`, UTC) or an instant with its offset (`2026-11-30T08:00:00Z`). */
const instantSchema = z.union([z.iso.datetime({ offset: true }), z.iso.date()], { error: "must be a date (YYYY-MM-DD) or an ISO 8601 date-time with a time zone" });

export const listRunsInputSchema = z.object({
  workflowId: idSchema.optional(),
  /** Runs pinned to this version of a workflow (the versions panel links each version's run count here). */
  versionId: idSchema.optional(),
  /** One status or several (any of them). */
  status: z.union([runStatusSchema, z.array(runStatusSchema).min(1).max(runStatusSchema.options.length)]).optional(),
  trigger: z.enum(RUN_TRIGGERS).optional(),
  /** Runs created at or after this instant (a day: from its start, UTC). */
  from: instantSchema.optional(),
  /** Runs created before this instant (a day: up to its end, UTC, so `to` includes that day). */
  to: instantSchema.optional(),
  /** Runs waiting for a person's answer that the caller may give. */
  waitingForMe: z.boolean().optional(),
  /** A run id (whole or its beginning), or text inside the run input (3 characters or more). */
  q: z
    .string()
    .trim()
    .max(200, "is longer than 200 characters")
    .regex(/^[^\u0000]*$/, "must not contain the NUL character")
    .optional(),
  /** `nextCursor` of the previous page; absent (or null) for the first page. */
  cursor: z.string().max(200).nullish(),
  limit: z.number().int().min(1).max(MAX_RUN_PAGE_SIZE).default(RUN_PAGE_SIZE),
});

export type ListRunsInput = z.input<typeof listRunsInputSchema>;
type ParsedInput = z.output<typeof listRunsInputSchema>;

export type ListRunsScope = {
  /** Whether the caller may answer human tasks (human:respond); without it nothing waits for them. */
  canRespond: boolean;
  /** A trigger token sees only its own workflow's runs. */
  onlyWorkflowId?: string;
};

export type RunListRow = {
  id: string;
  workflowId: string;
  workflowName: string;
  status: string;
  trigger: string;
  startedBy: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  stepCount: number;
  tokens: number;
  costUsd: number;
  /** Model calls of unknown price: the cost is then at least costUsd. */
  unpricedCalls: number;
  durationMs: number | null;
  parentRunId: string | null;
  origin: string | null;
};

export type RunListPage = { runs: RunListRow[]; nextCursor: string | null };

type Cursor = { createdAt: Date; id: string };

/** Opaque to clients: where the page ended, as (createdAt in ms, id). */
export function encodeCursor(row: Cursor): string {
  return Buffer.from(`${row.createdAt.getTime()}:${row.id}`, "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): Cursor {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  const match = /^(\d{1,15}):([A-Za-z0-9_-]{1,100})$/.exec(text);
  const createdAt = match ? new Date(Number(match[1])) : null;
  if (!match?.[2] || !createdAt || Number.isNaN(createdAt.getTime())) {
    throw new UserInputError("cursor is not one this list returned", "cursor");
  }
  return { createdAt, id: match[2] };
}

function instant(value: string, edge: "from" | "to"): Date {
  // A bare day covers the whole day: `to` points at the start of the next one (exclusive).
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const date = new Date(day ? `${value}T00:00:00.000Z` : value);
  if (day && edge === "to") date.setUTCDate(date.getUTCDate() + 1);
  return date;
}

/** LIKE treats `%`, `_` and `\` specially; run ids contain `_`. */
function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/**
 * The input is searched in its JSON text (what the trigram index holds), where a string's
 * quotes, backslashes and control characters are escaped: escape the words the same way.
 */
function asJsonStringContent(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

const ID_CHARACTERS = /^[A-Za-z0-9_-]+$/;

/**
 * The page's statement: exported so the benchmark can EXPLAIN exactly what the list runs.
 * Each optional filter is one AND-ed condition; the cursor is a row comparison, which the
 * (…, createdAt, id) indexes answer as a range.
 */
export function listRunsQuery(workspaceId: string, input: ParsedInput, scope: ListRunsScope): Prisma.Sql {
  const conditions: Prisma.Sql[] = [Prisma.sql`r."workspaceId" = ${workspaceId}`];
  // A for-each's items are listed under their run (its page), not one by one among the runs;
  // those waiting for a person still show where people look for their work.
  if (!input.waitingForMe) conditions.push(Prisma.sql`r."itemOf" IS NULL`);
  if (scope.onlyWorkflowId) conditions.push(Prisma.sql`r."workflowId" = ${scope.onlyWorkflowId}`);
  if (input.workflowId) conditions.push(Prisma.sql`r."workflowId" = ${input.workflowId}`);
  if (input.versionId) conditions.push(Prisma.sql`r."versionId" = ${input.versionId}`);

  const statuses = input.status === undefined ? [] : Array.isArray(input.status) ? [...new Set(input.status)] : [input.status];
  if (statuses.length === 1) conditions.push(Prisma.sql`r."status" = ${statuses[0]}`);
  else if (statuses.length > 1) conditions.push(Prisma.sql`r."status" IN (${Prisma.join(statuses)})`);

  if (input.trigger) conditions.push(Prisma.sql`r."trigger" = ${input.trigger}`);

  const from = input.from === undefined ? undefined : instant(input.from, "from");
  const to = input.to === undefined ? undefined : instant(input.to, "to");
  if (from && to && from.getTime() >= to.getTime()) throw new UserInputError("to must be after from", "to");
  // Timestamps as UTC ISO text: "createdAt" is a timestamp without time zone holding UTC.
  if (from) conditions.push(Prisma.sql`r."createdAt" >= ${from.toISOString()}::timestamp(3)`);
  if (to) conditions.push(Prisma.sql`r."createdAt" < ${to.toISOString()}::timestamp(3)`);

  if (input.waitingForMe) {
    if (!scope.canRespond) conditions.push(Prisma.sql`FALSE`);
    conditions.push(Prisma.sql`r."status" = 'waiting_for_human'`);
    conditions.push(Prisma.sql`EXISTS (SELECT 1 FROM "HumanTask" t WHERE t."runId" = r."id" AND t."status" = 'pending')`);
  }

  const q = input.q ?? "";
  if (q !== "") {
    const matches: Prisma.Sql[] = [];
    if (ID_CHARACTERS.test(q)) matches.push(Prisma.sql`r."id" LIKE ${`${likeEscape(q)}%`}`);
    if (q.length >= MIN_TEXT_SEARCH_LENGTH) matches.push(Prisma.sql`r."input"::text ILIKE ${`%${likeEscape(asJsonStringContent(q))}%`}`);
    conditions.push(matches.length === 0 ? Prisma.sql`FALSE` : Prisma.sql`(${Prisma.join(matches, " OR ")})`);
  }

  if (input.cursor) {
    const cursor = decodeCursor(input.cursor);
    conditions.push(Prisma.sql`(r."createdAt", r."id") < (${cursor.createdAt.toISOString()}::timestamp(3), ${cursor.id})`);
  }

  // One row more than the page: whether there is a next page, without counting.
  return Prisma.sql`
    SELECT r."id", r."workflowId", w."name" AS "workflowName", r."status", r."trigger", r."startedBy",
           r."createdAt", r."startedAt", r."finishedAt", r."stepCount", r."tokens", r."costUsd", r."unpricedCalls",
           r."parentRunId", r."origin"
    FROM "Run" r JOIN "Workflow" w ON w."id" = r."workflowId"
    WHERE ${Prisma.join(conditions, " AND ")}
    ORDER BY r."createdAt" DESC, r."id" DESC
    LIMIT ${input.limit + 1}`;
}

type SqlRow = Omit<RunListRow, "durationMs">;

/**
 * One page of the workspace's runs matching `input` (validated here too, so every caller —
 * tRPC, REST, the benchmark — gets the same checks). Another workspace's ids match nothing.
 */
export async function listRunsPage(db: Db, workspaceId: string, input: ListRunsInput, scope: ListRunsScope = { canRespond: false }): Promise<RunListPage> {
  const parsed = listRunsInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") || "input";
    throw new UserInputError(`${field}: ${issue?.message ?? "invalid"}`, field);
  }
  const rows = await db.$queryRaw<SqlRow[]>(listRunsQuery(workspaceId, parsed.data, scope));
  const page = rows.slice(0, parsed.data.limit);
  const last = page.at(-1);
  return {
    runs: page.map((row) => ({
      ...row,
      durationMs: row.startedAt && row.finishedAt ? row.finishedAt.getTime() - row.startedAt.getTime() : null,
    })),
    nextCursor: rows.length > parsed.data.limit && last ? encodeCursor(last) : null,
  };
}
