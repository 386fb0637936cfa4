import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { getEnv } from "../../env";
import { getAuth, oidcConfig } from "../../auth/better-auth";
import { authError } from "../../auth/accounts";
import { createOwner, needsOwner } from "../../auth/setup";
import { listMemberships } from "../../auth/workspaces";
import { workspaceCookie } from "../../auth/request";
import { describeMe } from "../../auth/me";
import { createWorkspace, renameWorkspace } from "../../auth/workspaces";
import { recordAudit } from "../../audit/audit";
import { createTrpcRouter, publicProcedure, userProcedure, workspaceProcedure } from "../trpc";
import { emailSchema, idSchema, passwordSchema, personName } from "../schemas";

const workspaceName = z.string().trim().min(1, "Name is required").max(80);

function appendCookies(target: Headers, source: Headers): void {
  for (const cookie of source.getSetCookie()) target.append("set-cookie", cookie);
}


export const setupRouter = createTrpcRouter({
  /** What the sign-in and setup pages need to know before anyone is signed in. */
  status: publicProcedure.query(async ({ ctx }) => {
    const oidc = oidcConfig();
    return { needsOwner: await needsOwner(ctx.db), sso: oidc ? { name: getEnv().OIDC_DISPLAY_NAME } : null };
  }),
  /** First start: the owner account. Refused once any account exists. */
  createOwner: publicProcedure
    .input(z.object({ name: personName, email: emailSchema, password: passwordSchema }))
    .mutation(async ({ ctx, input }) => {
      const created = await createOwner(ctx.db, input, ctx.ip);
      appendCookies(ctx.resHeaders, created.headers);
      ctx.resHeaders.append("set-cookie", workspaceCookie(created.workspaceId));
      return { workspaceId: created.workspaceId };
    }),
});

export const accountRouter = createTrpcRouter({
  /** The signed-in user, the workspace they act in, their role and what it allows. */
  me: userProcedure.query(({ ctx }) => describeMe(ctx.db, ctx.user, ctx.headers)),
  switchWorkspace: userProcedure.input(z.object({ workspaceId: idSchema })).mutation(async ({ ctx, input }) => {
    const memberships = await listMemberships(ctx.db, ctx.user.id);
    if (!memberships.some((m) => m.workspaceId === input.workspaceId)) throw new TRPCError({ code: "NOT_FOUND", message: `Workspace ${input.workspaceId} not found` });
    ctx.resHeaders.append("set-cookie", workspaceCookie(input.workspaceId));
    return { workspaceId: input.workspaceId };
  }),
  /** Anyone signed in may start a workspace of their own (they become its owner). */
  createWorkspace: userProcedure.input(z.object({ name: workspaceName })).mutation(async ({ ctx, input }) => {
    const workspace = await createWorkspace(ctx.db, { name: input.name, owner: ctx.user, ip: ctx.ip });
    ctx.resHeaders.append("set-cookie", workspaceCookie(workspace.id));
    return workspace;
  }),
  renameWorkspace: workspaceProcedure("workspace:manage").input(z.object({ name: workspaceName })).mutation(async ({ ctx, input }) => {
    const renamed = await renameWorkspace(ctx.db, ctx.access.workspaceId, input.name);
    await recordAudit(ctx.db, ctx.access, "workspace.renamed", { kind: "workspace", id: ctx.access.workspaceId, name: input.name });
    return renamed;
  }),
  changePassword: userProcedure
    .input(z.object({ currentPassword: passwordSchema, newPassword: passwordSchema, signOutOtherSessions: z.boolean().default(true) }))
    .mutation(async ({ ctx, input }) => {
      try {
        const { headers } = await getAuth().api.changePassword({
          headers: ctx.headers,
          body: { currentPassword: input.currentPassword, newPassword: input.newPassword, revokeOtherSessions: input.signOutOtherSessions },
          returnHeaders: true,
        });
        appendCookies(ctx.resHeaders, headers);
      } catch (error) {
        throw authError(error);
      }
      for (const m of await listMemberships(ctx.db, ctx.user.id)) {
        await recordAudit(ctx.db, { workspaceId: m.workspaceId, actor: ctx.user, ip: ctx.ip }, "auth.password_changed", { kind: "user", id: ctx.user.id, name: ctx.user.name });
      }
      return { ok: true as const };
    }),
});
