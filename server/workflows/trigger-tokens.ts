import { getPool, type Db } from "../db";
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

type TokenRow = { id: string; prefix: string; workflowId: string; workspaceId: string; lastUsedAt: Date | null };

/**
 * The live trigger token with this value, with its workflow and workspace; or null. On the
 * REST trigger's hot path: one prepared statement, lastUsedAt written at most once a minute
 * and not waited for.
 */
export async function verifyTriggerToken(token: string, now = new Date()) {
  const { rows } = await getPool().query<TokenRow>({
    name: "verify-trigger-token",
    text: `SELECT t."id", t."prefix", t."workflowId", w."workspaceId", t."lastUsedAt"
           FROM "TriggerToken" t JOIN "Workflow" w ON w."id" = t."workflowId"
           WHERE t."tokenHash" = $1 AND t."revokedAt" IS NULL`,
    values: [hashToken(token)],
  });
  const row = rows[0];
  if (!row) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    void getPool()
      .query({ name: "touch-trigger-token", text: `UPDATE "TriggerToken" SET "lastUsedAt" = $2 WHERE "id" = $1`, values: [row.id, now.toISOString()] })
      .catch(() => undefined);
  }
  return { id: row.id, prefix: row.prefix, workflowId: row.workflowId, workspaceId: row.workspaceId };
}
