import { z } from "zod";
import { createTrpcRouter, workspaceProcedure } from "../trpc";
import { idSchema } from "../schemas";
import {
  createProviderSchema,
  createWorkspaceProvider,
  deleteWorkspaceProvider,
  listWorkspaceProviders,
  providerChoices,
  providerModels,
  testWorkspaceProvider,
  updateProviderSchema,
  updateWorkspaceProvider,
} from "../../llm/workspace-providers";

const manage = workspaceProcedure("credential:manage");
const read = workspaceProcedure("workflow:read");

export const providersRouter = createTrpcRouter({
  /**
   * The workspace's providers (never a key: only whether one is set) and every name an agent
   * may pick, in resolution order. Builders read it for the inspector's dropdowns.
   */
  list: read.query(async ({ ctx }) => {
    const [providers, { choices, defaultName }] = await Promise.all([
      listWorkspaceProviders(ctx.db, ctx.access.workspaceId),
      providerChoices(ctx.db, ctx.access.workspaceId),
    ]);
    return { providers, choices, defaultName };
  }),
  /** A provider's models for the model combobox (cached for a minute); an error in plain words. */
  models: read
    .input(z.object({ provider: z.string().trim().min(1).max(100) }))
    .query(({ ctx, input }) => providerModels(ctx.db, ctx.access.workspaceId, input.provider)),
  create: manage.input(createProviderSchema).mutation(({ ctx, input }) => createWorkspaceProvider(ctx.db, ctx.access, input)),
  update: manage.input(updateProviderSchema).mutation(({ ctx, input }) => updateWorkspaceProvider(ctx.db, ctx.access, input)),
  delete: manage.input(z.object({ id: idSchema })).mutation(({ ctx, input }) => deleteWorkspaceProvider(ctx.db, ctx.access, input.id)),
  /** Test connection: GET <base URL>/models with the stored key. */
  test: manage.input(z.object({ id: idSchema })).mutation(({ ctx, input }) => testWorkspaceProvider(ctx.db, ctx.access.workspaceId, input.id)),
});
