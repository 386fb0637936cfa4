import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { startRun } from "../../runs/start-run";
import { getRunDetail, listChildRuns } from "../../runs/queries";
import { listRunsInputSchema, listRunsPage } from "../../runs/list-runs";
import { controlRun } from "../../runs/control";
import { forkRun, rerunRun, retryRun } from "../../runs/lineage";
import { forkEditSchema } from "../../engine/events";
import type { WorkspaceAccess } from "../../auth/access";
import { runOpsLive, runOpsTrends, runStats } from "../../runs/stats";
import { actorLabel, can } from "../../auth/access";
import { rateLimitMessage, takeRunStart } from "../../auth/rate-limit";
import { createTrpcRouter, workspaceProcedure } from "../trpc";
import { idSchema } from "../schemas";

const read = workspaceProcedure("run:read");

/** Starting, re-running and forking all spend: one per-caller rate limit for the three. */
async function takeRunStartOrThrow(ctx: { access: WorkspaceAccess; resHeaders: Headers }): Promise<void> {
  const decision = await takeRunStart(ctx.access.actor);
  if (decision.allowed) return;
  ctx.resHeaders.set("retry-after", String(decision.retryAfterSeconds));
  throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: rateLimitMessage(decision) });
}
const control = workspaceProcedure("run:control");
const runId = z.object({ runId: idSchema });

export const runRouter = createTrpcRouter({
  start: workspaceProcedure("run:start")
    .input(z.object({ workflowId: idSchema, input: z.unknown().optional() }))
    .mutation(async ({ ctx, input }) => {
      await takeRunStartOrThrow(ctx);
      const { runId } = await startRun(ctx.db, {
        workspaceId: ctx.access.workspaceId,
        workflowId: input.workflowId,
        input: input.input ?? null,
        trigger: "manual",
        startedBy: actorLabel(ctx.access.actor),
      });
      return { runId };
    }),
  list: read
    .input(listRunsInputSchema.prefault({}))
    .query(({ ctx, input }) => listRunsPage(ctx.db, ctx.access.workspaceId, input, { canRespond: can(ctx.access, "human:respond") })),
  get: read.input(runId).query(({ ctx, input }) => getRunDetail(ctx.db, ctx.access.workspaceId, input.runId)),
  /** The runs this run started: its for-each items and sub-workflows, optionally of one node, a page at a time. */
  childRuns: read
    .input(z.object({ runId: idSchema, nodeId: z.string().min(1).max(100).optional(), cursor: z.number().int().min(0).max(1_000_000).optional() }))
    .query(({ ctx, input }) => listChildRuns(ctx.db, ctx.access.workspaceId, input)),
  stats: read
    .input(z.object({ sinceHours: z.number().int().min(1).max(24 * 90).default(24 * 7) }).default({ sinceHours: 24 * 7 }))
    .query(({ ctx, input }) => runStats(ctx.db, ctx.access.workspaceId, input)),
  /** The dashboard's live figures (queue of this workspace's runs, workers online, oldest waiting task): polled every few seconds. */
  opsLive: read.query(({ ctx }) => runOpsLive(ctx.db, ctx.access.workspaceId)),
  /** The dashboard's trends: p50/p95 duration and success rate per workflow, cost per day. */
  opsTrends: read
    .input(z.object({ sinceHours: z.number().int().min(1).max(24 * 90).default(24 * 7) }).default({ sinceHours: 24 * 7 }))
    .query(({ ctx, input }) => runOpsTrends(ctx.db, ctx.access.workspaceId, input)),
  pause: control.input(runId).mutation(({ ctx, input }) => controlRun(ctx.db, ctx.access, input.runId, "pause")),
  resume: control.input(runId).mutation(({ ctx, input }) => controlRun(ctx.db, ctx.access, input.runId, "resume")),
  cancel: control.input(runId).mutation(({ ctx, input }) => controlRun(ctx.db, ctx.access, input.runId, "cancel")),
  /** A new run with the same input: on the same pinned version, or on the workflow as it is now. */
  rerun: workspaceProcedure("run:start")
    .input(z.object({ runId: idSchema, version: z.enum(["same", "latest"]).default("same") }))
    .mutation(async ({ ctx, input }) => {
      await takeRunStartOrThrow(ctx);
      return rerunRun(ctx.db, ctx.access, input.runId, input.version);
    }),
  /** The same run continues from its failed or cancelled steps; committed work is reused. */
  retry: control.input(runId).mutation(({ ctx, input }) => retryRun(ctx.db, ctx.access, input.runId)),
  /** A new run sharing this run's history up to event `atSeq`, optionally with one edit, then continuing. */
  fork: workspaceProcedure("run:start")
    .input(z.object({ runId: idSchema, atSeq: z.number().int().min(1), edit: forkEditSchema.optional() }))
    .mutation(async ({ ctx, input }) => {
      await takeRunStartOrThrow(ctx);
      return forkRun(ctx.db, ctx.access, input.runId, input.atSeq, input.edit);
    }),
});
