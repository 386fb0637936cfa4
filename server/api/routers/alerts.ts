import { z } from "zod";
import { alertRuleInputSchema, createAlertRule, deleteAlertRule, listAlerts, updateAlertRule, updateAlertRuleSchema } from "../../ops/alerts";
import { createTrpcRouter, workspaceProcedure } from "../trpc";
import { idSchema } from "../schemas";

/** Settings → Alerts: rules a worker evaluates, the channels they go to, and what fired. */
export const alertsRouter = createTrpcRouter({
  /** The rules and their log are read like the dashboard; channels are named, never opened. */
  list: workspaceProcedure("workflow:read").query(({ ctx }) => listAlerts(ctx.db, ctx.access.workspaceId)),
  /** Those who manage the notification channels manage what is sent to them. */
  create: workspaceProcedure("credential:manage").input(alertRuleInputSchema).mutation(({ ctx, input }) => createAlertRule(ctx.db, ctx.access, input)),
  update: workspaceProcedure("credential:manage").input(updateAlertRuleSchema).mutation(({ ctx, input }) => updateAlertRule(ctx.db, ctx.access, input)),
  delete: workspaceProcedure("credential:manage")
    .input(z.object({ id: idSchema }))
    .mutation(({ ctx, input }) => deleteAlertRule(ctx.db, ctx.access, input.id)),
});
