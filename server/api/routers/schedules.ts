import { z } from "zod";
import { createSchedule, deleteSchedule, listSchedules, previewFireTimes, scheduleFieldsSchema, setScheduleEnabled, updateSchedule } from "../../schedules/schedules";
import { createTrpcRouter, workspaceProcedure } from "../trpc";
import { idSchema } from "../schemas";

/** The Schedules section of the editor's Trigger API tab: a workflow's cron schedules (server/schedules). */
export const schedulesRouter = createTrpcRouter({
  list: workspaceProcedure("workflow:read")
    .input(z.object({ workflowId: idSchema }))
    .query(({ ctx, input }) => listSchedules(ctx.db, ctx.access.workspaceId, input.workflowId)),
  /** The form's "next five fire times" before saving (nothing stored). */
  preview: workspaceProcedure("workflow:read")
    .input(z.object({ cron: z.string().max(200), timeZone: z.string().max(64) }))
    .query(({ input }) => previewFireTimes(input.cron, input.timeZone)),
  create: workspaceProcedure("workflow:edit")
    .input(scheduleFieldsSchema.extend({ workflowId: idSchema }))
    .mutation(({ ctx, input: { workflowId, ...fields } }) => createSchedule(ctx.db, ctx.access, workflowId, fields)),
  update: workspaceProcedure("workflow:edit")
    .input(scheduleFieldsSchema.extend({ id: idSchema }))
    .mutation(({ ctx, input: { id, ...fields } }) => updateSchedule(ctx.db, ctx.access, id, fields)),
  toggle: workspaceProcedure("workflow:edit")
    .input(z.object({ id: idSchema, enabled: z.boolean() }))
    .mutation(({ ctx, input }) => setScheduleEnabled(ctx.db, ctx.access, input.id, input.enabled)),
  delete: workspaceProcedure("workflow:edit")
    .input(z.object({ id: idSchema }))
    .mutation(({ ctx, input }) => deleteSchedule(ctx.db, ctx.access, input.id)),
});
