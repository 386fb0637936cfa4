import { z } from "zod";
import { respondToHumanTask } from "../../runs/respond-human";
import { listPendingTasks } from "../../runs/pending-tasks";
import { createTrpcRouter, workspaceProcedure } from "../trpc";
import { idSchema } from "../schemas";

const inboxLimit = z.object({ limit: z.number().int().min(1).max(200).default(50) }).default({ limit: 50 });

export const humanRouter = createTrpcRouter({
  /** The inbox: every task of this workspace waiting for a person, oldest first. */
  pending: workspaceProcedure("run:read")
    .input(inboxLimit)
    .query(({ ctx, input }) => listPendingTasks(ctx.db, ctx.access.workspaceId, { limit: input.limit })),
  /** How many tasks wait in this workspace (the Inbox badge in the top bar). */
  pendingCount: workspaceProcedure("run:read").query(({ ctx }) =>
    ctx.db.humanTask.count({ where: { status: "pending", run: { workspaceId: ctx.access.workspaceId } } }),
  ),
  respond: workspaceProcedure("human:respond")
    .input(
      z.object({
        taskId: idSchema,
        decision: z.enum(["approve", "reject"]),
        comment: z.string().max(5_000).optional(),
        /** The answer to an agent's question. */
        answer: z.string().max(50_000).optional(),
        /** Tool approval: the arguments to run with instead of the model's (JSON text). */
        editedArguments: z.string().max(100_000).optional(),
        /** An approval step approved with edits: the corrected content (any JSON value). */
        editedContent: z.unknown().optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      await respondToHumanTask(ctx.db, ctx.access, input);
      return { ok: true as const };
    }),
});
