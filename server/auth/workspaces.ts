import type { Db, Prisma } from "../db";
import { NotFoundError } from "../errors";
import { newId } from "../ids";
import { createWorkflow } from "../workflows/workflows";
import { releaseNotesSample } from "../workflows/samples";
import { isRole, type Role } from "./roles";
import type { Actor } from "./access";
import { recordAudit } from "../audit/audit";

export type Membership = { workspaceId: string; workspaceName: string; role: Role };

/** A user's workspaces, oldest membership first (the first is where they land). */
export async function listMemberships(db: Db, userId: string): Promise<Membership[]> {
  const rows = await db.member.findMany({
    where: { userId },
    orderBy: { createdAt: "asc" },
    select: { role: true, workspace: { select: { id: true, name: true } } },
  });
  return rows.flatMap((row) => (isRole(row.role) ? [{ workspaceId: row.workspace.id, workspaceName: row.workspace.name, role: row.role }] : []));
}

/**
 * The workspace a request acts in: the one it asked for (the workspace cookie) when the
 * user is a member of it, else their first. Null for a user who belongs to none.
 */
export function pickMembership(memberships: readonly Membership[], requested: string | null | undefined): Membership | null {
  return memberships.find((m) => m.workspaceId === requested) ?? memberships[0] ?? null;
}

type Tx = Prisma.TransactionClient;

/** A new workspace with its creator as owner and the sample workflow in it. */
export async function createWorkspace(db: Db, params: { name: string; owner: Extract<Actor, { kind: "user" }>; ip?: string | null }) {
  const workspaceId = newId("ws");
  await db.$transaction(async (tx: Tx) => {
    await tx.workspace.create({ data: { id: workspaceId, name: params.name } });
    await tx.member.create({ data: { id: newId("mem"), workspaceId, userId: params.owner.id, role: "owner" } });
    await recordAudit(tx, { workspaceId, actor: params.owner, ip: params.ip }, "workspace.created", { kind: "workspace", id: workspaceId, name: params.name });
  });
  await addSampleWorkflow(db, workspaceId);
  return { id: workspaceId, name: params.name };
}

/** A fresh workspace gets a workflow it can run at once on the demo model. */
export async function addSampleWorkflow(db: Db, workspaceId: string): Promise<void> {
  await createWorkflow(db, workspaceId, { name: "Sample: release notes with approval", graph: releaseNotesSample() });
}

export async function renameWorkspace(db: Db, workspaceId: string, name: string) {
  const updated = await db.workspace.updateMany({ where: { id: workspaceId }, data: { name } });
  if (updated.count === 0) throw new NotFoundError(`Workspace ${workspaceId}`);
  return { id: workspaceId, name };
}
