import { getPool, type Db } from "../db";
import { NotFoundError } from "../errors";
import { newId } from "../ids";
import type { WorkspaceAccess } from "../auth/access";
import { hashToken, mintToken } from "../auth/secret-tokens";
import { recordAudit } from "../audit/audit";
import { invalidateEverywhere, processCache } from "../ops/process-cache";
import { noteCredentialUse } from "../auth/note-credential-use";

// A trigger token starts runs of its one workflow over REST and follows those runs. It is
// shown once and stored as a sha256 hash (see server/auth/secret-tokens.ts).

/**
 * Live tokens by hash, as API keys are cached (server/auth/api-keys.ts): a system calling the
 * trigger with its token costs no Postgres read per request. A revoke, or the workflow's delete
 * (which takes its tokens with it), empties it in every process; unknown or revoked tokens are
 * never cached.
 */
const TRIGGER_TOKENS_CACHE = "trigger-tokens";
const liveTokens = processCache<TokenRow>(TRIGGER_TOKENS_CACHE, { ttlMs: 10_000, maxEntries: 10_000 });

/** Every process stops accepting trigger tokens it cached (a revoke, a deleted workflow). */
export async function forgetTriggerTokens(): Promise<void> {
  await invalidateEverywhere(TRIGGER_TOKENS_CACHE);
}

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
  await forgetTriggerTokens();
  return { ok: true as const };
}

type TokenRow = { id: string; prefix: string; workflowId: string; workspaceId: string; lastUsedAt: Date | null };

/**
 * The live trigger token with this value, with its workflow and workspace; or null. On the
 * REST trigger's hot path: from this process's cache when it holds the token, else one
 * prepared statement; lastUsedAt written at most once a minute and not waited for.
 */
export async function verifyTriggerToken(token: string, now = new Date()) {
  const tokenHash = hashToken(token);
  const row = await liveTokens.getOrLoad(tokenHash, async () => {
    const { rows } = await getPool().query<TokenRow>({
      name: "verify-trigger-token",
      text: `SELECT t."id", t."prefix", t."workflowId", w."workspaceId", t."lastUsedAt"
             FROM "TriggerToken" t JOIN "Workflow" w ON w."id" = t."workflowId"
             WHERE t."tokenHash" = $1 AND t."revokedAt" IS NULL`,
      values: [tokenHash],
    });
    return rows[0];
  });
  if (!row) return null;
  noteCredentialUse("TriggerToken", row, now);
  return { id: row.id, prefix: row.prefix, workflowId: row.workflowId, workspaceId: row.workspaceId };
}
