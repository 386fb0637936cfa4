import { z } from "zod";
import { NotFoundError } from "../../errors";
import { listRunCallbacks } from "../../callbacks/outbox";
import { getCallbackSettings, rotateCallbackSecret, setWorkflowCallback } from "../../callbacks/settings";
import { createTrpcRouter, workspaceProcedure } from "../trpc";
import { idSchema } from "../schemas";

/** Run-finished callbacks (server/callbacks): a workflow's URL and signing secret, and a run's delivery log. */
export const callbacksRouter = createTrpcRouter({
  get: workspaceProcedure("workflow:read")
    .input(z.object({ workflowId: idSchema }))
    .query(({ ctx, input }) => getCallbackSettings(ctx.db, ctx.access.workspaceId, input.workflowId)),
  /** Sets or clears (null) the URL; the first call makes the signing secret and returns it, once. */
  set: workspaceProcedure("workflow:edit")
    .input(z.object({ workflowId: idSchema, url: z.string().max(2_000).nullable() }))
    .mutation(({ ctx, input }) => setWorkflowCallback(ctx.db, ctx.access, input.workflowId, input.url)),
  rotateSecret: workspaceProcedure("workflow:edit")
    .input(z.object({ workflowId: idSchema }))
    .mutation(({ ctx, input }) => rotateCallbackSecret(ctx.db, ctx.access, input.workflowId)),
  /** The run page's delivery log. */
  runLog: workspaceProcedure("run:read")
    .input(z.object({ runId: idSchema }))
    .query(async ({ ctx, input }) => {
      const run = await ctx.db.run.findFirst({ where: { id: input.runId, workspaceId: ctx.access.workspaceId }, select: { id: true } });
      if (!run) throw new NotFoundError(`Run ${input.runId}`);
      return listRunCallbacks(ctx.db, ctx.access.workspaceId, run.id);
    }),
});
