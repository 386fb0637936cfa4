import type { Db } from "../db";
import { getEnv } from "../env";
import { ConflictError, NotFoundError, UserInputError } from "../errors";
import { newId } from "../ids";
import { recordAudit } from "../audit/audit";
import type { Actor, WorkspaceAccess } from "./access";
import { signUp, type NewAccount } from "./accounts";
import { roleRank, type Role } from "./roles";
import { hashToken, mintToken } from "./secret-tokens";
import { sendInvitationMail } from "./mail";

/**
 * Invite links: an admin creates one for a role (and optionally an email address); whoever
 * opens it creates an account (or, signed in already, just joins). No mail server is needed:
 * the link is shown once to the inviter; with SMTP_URL set it is also mailed.
 */
const INVITATION_TTL_MS = 7 * 24 * 3_600_000;

export function invitationUrl(token: string): string {
  return `${getEnv().APP_URL.replace(/\/$/, "")}/invite/${token}`;
}

/** Admins may invite up to their own role; only an owner may make another owner. */
export function assertMayGrant(access: WorkspaceAccess, role: Role): void {
  if (!access.role || roleRank(role) > roleRank(access.role)) {
    throw new UserInputError(`Only an owner can grant the ${role} role`, "role");
  }
}

export async function createInvitation(db: Db, access: WorkspaceAccess & { actor: Extract<Actor, { kind: "user" }> }, params: { role: Role; email?: string }) {
  assertMayGrant(access, params.role);
  const { token, hash } = mintToken("invitation");
  const id = newId("inv");
  const expiresAt = new Date(Date.now() + INVITATION_TTL_MS);
  const email = params.email?.toLowerCase();
  await db.$transaction(async (tx) => {
    await tx.invitation.create({
      data: { id, workspaceId: access.workspaceId, email, role: params.role, tokenHash: hash, invitedById: access.actor.id, invitedByName: access.actor.name, expiresAt },
    });
    await recordAudit(tx, access, "member.invited", { kind: "invitation", id, name: email ?? null }, { role: params.role });
  });
  const url = invitationUrl(token);
  let mailed = false;
  if (email) {
    const workspace = await db.workspace.findUniqueOrThrow({ where: { id: access.workspaceId }, select: { name: true } });
    mailed = await sendInvitationMail({ to: email, url, workspaceName: workspace.name, inviterName: access.actor.name, role: params.role });
  }
  return { id, url, role: params.role, email: email ?? null, expiresAt, mailed };
}

export async function listInvitations(db: Db, workspaceId: string) {
  return db.invitation.findMany({
    where: { workspaceId, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
    orderBy: { createdAt: "desc" },
    select: { id: true, email: true, role: true, invitedByName: true, createdAt: true, expiresAt: true },
  });
}

export async function revokeInvitation(db: Db, access: WorkspaceAccess, invitationId: string) {
  const row = await db.invitation.findFirst({ where: { id: invitationId, workspaceId: access.workspaceId, acceptedAt: null, revokedAt: null }, select: { id: true, email: true } });
  if (!row) throw new NotFoundError(`Invitation ${invitationId}`);
  await db.$transaction(async (tx) => {
    await tx.invitation.update({ where: { id: row.id }, data: { revokedAt: new Date() } });
    await recordAudit(tx, access, "member.invitation_revoked", { kind: "invitation", id: row.id, name: row.email });
  });
  return { ok: true as const };
}

async function liveInvitation(db: Db, token: string) {
  const row = await db.invitation.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { id: true, workspaceId: true, email: true, role: true, invitedByName: true, expiresAt: true, acceptedAt: true, revokedAt: true, workspace: { select: { name: true } } },
  });
  // Used, revoked, expired and unknown links all answer the same.
  if (!row || row.acceptedAt || row.revokedAt || row.expiresAt.getTime() <= Date.now()) throw new NotFoundError("Invitation");
  return row;
}

/** What the invite page shows before anyone signs in. */
export async function describeInvitation(db: Db, token: string) {
  const row = await liveInvitation(db, token);
  return { workspaceName: row.workspace.name, role: row.role, email: row.email, invitedByName: row.invitedByName, expiresAt: row.expiresAt };
}

async function join(db: Db, invitationId: string, workspaceId: string, role: string, user: Extract<Actor, { kind: "user" }>, ip: string | null) {
  await db.$transaction(async (tx) => {
    const claimed = await tx.invitation.updateMany({ where: { id: invitationId, acceptedAt: null, revokedAt: null }, data: { acceptedAt: new Date(), acceptedById: user.id } });
    if (claimed.count !== 1) throw new ConflictError("This invitation was just used");
    const existing = await tx.member.findUnique({ where: { workspaceId_userId: { workspaceId, userId: user.id } }, select: { id: true } });
    if (existing) throw new ConflictError("You are already a member of this workspace");
    await tx.member.create({ data: { id: newId("mem"), workspaceId, userId: user.id, role } });
    await recordAudit(tx, { workspaceId, actor: user, ip }, "member.joined", { kind: "user", id: user.id, name: user.name }, { role, invitationId });
  });
}

/** A signed-in user accepts: they join with the invited role. */
export async function acceptInvitation(db: Db, token: string, user: Extract<Actor, { kind: "user" }>, ip: string | null) {
  const row = await liveInvitation(db, token);
  await join(db, row.id, row.workspaceId, row.role, user, ip);
  return { workspaceId: row.workspaceId };
}

/** A new person accepts: their account is created, signed in, and joins. */
export async function acceptInvitationWithNewAccount(db: Db, token: string, account: NewAccount, ip: string | null) {
  const row = await liveInvitation(db, token);
  if (row.email && row.email !== account.email.toLowerCase()) {
    throw new UserInputError(`This invitation is for ${row.email}`, "email");
  }
  const { user, headers } = await signUp(account);
  await join(db, row.id, row.workspaceId, row.role, { kind: "user", ...user }, ip);
  return { workspaceId: row.workspaceId, headers };
}
