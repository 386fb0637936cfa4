import type { Db } from "../db";
import { memberAccess, type SessionUser } from "./request";
import { permissionsOf, type Permission, type Role } from "./roles";
import { listMemberships } from "./workspaces";

/** What the UI knows about who is signed in: it hides what the role may not do (the server checks). */
export type Me = {
  user: { id: string; name: string; email: string };
  workspace: { id: string; name: string; role: Role } | null;
  permissions: Permission[];
  workspaces: { id: string; name: string; role: Role }[];
};

export async function describeMe(db: Db, user: SessionUser, headers: Headers): Promise<Me> {
  const member = await memberAccess(db, user, headers);
  const memberships = member?.memberships ?? (await listMemberships(db, user.id));
  return {
    user: { id: user.id, name: user.name, email: user.email },
    workspace: member ? { id: member.membership.workspaceId, name: member.membership.workspaceName, role: member.membership.role } : null,
    permissions: member ? permissionsOf(member.membership.role) : [],
    workspaces: memberships.map((m) => ({ id: m.workspaceId, name: m.workspaceName, role: m.role })),
  };
}
