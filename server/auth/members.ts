import type { Db } from "../db";
import { ConflictError, NotFoundError, UserInputError } from "../errors";
import { recordAudit } from "../audit/audit";
import type { WorkspaceAccess } from "./access";
import { assertMayGrant } from "./invitations";
import { isRole, roleRank, type Role } from "./roles";

export async function listMembers(db: Db, workspaceId: string) {
  const rows = await db.member.findMany({
    where: { workspaceId },
    orderBy: { createdAt: "asc" },
    select: { id: true, role: true, createdAt: true, user: { select: { id: true, name: true, email: true } } },
  });
  return rows.map((row) => ({ id: row.id, role: isRole(row.role) ? row.role : "viewer", joinedAt: row.createdAt, userId: row.user.id, name: row.user.name, email: row.user.email }));
}

async function findMember(db: Db, workspaceId: string, memberId: string) {
  const member = await db.member.findFirst({ where: { id: memberId, workspaceId }, select: { id: true, role: true, userId: true, user: { select: { name: true } } } });
  if (!member || !isRole(member.role)) throw new NotFoundError(`Member ${memberId}`);
  return { ...member, role: member.role };
}

/** Admins manage everyone up to their own rank; owners are managed by owners only. */
function assertMayManage(access: WorkspaceAccess, target: { role: Role }): void {
  if (!access.role || roleRank(target.role) > roleRank(access.role)) throw new UserInputError(`Only an owner can change an ${target.role}`, "memberId");
}

async function assertNotLastOwner(db: Db, workspaceId: string, target: { role: Role }): Promise<void> {
  if (target.role !== "owner") return;
  const owners = await db.member.count({ where: { workspaceId, role: "owner" } });
  if (owners <= 1) throw new ConflictError("A workspace needs at least one owner: make someone else owner first");
}

export async function changeMemberRole(db: Db, access: WorkspaceAccess, memberId: string, role: Role) {
  const member = await findMember(db, access.workspaceId, memberId);
  assertMayManage(access, member);
  assertMayGrant(access, role);
  if (member.role === role) return { ok: true as const };
  if (role !== "owner") await assertNotLastOwner(db, access.workspaceId, member);
  await db.$transaction(async (tx) => {
    await tx.member.update({ where: { id: member.id }, data: { role } });
    await recordAudit(tx, access, "member.role_changed", { kind: "user", id: member.userId, name: member.user.name }, { from: member.role, to: role });
  });
  return { ok: true as const };
}

export async function removeMember(db: Db, access: WorkspaceAccess, memberId: string) {
  const member = await findMember(db, access.workspaceId, memberId);
  const leavingThemselves = access.actor.kind === "user" && access.actor.id === member.userId;
  if (!leavingThemselves) assertMayManage(access, member);
  await assertNotLastOwner(db, access.workspaceId, member);
  await db.$transaction(async (tx) => {
    await tx.member.delete({ where: { id: member.id } });
    await recordAudit(tx, access, "member.removed", { kind: "user", id: member.userId, name: member.user.name }, { role: member.role });
  });
  return { ok: true as const };
}
