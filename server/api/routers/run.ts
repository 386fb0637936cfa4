import { z } from "zod";
import { startRun } from "../../runs/start-run";
import { getRunDetail, listRuns } from "../../runs/queries";
import { cancelRun, pauseRun, resumeRun } from "../../runs/control";
import { runStats } from "../../runs/stats";
import { createTrpcRouter, publicProcedure } from "../trpc";

export const runRouter = createTrpcRouter({
  start: publicProcedure
    .input(z.object({ workflowId: z.string().min(1), input: z.unknown().optional() }))
    .mutation(({ ctx, input }) => startRun(ctx.db, { workflowId: input.workflowId, input: input.input ?? null, trigger: "manual" })),
  list: publicProcedure
    .input(z.object({ workflowId: z.string().optional(), limit: z.number().int().min(1).max(500).default(100) }).default({ limit: 100 }))
    .query(({ ctx, input }) => listRuns(ctx.db, input)),
  get: publicProcedure.input(z.object({ runId: z.string().min(1) })).query(({ ctx, input }) => getRunDetail(ctx.db, input.runId)),
  stats: publicProcedure
    .input(z.object({ sinceHours: z.number().int().min(1).max(24 * 90).default(24 * 7) }).default({ sinceHours: 24 * 7 }))
    .query(({ ctx, input }) => runStats(ctx.db, input)),
  pause: publicProcedure.input(z.object({ runId: z.string().min(1) })).mutation(({ ctx, input }) => pauseRun(ctx.db, input.runId)),
  resume: publicProcedure.input(z.object({ runId: z.string().min(1) })).mutation(({ ctx, input }) => resumeRun(ctx.db, input.runId)),
  cancel: publicProcedure.input(z.object({ runId: z.string().min(1) })).mutation(({ ctx, input }) => cancelRun(ctx.db, input.runId)),
});
