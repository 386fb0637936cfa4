import { z } from "zod";
import { graphSchema } from "../../engine/graph";
import { createWorkflow, getWorkflow, listWorkflows, saveDraft } from "../../workflows/workflows";
import { createTriggerToken, revokeTriggerToken } from "../../workflows/trigger-tokens";
import { createTrpcRouter, publicProcedure } from "../trpc";

const workflowName = z.string().trim().min(1, "Name is required").max(120);

export const workflowRouter = createTrpcRouter({
  list: publicProcedure.query(({ ctx }) => listWorkflows(ctx.db)),
  create: publicProcedure
    .input(z.object({ name: workflowName, graph: graphSchema.optional() }))
    .mutation(({ ctx, input }) => createWorkflow(ctx.db, input)),
  get: publicProcedure.input(z.object({ id: z.string().min(1) })).query(({ ctx, input }) => getWorkflow(ctx.db, input.id)),
  saveDraft: publicProcedure
    .input(z.object({ id: z.string().min(1), graph: graphSchema, baseRevision: z.number().int().min(0), name: workflowName.optional() }))
    .mutation(({ ctx, input }) => saveDraft(ctx.db, input)),
  createTriggerToken: publicProcedure
    .input(z.object({ workflowId: z.string().min(1) }))
    .mutation(({ ctx, input }) => createTriggerToken(ctx.db, input.workflowId)),
  revokeTriggerToken: publicProcedure
    .input(z.object({ tokenId: z.string().min(1) }))
    .mutation(({ ctx, input }) => revokeTriggerToken(ctx.db, input.tokenId)),
});
