import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Db } from "../db";
import { NotFoundError } from "../errors";
import { newId } from "../ids";

/**
 * Trigger tokens are shown once and stored as sha256 hashes: a leaked database does not
 * leak working tokens. Tokens are long random strings, so a fast hash is the right tool.
 */
const TOKEN_PREFIX = "aft_";

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export async function createTriggerToken(db: Db, workflowId: string) {
  const workflow = await db.workflow.findUnique({ where: { id: workflowId }, select: { id: true } });
  if (!workflow) throw new NotFoundError(`Workflow ${workflowId}`);
  const token = `${TOKEN_PREFIX}${randomBytes(24).toString("base64url")}`;
  const prefix = token.slice(0, 10);
  const row = await db.triggerToken.create({
    data: { id: newId("tok"), workflowId, tokenHash: hashToken(token), prefix },
    select: { id: true },
  });
  return { id: row.id, token, prefix };
}

export async function revokeTriggerToken(db: Db, tokenId: string) {
  const updated = await db.triggerToken.updateMany({ where: { id: tokenId, revokedAt: null }, data: { revokedAt: new Date() } });
  if (updated.count === 0) throw new NotFoundError(`Token ${tokenId}`);
  return { ok: true as const };
}

/** True when `token` is a live token of this workflow. Records its use. */
export async function verifyTriggerToken(db: Db, workflowId: string, token: string): Promise<boolean> {
  const hash = hashToken(token);
  const row = await db.triggerToken.findUnique({ where: { tokenHash: hash }, select: { id: true, workflowId: true, revokedAt: true, tokenHash: true } });
  if (!row || row.revokedAt || row.workflowId !== workflowId) return false;
  if (!timingSafeEqual(Buffer.from(row.tokenHash), Buffer.from(hash))) return false;
  await db.triggerToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  return true;
}
