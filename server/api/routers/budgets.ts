import {
  budgetOverview,
  removeWorkflowCap,
  removeWorkflowCapSchema,
  resumeBudgetPausedRuns,
  setBudget,
  setBudgetOverride,
  setBudgetSchema,
  setOverrideSchema,
  setWorkflowCap,
  setWorkflowCapSchema,
} from "../../ops/budgets";
import { createTrpcRouter, workspaceProcedure } from "../trpc";

/** Settings → Budget: the month's spend against the caps; admins set the caps, owners override them. */
export const budgetsRouter = createTrpcRouter({
  /** Anyone who sees runs may see what they cost against the caps (the workspace's and the workflows'). */
  get: workspaceProcedure("workflow:read").query(({ ctx }) => budgetOverview(ctx.db, ctx.access.workspaceId)),
  /** The cap is set by those who set model prices (they decide what the budget allows). */
  set: workspaceProcedure("credential:manage").input(setBudgetSchema).mutation(({ ctx, input }) => setBudget(ctx.db, ctx.access, input)),
  /** A workflow's own cap: the same people as the workspace's cap. */
  setWorkflowCap: workspaceProcedure("credential:manage").input(setWorkflowCapSchema).mutation(({ ctx, input }) => setWorkflowCap(ctx.db, ctx.access, input)),
  removeWorkflowCap: workspaceProcedure("credential:manage").input(removeWorkflowCapSchema).mutation(({ ctx, input }) => removeWorkflowCap(ctx.db, ctx.access, input)),
  /** Running over the caps (the workspace's and every workflow's) is the owner's call. */
  override: workspaceProcedure("workspace:manage").input(setOverrideSchema).mutation(({ ctx, input }) => setBudgetOverride(ctx.db, ctx.access, input)),
  /** Resumes the runs the budgets paused, once they no longer block them. */
  resumePaused: workspaceProcedure("run:control").mutation(({ ctx }) => resumeBudgetPausedRuns(ctx.db, ctx.access)),
});
