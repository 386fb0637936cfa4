import { z } from "zod";
import { acceptInvitation, acceptInvitationWithNewAccount, createInvitation, describeInvitation, listInvitations, revokeInvitation } from "../../auth/invitations";
import { changeMemberRole, listMembers, removeMember } from "../../auth/members";
import { createApiKey, listApiKeys, revokeApiKey } from "../../auth/api-keys";
import { API_KEY_SCOPES, ROLES } from "../../auth/roles";
import { workspaceCookie } from "../../auth/request";
import { createTrpcRouter, publicProcedure, userProcedure, workspaceProcedure } from "../trpc";
import { emailSchema, idSchema, passwordSchema, personName } from "../schemas";

const manageMembers = workspaceProcedure("member:manage");
const inviteToken = z.string().min(10).max(200).regex(/^afi_[A-Za-z0-9_-]+$/, "is not an invitation link");
const role = z.enum(ROLES);


export const membersRouter = createTrpcRouter({
  list: workspaceProcedure("workflow:read").query(({ ctx }) => listMembers(ctx.db, ctx.access.workspaceId)),
  changeRole: manageMembers.input(z.object({ memberId: idSchema, role })).mutation(({ ctx, input }) => changeMemberRole(ctx.db, ctx.access, input.memberId, input.role)),
  remove: manageMembers.input(z.object({ memberId: idSchema })).mutation(({ ctx, input }) => removeMember(ctx.db, ctx.access, input.memberId)),
});

export const invitationsRouter = createTrpcRouter({
  list: manageMembers.query(({ ctx }) => listInvitations(ctx.db, ctx.access.workspaceId)),
  /** The link is returned once (and mailed when SMTP is set). */
  create: manageMembers.input(z.object({ role, email: emailSchema.optional() })).mutation(({ ctx, input }) => createInvitation(ctx.db, ctx.access, input)),
  revoke: manageMembers.input(z.object({ invitationId: idSchema })).mutation(({ ctx, input }) => revokeInvitation(ctx.db, ctx.access, input.invitationId)),
  /** What the invite page shows to whoever holds the link. */
  describe: publicProcedure.input(z.object({ token: inviteToken })).query(({ ctx, input }) => describeInvitation(ctx.db, input.token)),
  /** Signed in already: join with the invited role. */
  accept: userProcedure.input(z.object({ token: inviteToken })).mutation(async ({ ctx, input }) => {
    const joined = await acceptInvitation(ctx.db, input.token, ctx.user, ctx.ip);
    ctx.resHeaders.append("set-cookie", workspaceCookie(joined.workspaceId));
    return joined;
  }),
  /** New here: create an account with the link, signed in and joined at once. */
  acceptWithNewAccount: publicProcedure
    .input(z.object({ token: inviteToken, name: personName, email: emailSchema, password: passwordSchema }))
    .mutation(async ({ ctx, input }) => {
      const joined = await acceptInvitationWithNewAccount(ctx.db, input.token, { name: input.name, email: input.email, password: input.password }, ctx.ip);
      for (const cookie of joined.headers.getSetCookie()) ctx.resHeaders.append("set-cookie", cookie);
      ctx.resHeaders.append("set-cookie", workspaceCookie(joined.workspaceId));
      return { workspaceId: joined.workspaceId };
    }),
});

const manageKeys = workspaceProcedure("api_key:manage");

export const apiKeysRouter = createTrpcRouter({
  list: manageKeys.query(({ ctx }) => listApiKeys(ctx.db, ctx.access.workspaceId)),
  /** The key is in this response only; it is stored hashed. */
  create: manageKeys
    .input(z.object({ name: z.string().trim().min(1, "Name is required").max(80), scopes: z.array(z.enum(API_KEY_SCOPES)).min(1, "Choose at least one scope").max(API_KEY_SCOPES.length) }))
    .mutation(({ ctx, input }) => createApiKey(ctx.db, ctx.access, { name: input.name, scopes: [...new Set(input.scopes)] })),
  revoke: manageKeys.input(z.object({ keyId: idSchema })).mutation(({ ctx, input }) => revokeApiKey(ctx.db, ctx.access, input.keyId)),
});
