import type { Db } from "../db";
import { NotFoundError } from "../errors";
import { newId } from "../ids";
import type { WorkspaceAccess } from "../auth/access";
import { hashToken, mintToken } from "../auth/secret-tokens";
import { recordAudit } from "../audit/audit";

/**
 * A trigger token starts runs of its one workflow over REST and follows those runs. It is
 * shown once and stored as a sha256 hash (see server/auth/secret-tokens.ts).
 */
const LAST_USED_RESOLUTION_MS = 60_000;

export async function createTriggerToken(db: Db, access: WorkspaceAccess, workflowId: string) {
  const workflow = await db.workflow.findFirst({ where: { id: workflowId, workspaceId: access.workspaceId }, select: { id: true, name: true } });
  if (!workflow) throw new NotFoundError(`Workflow ${workflowId}`);
  const { token, hash, prefix } = mintToken("trigger_token");
  const id = newId("tok");
  await db.$transaction(async (tx) => {
    await tx.triggerToken.create({ data: { id, workflowId, tokenHash: hash, prefix, createdById: access.actor.kind === "user" ? access.actor.id : null } });
    await recordAudit(tx, access, "trigger_token.created", { kind: "trigger_token", id, name: prefix }, { workflowId, workflowName: workflow.name });
  });
  return { id, token, prefix };
}

export async function revokeTriggerToken(db: Db, access: WorkspaceAccess, tokenId: string) {
  const row = await db.triggerToken.findFirst({
    where: { id: tokenId, revokedAt: null, workflow: { workspaceId: access.workspaceId } },
    select: { id: true, prefix: true, workflowId: true },
  });
  if (!row) throw new NotFoundError(`Token ${tokenId}`);
  await db.$transaction(async (tx) => {
    await tx.triggerToken.update({ where: { id: row.id }, data: { revokedAt: new Date() } });
    await recordAudit(tx, access, "trigger_token.revoked", { kind: "trigger_token", id: row.id, name: row.prefix }, { workflowId: row.workflowId });
  });
  return { ok: true as const };
}

/** The live trigger token with this value, with its workflow and workspace; or null. */
export async function verifyTriggerToken(db: Db, token: string, now = new Date()) {
  const row = await db.triggerToken.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { id: true, prefix: true, workflowId: true, revokedAt: true, lastUsedAt: true, workflow: { select: { workspaceId: true } } },
  });
  if (!row || row.revokedAt) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.triggerToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  return { id: row.id, prefix: row.prefix, workflowId: row.workflowId, workspaceId: row.workflow.workspaceId };
}
