import { getPool, type Db } from "../db";
import { NotFoundError } from "../errors";
import { newId } from "../ids";
import type { WorkspaceAccess } from "./access";
import { isApiKeyScope, type ApiKeyScope } from "./roles";
import { hashToken, mintToken } from "./secret-tokens";
import { recordAudit } from "../audit/audit";
import { invalidateEverywhere, processCache } from "../ops/process-cache";
import { noteCredentialUse } from "./note-credential-use";

/**
 * Live keys by token hash, so that a busy caller costs no Postgres read per request. A revoke
 * empties it in every process at once (server/ops/process-cache.ts says how that holds); unknown
 * or revoked tokens are never cached, so they always read Postgres.
 */
const API_KEYS_CACHE = "api-keys";
const liveKeys = processCache<ApiKeyRow>(API_KEYS_CACHE, { ttlMs: 10_000, maxEntries: 10_000 });

export async function listApiKeys(db: Db, workspaceId: string) {
  return db.apiKey.findMany({
    where: { workspaceId, revokedAt: null },
    orderBy: { createdAt: "desc" },
    select: { id: true, name: true, scopes: true, prefix: true, createdAt: true, lastUsedAt: true },
  });
}

/** The key is returned once, here; only its hash is kept. */
export async function createApiKey(db: Db, access: WorkspaceAccess, params: { name: string; scopes: ApiKeyScope[] }) {
  const { token, hash, prefix } = mintToken("api_key");
  const id = newId("key");
  await db.$transaction(async (tx) => {
    await tx.apiKey.create({
      data: { id, workspaceId: access.workspaceId, name: params.name, scopes: params.scopes, tokenHash: hash, prefix, createdById: access.actor.kind === "user" ? access.actor.id : null },
    });
    await recordAudit(tx, access, "api_key.created", { kind: "api_key", id, name: params.name }, { scopes: params.scopes });
  });
  return { id, name: params.name, scopes: params.scopes, prefix, token };
}

export async function revokeApiKey(db: Db, access: WorkspaceAccess, keyId: string) {
  const key = await db.apiKey.findFirst({ where: { id: keyId, workspaceId: access.workspaceId, revokedAt: null }, select: { id: true, name: true } });
  if (!key) throw new NotFoundError(`API key ${keyId}`);
  await db.$transaction(async (tx) => {
    await tx.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
    await recordAudit(tx, access, "api_key.revoked", { kind: "api_key", id: key.id, name: key.name });
  });
  await invalidateEverywhere(API_KEYS_CACHE);
  return { ok: true as const };
}

type ApiKeyRow = { id: string; workspaceId: string; name: string; scopes: string[]; lastUsedAt: Date | null };

/**
 * The live key with this token, or null. On every API call: from this process's cache of live
 * keys when it holds the token, else one prepared statement on the pool rather than Prisma's
 * query layer (see server/db.ts); lastUsedAt is written at most once a minute, without waiting.
 */
export async function verifyApiKey(token: string, now = new Date()) {
  const tokenHash = hashToken(token);
  const key = await liveKeys.getOrLoad(tokenHash, async () => {
    const { rows } = await getPool().query<ApiKeyRow>({
      name: "verify-api-key",
      text: `SELECT "id", "workspaceId", "name", "scopes", "lastUsedAt" FROM "ApiKey" WHERE "tokenHash" = $1 AND "revokedAt" IS NULL`,
      values: [tokenHash],
    });
    return rows[0];
  });
  if (!key) return null;
  noteCredentialUse("ApiKey", key, now);
  return { id: key.id, workspaceId: key.workspaceId, name: key.name, scopes: key.scopes.filter(isApiKeyScope) };
}
