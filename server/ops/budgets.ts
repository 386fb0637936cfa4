import { z } from "zod";
import type { Db } from "../db";
import { getEnv } from "../env";
import type { RunEvent } from "../engine/events";
import { actorLabel, type WorkspaceAccess } from "../auth/access";
import { recordAudit } from "../audit/audit";
import { NotFoundError, UserInputError } from "../errors";
import { resumeRun } from "../runs/control";
import { BudgetExceededError, type BudgetRefused } from "./budget-error";

/**
 * Monthly budgets: caps on model spend (USD, the `costUsd` every run already carries, from
 * token usage × prices) for the calendar month in UTC. A run counts in the month it was created
 * in. Two caps can apply to a run:
 * - the workspace's (its own from Settings → Budget, or MAX_MONTHLY_COST): every run of the
 *   workspace counts toward it;
 * - its budget workflow's (Settings → Budget, "Workflow caps"): a run started by a person, a
 *   trigger, a schedule, a re-run or a fork counts toward its own workflow; a child run (a
 *   for-each item, a sub-workflow) toward its caller's budget workflow — so the whole tree of a
 *   run counts toward the workflow that was started, as all of it counts toward the workspace.
 *   "Run"."budgetWorkflowId" holds it (filled by a database trigger on insert).
 * Both apply: whichever is reached first stops the run (when both are, the workspace's is named:
 * raising the workflow's cap alone would not help).
 *
 * Reached (spend ≥ cap): new runs are refused (`assertBudgetAllowsStart`, at the one place
 * runs start, server/runs/start-run.ts) and running runs pause before their next model or tool
 * call (`budgetPauseEvent`, in the worker loop). Child runs (for-each items, sub-workflows)
 * are never refused: their parent was admitted, so refusing its children would fail work
 * already paid for. They pause like any running run, and "Resume paused runs" picks them all up.
 *
 * An owner can let runs go over the caps until a date (audited), or an admin raise a cap. There
 * is one override per workspace and it lifts both caps: it is the owner's emergency lever ("let
 * work go on until …"), one place to look and one audit entry; going over one workflow's cap
 * alone is what raising (or removing) that workflow's cap is for.
 */

/** What a run paused by a budget says it was paused by (the run page shows "by …"); every such text starts with it. */
export const BUDGET_PAUSE_BY = "the monthly budget";

/** The caps a run is under: its workspace's and its budget workflow's (null: only the workspace's). */
export type BudgetScope = { workspaceId: string; workflowId: string | null };

export type BudgetCheck = {
  capUsd: number | null;
  /** null when there is no cap, or an override is active (then the spend is not needed). */
  spentUsd: number | null;
  overrideUntil: Date | null;
  /** The workflow's own cap, when it has one; `spentUsd` null as above. */
  workflow: { workflowId: string; name: string; capUsd: number; spentUsd: number | null } | null;
};

/** 00:00 UTC on the first day of `now`'s month. */
export function monthStartUtc(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

/**
 * Both budgets and, only for a cap that applies while no override is active, the month's spend:
 * one round trip. The workspace's spend is one aggregate over the (workspaceId, createdAt)
 * index, the workflow's over (budgetWorkflowId, createdAt). Without caps it is two primary-key
 * lookups only (the trigger path is benchmarked).
 */
export async function checkBudget(db: Db, scope: BudgetScope, now = new Date()): Promise<BudgetCheck> {
  const envCap = getEnv().MAX_MONTHLY_COST ?? null;
  const monthStart = monthStartUtc(now);
  const rows = await db.$queryRaw<
    { cap: number | null; overrideUntil: Date | null; spent: number | null; workflowId: string | null; workflowName: string | null; workflowCap: number | null; workflowSpent: number | null }[]
  >`
    SELECT COALESCE(b."monthlyCapUsd", ${envCap}::double precision) AS cap,
           b."overrideUntil" AS "overrideUntil",
           CASE WHEN COALESCE(b."monthlyCapUsd", ${envCap}::double precision) IS NOT NULL
                 AND (b."overrideUntil" IS NULL OR b."overrideUntil" <= ${now})
                THEN (SELECT COALESCE(SUM(r."costUsd"), 0) FROM "Run" r WHERE r."workspaceId" = ${scope.workspaceId} AND r."createdAt" >= ${monthStart})
           END AS spent,
           wb."workflowId" AS "workflowId",
           w."name" AS "workflowName",
           wb."monthlyCapUsd" AS "workflowCap",
           CASE WHEN wb."monthlyCapUsd" IS NOT NULL
                 AND (b."overrideUntil" IS NULL OR b."overrideUntil" <= ${now})
                THEN (SELECT COALESCE(SUM(r."costUsd"), 0) FROM "Run" r WHERE r."budgetWorkflowId" = wb."workflowId" AND r."createdAt" >= ${monthStart})
           END AS "workflowSpent"
    FROM (SELECT 1) AS one
    LEFT JOIN "WorkspaceBudget" b ON b."workspaceId" = ${scope.workspaceId}
    LEFT JOIN "WorkflowBudget" wb ON wb."workflowId" = ${scope.workflowId}::text AND wb."workspaceId" = ${scope.workspaceId}
    LEFT JOIN "Workflow" w ON w."id" = wb."workflowId"`;
  const row = rows[0];
  const workflow =
    row?.workflowId && row.workflowCap !== null ? { workflowId: row.workflowId, name: row.workflowName ?? row.workflowId, capUsd: row.workflowCap, spentUsd: row.workflowSpent } : null;
  return { capUsd: row?.cap ?? null, spentUsd: row?.spent ?? null, overrideUntil: row?.overrideUntil ?? null, workflow };
}

export function usd(value: number): string {
  return `$${value.toFixed(2)}`;
}

/** Which budget stops runs now (the workspace's first, see above), or null when none does. */
type Exceeded = {
  spentUsd: number;
  capUsd: number;
  /** The workflow whose own cap it is; null for the workspace's. */
  workflow: { workflowId: string; name: string } | null;
};

function exceeded(check: BudgetCheck): Exceeded | null {
  if (check.capUsd !== null && check.spentUsd !== null && check.spentUsd >= check.capUsd) return { spentUsd: check.spentUsd, capUsd: check.capUsd, workflow: null };
  const workflow = check.workflow;
  if (workflow && workflow.spentUsd !== null && workflow.spentUsd >= workflow.capUsd) {
    return { spentUsd: workflow.spentUsd, capUsd: workflow.capUsd, workflow: { workflowId: workflow.workflowId, name: workflow.name } };
  }
  return null;
}

function refusedBudget(over: Exceeded): BudgetRefused {
  return over.workflow === null ? { scope: "workspace" } : { scope: "workflow", workflowId: over.workflow.workflowId };
}

function spentOf(over: Exceeded): string {
  return `spent ${usd(over.spentUsd)} of ${usd(over.capUsd)} this month`;
}

/** "the monthly budget of workflow "Invoices"": which cap it was, for messages and the pause's "by". */
function budgetName(over: Exceeded): string {
  return over.workflow === null ? `${BUDGET_PAUSE_BY} of the workspace` : `${BUDGET_PAUSE_BY} of workflow "${over.workflow.name}"`;
}

function refusal(over: Exceeded): BudgetExceededError {
  const message =
    over.workflow === null
      ? `The workspace's monthly budget is reached: ${spentOf(over)}; an owner can raise the budget or allow an override`
      : `The monthly budget of workflow "${over.workflow.name}" is reached: ${spentOf(over)}; an admin can raise the workflow's cap or an owner can allow an override`;
  return new BudgetExceededError(message, over.spentUsd, over.capUsd, refusedBudget(over));
}

/**
 * Budget scopes seen without any cap, for a moment: the trigger path (benchmarked) then skips
 * even the budget lookup. Only "no cap" is remembered — a spend always comes fresh — so a cap
 * set in another process applies within UNCAPPED_CACHE_MS, and one set in this process at once.
 * Keys are `cacheKey(scope)`, so a workspace's change forgets all of its workflows.
 */
const UNCAPPED_CACHE_MS = 2_000;
const uncappedSeenAt = new Map<string, number>();

function cacheKey(scope: BudgetScope): string {
  return `${scope.workspaceId} ${scope.workflowId ?? ""}`;
}

/**
 * Throws BudgetExceededError (402) when the workspace's or the workflow's monthly budget is
 * spent. `workflowId` is the workflow being started (a started run's budget workflow is its own).
 */
export async function assertBudgetAllowsStart(db: Db, workspaceId: string, workflowId: string): Promise<void> {
  const scope = { workspaceId, workflowId };
  const key = cacheKey(scope);
  const seenAt = uncappedSeenAt.get(key);
  if (seenAt !== undefined && Date.now() - seenAt < UNCAPPED_CACHE_MS) return;
  const check = await checkBudget(db, scope);
  if (check.capUsd === null && check.workflow === null) {
    if (uncappedSeenAt.size > 10_000) uncappedSeenAt.clear();
    uncappedSeenAt.set(key, Date.now());
    return;
  }
  uncappedSeenAt.delete(key);
  const over = exceeded(check);
  if (over) throw refusal(over);
}

/**
 * The worker asks before every round of new model/tool calls, so it keeps the answer for a
 * moment per budget scope (workspace and budget workflow): a budget reached is seen within
 * BUDGET_CACHE_MS, and a busy worker does not add a query per step. Changes made in this
 * process clear it at once.
 */
const BUDGET_CACHE_MS = 2_000;
const pauseCache = new Map<string, { at: number; event: RunEvent | null }>();

function forgetBudgetCache(workspaceId: string): void {
  const prefix = `${workspaceId} `;
  for (const cache of [pauseCache, uncappedSeenAt]) {
    for (const key of cache.keys()) if (key.startsWith(prefix)) cache.delete(key);
  }
}

/** The `run_paused` event a running run commits when one of its budgets is spent, or null. */
export async function budgetPauseEvent(db: Db, scope: BudgetScope): Promise<RunEvent | null> {
  const key = cacheKey(scope);
  const cached = pauseCache.get(key);
  if (cached && Date.now() - cached.at < BUDGET_CACHE_MS) return cached.event;
  const over = exceeded(await checkBudget(db, scope));
  const event: RunEvent | null = over ? { type: "run_paused", by: `${budgetName(over)} (${spentOf(over)})` } : null;
  if (pauseCache.size > 10_000) pauseCache.clear();
  pauseCache.set(key, { at: Date.now(), event });
  return event;
}

/** Settings → Budget: the cap, where it comes from, the month's spend and any override. */
export async function budgetOverview(db: Db, workspaceId: string, now = new Date()) {
  const monthStart = monthStartUtc(now);
  const [row, spend, pausedRuns, workflowCaps] = await Promise.all([
    db.workspaceBudget.findUnique({ where: { workspaceId }, select: { monthlyCapUsd: true, overrideUntil: true, overrideBy: true, updatedAt: true } }),
    db.run.aggregate({ where: { workspaceId, createdAt: { gte: monthStart } }, _sum: { costUsd: true, unpricedCalls: true }, _count: { _all: true } }),
    budgetPausedRuns(db, workspaceId),
    workflowCapsOf(db, workspaceId, monthStart),
  ]);
  const envCap = getEnv().MAX_MONTHLY_COST ?? null;
  const capUsd = row?.monthlyCapUsd ?? envCap;
  const spentUsd = spend._sum.costUsd ?? 0;
  const overrideActive = row?.overrideUntil ? row.overrideUntil > now : false;
  return {
    monthStart,
    capUsd,
    capSource: row?.monthlyCapUsd != null ? ("workspace" as const) : envCap !== null ? ("env" as const) : null,
    envCapUsd: envCap,
    workspaceCapUsd: row?.monthlyCapUsd ?? null,
    spentUsd,
    unpricedCalls: spend._sum.unpricedCalls ?? 0,
    runs: spend._count._all,
    overrideUntil: overrideActive ? (row?.overrideUntil ?? null) : null,
    overrideBy: overrideActive ? (row?.overrideBy ?? null) : null,
    reached: capUsd !== null && spentUsd >= capUsd,
    blocking: capUsd !== null && spentUsd >= capUsd && !overrideActive,
    pausedRuns: pausedRuns.length,
    workflowCaps: workflowCaps.map((cap) => ({ ...cap, reached: cap.spentUsd >= cap.capUsd, blocking: cap.spentUsd >= cap.capUsd && !overrideActive })),
  };
}

/** The workspace's workflow caps with each one's spend this month (by name). */
async function workflowCapsOf(db: Db, workspaceId: string, monthStart: Date) {
  return db.$queryRaw<{ workflowId: string; name: string; capUsd: number; spentUsd: number }[]>`
    SELECT wb."workflowId" AS "workflowId", w."name" AS name, wb."monthlyCapUsd" AS "capUsd",
           (SELECT COALESCE(SUM(r."costUsd"), 0) FROM "Run" r WHERE r."budgetWorkflowId" = wb."workflowId" AND r."createdAt" >= ${monthStart}) AS "spentUsd"
    FROM "WorkflowBudget" wb JOIN "Workflow" w ON w."id" = wb."workflowId"
    WHERE wb."workspaceId" = ${workspaceId}
    ORDER BY lower(w."name"), wb."workflowId"`;
}

/** A monthly cap in USD (the workspace's or a workflow's). */
const capUsdSchema = z.number({ message: "The cap must be a number of USD" }).finite("The cap must be a number of USD").min(0, "The cap cannot be negative").max(1_000_000_000, "The cap is too large");

export const setBudgetSchema = z.object({
  /** null: no cap of the workspace's own (MAX_MONTHLY_COST applies, if set). */
  monthlyCapUsd: capUsdSchema.nullable(),
});

export async function setBudget(db: Db, access: WorkspaceAccess, input: z.infer<typeof setBudgetSchema>) {
  await db.$transaction(async (tx) => {
    await tx.workspaceBudget.upsert({
      where: { workspaceId: access.workspaceId },
      create: { workspaceId: access.workspaceId, monthlyCapUsd: input.monthlyCapUsd },
      update: { monthlyCapUsd: input.monthlyCapUsd },
    });
    await recordAudit(tx, access, "budget.cap_set", { kind: "workspace", id: access.workspaceId }, { monthlyCapUsd: input.monthlyCapUsd });
  });
  forgetBudgetCache(access.workspaceId);
  return budgetOverview(db, access.workspaceId);
}

const workflowIdSchema = z.string({ message: "Choose a workflow" }).min(1, "Choose a workflow").max(100, "is too long for an id").regex(/^[A-Za-z0-9_-]+$/, "is not a valid id");

export const setWorkflowCapSchema = z.object({ workflowId: workflowIdSchema, monthlyCapUsd: capUsdSchema });
export const removeWorkflowCapSchema = z.object({ workflowId: workflowIdSchema });

/** The workflow, if it is this workspace's (another workspace's id is "not found", like a missing one). */
async function workflowOf(db: Db, access: WorkspaceAccess, workflowId: string): Promise<{ id: string; name: string }> {
  const workflow = await db.workflow.findFirst({ where: { id: workflowId, workspaceId: access.workspaceId }, select: { id: true, name: true } });
  if (!workflow) throw new NotFoundError(`Workflow ${workflowId}`);
  return workflow;
}

/** Sets (or changes) a workflow's own monthly cap; the workspace's cap still applies too. */
export async function setWorkflowCap(db: Db, access: WorkspaceAccess, input: z.infer<typeof setWorkflowCapSchema>) {
  const workflow = await workflowOf(db, access, input.workflowId);
  await db.$transaction(async (tx) => {
    const previous = await tx.workflowBudget.findUnique({ where: { workflowId: workflow.id }, select: { monthlyCapUsd: true } });
    await tx.workflowBudget.upsert({
      where: { workflowId: workflow.id },
      create: { workflowId: workflow.id, workspaceId: access.workspaceId, monthlyCapUsd: input.monthlyCapUsd },
      update: { monthlyCapUsd: input.monthlyCapUsd },
    });
    await recordAudit(tx, access, "budget.workflow_cap_set", { kind: "workflow", id: workflow.id, name: workflow.name }, { monthlyCapUsd: input.monthlyCapUsd, previousCapUsd: previous?.monthlyCapUsd ?? null });
  });
  forgetBudgetCache(access.workspaceId);
  return budgetOverview(db, access.workspaceId);
}

/** Removes a workflow's own cap (only the workspace's applies then); audited only when there was one. */
export async function removeWorkflowCap(db: Db, access: WorkspaceAccess, input: z.infer<typeof removeWorkflowCapSchema>) {
  const workflow = await workflowOf(db, access, input.workflowId);
  await db.$transaction(async (tx) => {
    const removed = await tx.workflowBudget.deleteMany({ where: { workflowId: workflow.id, workspaceId: access.workspaceId } });
    if (removed.count > 0) await recordAudit(tx, access, "budget.workflow_cap_removed", { kind: "workflow", id: workflow.id, name: workflow.name });
  });
  forgetBudgetCache(access.workspaceId);
  return budgetOverview(db, access.workspaceId);
}

const MAX_OVERRIDE_DAYS = 366;

export const setOverrideSchema = z.object({
  /** ISO date-time; null ends the override now. */
  until: z.string().datetime({ offset: true, message: "Give the date and time the override ends" }).nullable(),
});

/** An owner lets runs start and go on over the cap until `until` (or ends that, with null). */
export async function setBudgetOverride(db: Db, access: WorkspaceAccess, input: z.infer<typeof setOverrideSchema>, now = new Date()) {
  const until = input.until === null ? null : new Date(input.until);
  if (until && until <= now) throw new UserInputError("The override must end in the future", "until");
  if (until && until.getTime() - now.getTime() > MAX_OVERRIDE_DAYS * 86_400_000) throw new UserInputError(`The override can last at most ${MAX_OVERRIDE_DAYS} days`, "until");
  await db.$transaction(async (tx) => {
    const by = until ? actorLabel(access.actor) : null;
    await tx.workspaceBudget.upsert({
      where: { workspaceId: access.workspaceId },
      create: { workspaceId: access.workspaceId, overrideUntil: until, overrideBy: by },
      update: { overrideUntil: until, overrideBy: by },
    });
    await recordAudit(tx, access, until ? "budget.override_set" : "budget.override_ended", { kind: "workspace", id: access.workspaceId }, { until: until?.toISOString() ?? null });
  });
  forgetBudgetCache(access.workspaceId);
  return budgetOverview(db, access.workspaceId);
}

/** Runs of the workspace paused by a budget (their latest pause was a budget's), with their budget workflow. */
async function budgetPausedRuns(db: Db, workspaceId: string): Promise<{ id: string; budgetWorkflowId: string }[]> {
  return db.$queryRaw<{ id: string; budgetWorkflowId: string }[]>`
    SELECT r."id", r."budgetWorkflowId" FROM "Run" r
    CROSS JOIN LATERAL (
      SELECT s."payload" FROM "RunStep" s WHERE s."runId" = r."id" AND s."type" = 'run_paused' ORDER BY s."seq" DESC LIMIT 1
    ) last_pause
    WHERE r."workspaceId" = ${workspaceId} AND r."status" = 'paused' AND last_pause."payload"->>'by' LIKE ${`${BUDGET_PAUSE_BY}%`}
    ORDER BY r."createdAt" ASC
    LIMIT 1000`;
}

/**
 * Resumes every run a budget paused that its budgets now allow (after a cap was raised or an
 * override set). Each is audited like a resume from the run page. While the workspace's budget
 * still blocks, or a workflow's blocks every one of them, they would pause again at once:
 * refused instead, saying which budget. Runs whose workflow's cap still blocks stay paused and
 * are counted in `stillBlocked`.
 */
export async function resumeBudgetPausedRuns(db: Db, access: WorkspaceAccess): Promise<{ resumed: number; stillBlocked: number }> {
  forgetBudgetCache(access.workspaceId);
  const stillBlocks = (over: Exceeded) =>
    new BudgetExceededError(`${budgetName(over).replace(/^t/, "T")} still blocks runs: ${spentOf(over)}; raise the ${over.workflow === null ? "budget" : "workflow's cap"} or allow an override first`, over.spentUsd, over.capUsd, refusedBudget(over));
  const workspaceOver = exceeded(await checkBudget(db, { workspaceId: access.workspaceId, workflowId: null }));
  if (workspaceOver) throw stillBlocks(workspaceOver);
  const paused = await budgetPausedRuns(db, access.workspaceId);
  const blockedBy = new Map<string, Exceeded | null>();
  for (const workflowId of new Set(paused.map((run) => run.budgetWorkflowId))) {
    blockedBy.set(workflowId, exceeded(await checkBudget(db, { workspaceId: access.workspaceId, workflowId })));
  }
  const resumable = paused.filter((run) => !blockedBy.get(run.budgetWorkflowId));
  const firstBlock = [...blockedBy.values()].find((over) => over !== null);
  if (resumable.length === 0 && firstBlock) throw stillBlocks(firstBlock);
  let resumed = 0;
  for (const run of resumable) {
    try {
      await resumeRun(db, run.id, actorLabel(access.actor));
    } catch {
      // Resumed or cancelled by someone else meanwhile: nothing to do for this one.
      continue;
    }
    await recordAudit(db, access, "run.resumed", { kind: "run", id: run.id }, { reason: "budget" });
    resumed += 1;
  }
  return { resumed, stillBlocked: paused.length - resumable.length };
}
