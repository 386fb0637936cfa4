import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { startRun } from "../../runs/start-run";
import { getRunDetail, listRuns } from "../../runs/queries";
import { controlRun } from "../../runs/control";
import { runStats } from "../../runs/stats";
import { actorLabel } from "../../auth/access";
import { rateLimitMessage, takeRunStart } from "../../auth/rate-limit";
import { createTrpcRouter, workspaceProcedure } from "../trpc";
import { idSchema } from "../schemas";

const read = workspaceProcedure("run:read");
const control = workspaceProcedure("run:control");
const runId = z.object({ runId: idSchema });

export const runRouter = createTrpcRouter({
  start: workspaceProcedure("run:start")
    .input(z.object({ workflowId: idSchema, input: z.unknown().optional() }))
    .mutation(async ({ ctx, input }) => {
      const decision = await takeRunStart(ctx.access.actor);
      if (!decision.allowed) {
        ctx.resHeaders.set("retry-after", String(decision.retryAfterSeconds));
        throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: rateLimitMessage(decision) });
      }
      return startRun(ctx.db, {
        workspaceId: ctx.access.workspaceId,
        workflowId: input.workflowId,
        input: input.input ?? null,
        trigger: "manual",
        startedBy: actorLabel(ctx.access.actor),
      });
    }),
  list: read
    .input(z.object({ workflowId: idSchema.optional(), limit: z.number().int().min(1).max(500).default(100) }).default({ limit: 100 }))
    .query(({ ctx, input }) => listRuns(ctx.db, ctx.access.workspaceId, input)),
  get: read.input(runId).query(({ ctx, input }) => getRunDetail(ctx.db, ctx.access.workspaceId, input.runId)),
  stats: read
    .input(z.object({ sinceHours: z.number().int().min(1).max(24 * 90).default(24 * 7) }).default({ sinceHours: 24 * 7 }))
    .query(({ ctx, input }) => runStats(ctx.db, ctx.access.workspaceId, input)),
  pause: control.input(runId).mutation(({ ctx, input }) => controlRun(ctx.db, ctx.access, input.runId, "pause")),
  resume: control.input(runId).mutation(({ ctx, input }) => controlRun(ctx.db, ctx.access, input.runId, "resume")),
  cancel: control.input(runId).mutation(({ ctx, input }) => controlRun(ctx.db, ctx.access, input.runId, "cancel")),
});
