import { z } from "zod";
import { createCredential, CREDENTIAL_NAME_PATTERN, deleteCredential, listCredentials, updateCredential } from "../../vault/credential-store";
import { credentialSecretSchema } from "../../vault/credential-kinds";
import { createTrpcRouter, workspaceProcedure } from "../trpc";
import { idSchema } from "../schemas";

const manage = workspaceProcedure("credential:manage");
const name = z.string().trim().regex(CREDENTIAL_NAME_PATTERN, "Use a letter, then letters, digits, - or _ (at most 64)");
/** Host names a request carrying the credential may go to (`api.github.com`, `*.example.com`). */
const allowedHosts = z
  .array(
    z
      .string()
      .trim()
      .toLowerCase()
      .max(253)
      .regex(/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/, "is not a host name"),
  )
  .max(50);

export const credentialsRouter = createTrpcRouter({
  /** Names, kinds and masked previews — never values. Editors see them to pick one in a tool. */
  list: workspaceProcedure("credential:list").query(({ ctx }) => listCredentials(ctx.db, ctx.access.workspaceId)),
  create: manage
    .input(z.object({ name, secret: credentialSecretSchema, allowedHosts: allowedHosts.default([]) }))
    .mutation(({ ctx, input }) => createCredential(ctx.db, ctx.access, input)),
  update: manage
    .input(z.object({ id: idSchema, secret: credentialSecretSchema.optional(), allowedHosts: allowedHosts.optional() }))
    .mutation(({ ctx, input }) => updateCredential(ctx.db, ctx.access, input)),
  delete: manage.input(z.object({ id: idSchema })).mutation(({ ctx, input }) => deleteCredential(ctx.db, ctx.access, input.id)),
});
