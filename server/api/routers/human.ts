import { z } from "zod";
import { respondToHumanTask } from "../../runs/respond-human";
import { createTrpcRouter, publicProcedure } from "../trpc";

export const humanRouter = createTrpcRouter({
  respond: publicProcedure
    .input(z.object({ taskId: z.string().min(1), decision: z.enum(["approve", "reject"]), comment: z.string().max(5_000).optional() }))
    .mutation(async ({ ctx, input }) => {
      await respondToHumanTask(ctx.db, input);
      return { ok: true as const };
    }),
});
