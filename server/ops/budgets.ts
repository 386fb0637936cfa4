import { z } from "zod";
import type { Db } from "../db";
import { getEnv } from "../env";
import type { RunEvent } from "../engine/events";
import { actorLabel, type WorkspaceAccess } from "../auth/access";
import { recordAudit } from "../audit/audit";
import { UserInputError } from "../errors";
import { resumeRun } from "../runs/control";
import { BudgetExceededError } from "./budget-error";

/**
 * A workspace's monthly budget: a cap on model spend (USD, the `costUsd` every run already
 * carries, from token usage × prices) for the calendar month in UTC. A run counts in the month
 * it was created in. The cap is the workspace's own (Settings → Budget) or MAX_MONTHLY_COST.
 *
 * Reached (spend ≥ cap): new runs are refused (`assertBudgetAllowsStart`, at the one place
 * runs start, server/runs/start-run.ts) and running runs pause before their next model or tool
 * call (`budgetPauseEvent`, in the worker loop). Child runs (for-each items, sub-workflows)
 * are never refused: their parent was admitted, so refusing its children would fail work
 * already paid for. They pause like any running run, and "Resume paused runs" picks them all up.
 * An owner can let runs go over the cap until a date (audited), or raise the cap.
 */

/** What a run paused by the budget says it was paused by (the run page shows "by …"). */
export const BUDGET_PAUSE_BY = "the monthly budget";

export type BudgetCheck = {
  capUsd: number | null;
  /** null when there is no cap, or an override is active (then the spend is not needed). */
  spentUsd: number | null;
  overrideUntil: Date | null;
};

/** 00:00 UTC on the first day of `now`'s month. */
export function monthStartUtc(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

/**
 * The budget and, only when a cap applies and no override is active, the month's spend: one
 * round trip, and the spend is one aggregate over the (workspaceId, createdAt) index. Without a
 * cap it is a primary-key lookup only (the trigger path is benchmarked).
 */
export async function checkBudget(db: Db, workspaceId: string, now = new Date()): Promise<BudgetCheck> {
  const envCap = getEnv().MAX_MONTHLY_COST ?? null;
  const rows = await db.$queryRaw<{ cap: number | null; overrideUntil: Date | null; spent: number | null }[]>`
    SELECT COALESCE(b."monthlyCapUsd", ${envCap}::double precision) AS cap,
           b."overrideUntil" AS "overrideUntil",
           CASE WHEN COALESCE(b."monthlyCapUsd", ${envCap}::double precision) IS NOT NULL
                 AND (b."overrideUntil" IS NULL OR b."overrideUntil" <= ${now})
                THEN (SELECT COALESCE(SUM(r."costUsd"), 0) FROM "Run" r WHERE r."workspaceId" = ${workspaceId} AND r."createdAt" >= ${monthStartUtc(now)})
           END AS spent
    FROM (SELECT 1) AS one LEFT JOIN "WorkspaceBudget" b ON b."workspaceId" = ${workspaceId}`;
  const row = rows[0];
  return { capUsd: row?.cap ?? null, spentUsd: row?.spent ?? null, overrideUntil: row?.overrideUntil ?? null };
}

export function usd(value: number): string {
  return `$${value.toFixed(2)}`;
}

/** The reason the budget stops runs now, or null when it does not. */
function exceeded(check: BudgetCheck): { spentUsd: number; capUsd: number } | null {
  if (check.capUsd === null || check.spentUsd === null) return null;
  return check.spentUsd >= check.capUsd ? { spentUsd: check.spentUsd, capUsd: check.capUsd } : null;
}

/**
 * Workspaces seen without any cap, for a moment: the trigger path (benchmarked) then skips even
 * the budget lookup. Only "no cap" is remembered — a spend always comes fresh — so a cap set in
 * another process applies within UNCAPPED_CACHE_MS, and one set in this process at once.
 */
const UNCAPPED_CACHE_MS = 2_000;
const uncappedSeenAt = new Map<string, number>();

/** Throws BudgetExceededError (402) when the workspace's monthly budget is spent. */
export async function assertBudgetAllowsStart(db: Db, workspaceId: string): Promise<void> {
  const seenAt = uncappedSeenAt.get(workspaceId);
  if (seenAt !== undefined && Date.now() - seenAt < UNCAPPED_CACHE_MS) return;
  const check = await checkBudget(db, workspaceId);
  if (check.capUsd === null) {
    if (uncappedSeenAt.size > 10_000) uncappedSeenAt.clear();
    uncappedSeenAt.set(workspaceId, Date.now());
    return;
  }
  uncappedSeenAt.delete(workspaceId);
  const over = exceeded(check);
  if (!over) return;
  throw new BudgetExceededError(
    `The workspace's monthly budget is reached: spent ${usd(over.spentUsd)} of ${usd(over.capUsd)} this month; an owner can raise the budget or allow an override`,
    over.spentUsd,
    over.capUsd,
  );
}

/**
 * The worker asks before every round of new model/tool calls, so it keeps the answer for a
 * moment per workspace: a budget reached is seen within BUDGET_CACHE_MS, and a busy worker
 * does not add a query per step. Changes made in this process clear it at once.
 */
const BUDGET_CACHE_MS = 2_000;
const pauseCache = new Map<string, { at: number; event: RunEvent | null }>();

function forgetBudgetCache(workspaceId: string): void {
  pauseCache.delete(workspaceId);
  uncappedSeenAt.delete(workspaceId);
}

/** The `run_paused` event a running run commits when the budget is spent, or null. */
export async function budgetPauseEvent(db: Db, workspaceId: string): Promise<RunEvent | null> {
  const cached = pauseCache.get(workspaceId);
  if (cached && Date.now() - cached.at < BUDGET_CACHE_MS) return cached.event;
  const over = exceeded(await checkBudget(db, workspaceId));
  const event: RunEvent | null = over ? { type: "run_paused", by: `${BUDGET_PAUSE_BY} (spent ${usd(over.spentUsd)} of ${usd(over.capUsd)} this month)` } : null;
  if (pauseCache.size > 10_000) pauseCache.clear();
  pauseCache.set(workspaceId, { at: Date.now(), event });
  return event;
}

/** Settings → Budget: the cap, where it comes from, the month's spend and any override. */
export async function budgetOverview(db: Db, workspaceId: string, now = new Date()) {
  const monthStart = monthStartUtc(now);
  const [row, spend, pausedRuns] = await Promise.all([
    db.workspaceBudget.findUnique({ where: { workspaceId }, select: { monthlyCapUsd: true, overrideUntil: true, overrideBy: true, updatedAt: true } }),
    db.run.aggregate({ where: { workspaceId, createdAt: { gte: monthStart } }, _sum: { costUsd: true, unpricedCalls: true }, _count: { _all: true } }),
    budgetPausedRunIds(db, workspaceId),
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
  };
}

export const setBudgetSchema = z.object({
  /** null: no cap of the workspace's own (MAX_MONTHLY_COST applies, if set). */
  monthlyCapUsd: z.number({ message: "The cap must be a number of USD" }).finite().min(0, "The cap cannot be negative").max(1_000_000_000, "The cap is too large").nullable(),
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

/** Runs of the workspace paused by the budget (their latest pause was the budget's). */
async function budgetPausedRunIds(db: Db, workspaceId: string): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT r."id" FROM "Run" r
    CROSS JOIN LATERAL (
      SELECT s."payload" FROM "RunStep" s WHERE s."runId" = r."id" AND s."type" = 'run_paused' ORDER BY s."seq" DESC LIMIT 1
    ) last_pause
    WHERE r."workspaceId" = ${workspaceId} AND r."status" = 'paused' AND last_pause."payload"->>'by' LIKE ${`${BUDGET_PAUSE_BY}%`}
    ORDER BY r."createdAt" ASC
    LIMIT 1000`;
  return rows.map((row) => row.id);
}

/**
 * Resumes every run the budget paused (after the cap was raised or an override set). Each is
 * audited like a resume from the run page. While the budget still blocks, they would pause
 * again at once: refused instead, saying why.
 */
export async function resumeBudgetPausedRuns(db: Db, access: WorkspaceAccess): Promise<{ resumed: number }> {
  forgetBudgetCache(access.workspaceId);
  const over = exceeded(await checkBudget(db, access.workspaceId));
  if (over) throw new BudgetExceededError(`The budget still blocks runs: spent ${usd(over.spentUsd)} of ${usd(over.capUsd)} this month; raise the budget or allow an override first`, over.spentUsd, over.capUsd);
  let resumed = 0;
  for (const runId of await budgetPausedRunIds(db, access.workspaceId)) {
    try {
      await resumeRun(db, runId, actorLabel(access.actor));
    } catch {
      // Resumed or cancelled by someone else meanwhile: nothing to do for this one.
      continue;
    }
    await recordAudit(db, access, "run.resumed", { kind: "run", id: runId }, { reason: "budget" });
    resumed += 1;
  }
  return { resumed };
}
