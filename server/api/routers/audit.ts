import { z } from "zod";
import { listAudit } from "../../audit/audit";
import { createTrpcRouter, workspaceProcedure } from "../trpc";
import { idSchema } from "../schemas";

export const auditRouter = createTrpcRouter({
  /** Newest first; `before` (the last entry's `nextBefore`) pages back. `actions`: exact actions or prefixes ending in "." ("workflow."). */
  list: workspaceProcedure("audit:read")
    .input(
      z
        .object({
          actions: z.array(z.string().min(1).max(60).regex(/^[a-z_.]+$/, "is not an action name")).max(20).optional(),
          actorId: idSchema.optional(),
          targetId: idSchema.optional(),
          before: z.object({ at: z.iso.datetime({ message: "must be an ISO date-time" }), id: idSchema }).optional(),
          limit: z.number().int().min(1).max(200).default(50),
        })
        .default({ limit: 50 }),
    )
    .query(({ ctx, input }) => listAudit(ctx.db, ctx.access.workspaceId, { ...input, before: input.before ? { at: new Date(input.before.at), id: input.before.id } : undefined })),
});
