import { z } from "zod";
import { listAudit } from "../../audit/audit";
import { createTrpcRouter, workspaceProcedure } from "../trpc";
import { idSchema } from "../schemas";

export const auditRouter = createTrpcRouter({
  /** Newest first; `before` pages back. `action` is an exact action or a prefix ending in "." ("workflow."). */
  list: workspaceProcedure("audit:read")
    .input(
      z
        .object({
          action: z.string().max(60).regex(/^[a-z_.]*$/, "is not an action name").optional(),
          actorId: idSchema.optional(),
          targetId: idSchema.optional(),
          before: z.iso.datetime({ message: "must be an ISO date-time" }).optional(),
          limit: z.number().int().min(1).max(200).default(50),
        })
        .default({ limit: 50 }),
    )
    .query(({ ctx, input }) => listAudit(ctx.db, ctx.access.workspaceId, { ...input, before: input.before ? new Date(input.before) : undefined })),
});
