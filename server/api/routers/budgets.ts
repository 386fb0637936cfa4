import { budgetOverview, resumeBudgetPausedRuns, setBudget, setBudgetOverride, setBudgetSchema, setOverrideSchema } from "../../ops/budgets";
import { createTrpcRouter, workspaceProcedure } from "../trpc";

/** Settings → Budget: the month's spend against the cap; admins set the cap, owners override it. */
export const budgetsRouter = createTrpcRouter({
  /** Anyone who sees runs may see what they cost against the cap. */
  get: workspaceProcedure("workflow:read").query(({ ctx }) => budgetOverview(ctx.db, ctx.access.workspaceId)),
  /** The cap is set by those who set model prices (they decide what the budget allows). */
  set: workspaceProcedure("credential:manage").input(setBudgetSchema).mutation(({ ctx, input }) => setBudget(ctx.db, ctx.access, input)),
  /** Running over the cap is the owner's call. */
  override: workspaceProcedure("workspace:manage").input(setOverrideSchema).mutation(({ ctx, input }) => setBudgetOverride(ctx.db, ctx.access, input)),
  /** Resumes the runs the budget paused, once it no longer blocks them. */
  resumePaused: workspaceProcedure("run:control").mutation(({ ctx }) => resumeBudgetPausedRuns(ctx.db, ctx.access)),
});
