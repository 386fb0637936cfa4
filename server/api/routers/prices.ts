import { z } from "zod";
import { deleteModelPrice, listModelPrices, setModelPrice, setModelPriceSchema } from "../../llm/model-prices";
import { createTrpcRouter, workspaceProcedure } from "../trpc";
import { idSchema } from "../schemas";

/** Settings → Model prices: the built-in list and the workspace's own price per model. */
export const pricesRouter = createTrpcRouter({
  /** Anyone who sees runs may see what their costs are computed from. */
  list: workspaceProcedure("workflow:read").query(({ ctx }) => listModelPrices(ctx.db, ctx.access.workspaceId)),
  /** Prices decide what budgets allow: set by those who manage the workspace's provider keys. */
  set: workspaceProcedure("credential:manage").input(setModelPriceSchema).mutation(({ ctx, input }) => setModelPrice(ctx.db, ctx.access, input)),
  delete: workspaceProcedure("credential:manage")
    .input(z.object({ id: idSchema }))
    .mutation(({ ctx, input }) => deleteModelPrice(ctx.db, ctx.access, input.id)),
});
