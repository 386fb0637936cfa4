import type { Db } from "../db";
import { NotFoundError, UserInputError } from "../errors";
import { newId } from "../ids";
import { appSecret } from "../auth/app-secrets";
import type { WorkspaceAccess } from "../auth/access";
import { recordAudit } from "../audit/audit";
import { decryptSecret, encryptSecret } from "./cipher";
import { credentialSecretSchema, maskedPreview, type CredentialPreview, type CredentialSecret } from "./credential-kinds";
import { CREDENTIAL_NAME } from "./templates";

/**
 * Credentials in Postgres: the secret sealed with AES-256-GCM under the vault key, bound to
 * its row (the AAD is workspace and credential id, so a ciphertext copied elsewhere does not
 * open). What leaves this module towards a client is the name, kind, preview and hosts —
 * never the value. Only the worker calls `openCredentials`, at tool-call time.
 */
export const CREDENTIAL_NAME_PATTERN = CREDENTIAL_NAME;

function aad(workspaceId: string, credentialId: string): string {
  return `credential:${workspaceId}:${credentialId}`;
}

function seal(workspaceId: string, credentialId: string, secret: CredentialSecret): string {
  return encryptSecret(appSecret("credentials:v1"), JSON.stringify(secret), aad(workspaceId, credentialId));
}

function parsePreview(text: string, kind: string): CredentialPreview {
  try {
    return JSON.parse(text) as CredentialPreview;
  } catch {
    return { kind: kind as CredentialPreview["kind"] };
  }
}

export async function listCredentials(db: Db, workspaceId: string) {
  const rows = await db.credential.findMany({
    where: { workspaceId },
    orderBy: { name: "asc" },
    select: { id: true, name: true, kind: true, preview: true, allowedHosts: true, createdAt: true, updatedAt: true },
  });
  return rows.map(({ preview, ...row }) => ({ ...row, preview: parsePreview(preview, row.kind) }));
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && "code" in error && error.code === "P2002";
}

export async function createCredential(db: Db, access: WorkspaceAccess, params: { name: string; secret: CredentialSecret; allowedHosts: string[] }) {
  const id = newId("cred");
  try {
    await db.$transaction(async (tx) => {
      await tx.credential.create({
        data: {
          id,
          workspaceId: access.workspaceId,
          name: params.name,
          kind: params.secret.kind,
          sealed: seal(access.workspaceId, id, params.secret),
          preview: JSON.stringify(maskedPreview(params.secret)),
          allowedHosts: params.allowedHosts,
          createdById: access.actor.kind === "user" ? access.actor.id : null,
        },
      });
      await recordAudit(tx, access, "credential.created", { kind: "credential", id, name: params.name }, { kind: params.secret.kind, allowedHosts: params.allowedHosts });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new UserInputError(`A credential named "${params.name}" already exists`, "name");
    throw error;
  }
  return { id, name: params.name };
}

/** Rotates the secret and/or changes its hosts; workflows refer by name, so none needs an edit. */
export async function updateCredential(db: Db, access: WorkspaceAccess, params: { id: string; secret?: CredentialSecret; allowedHosts?: string[] }) {
  const row = await db.credential.findFirst({ where: { id: params.id, workspaceId: access.workspaceId }, select: { id: true, name: true } });
  if (!row) throw new NotFoundError(`Credential ${params.id}`);
  await db.$transaction(async (tx) => {
    await tx.credential.update({
      where: { id: row.id },
      data: {
        ...(params.secret
          ? { kind: params.secret.kind, sealed: seal(access.workspaceId, row.id, params.secret), preview: JSON.stringify(maskedPreview(params.secret)) }
          : {}),
        ...(params.allowedHosts ? { allowedHosts: params.allowedHosts } : {}),
      },
    });
    await recordAudit(tx, access, "credential.updated", { kind: "credential", id: row.id, name: row.name }, {
      rotated: params.secret !== undefined,
      ...(params.allowedHosts ? { allowedHosts: params.allowedHosts } : {}),
    });
  });
  return { ok: true as const };
}

export async function deleteCredential(db: Db, access: WorkspaceAccess, id: string) {
  const row = await db.credential.findFirst({ where: { id, workspaceId: access.workspaceId }, select: { id: true, name: true } });
  if (!row) throw new NotFoundError(`Credential ${id}`);
  await db.$transaction(async (tx) => {
    await tx.credential.delete({ where: { id: row.id } });
    await recordAudit(tx, access, "credential.deleted", { kind: "credential", id: row.id, name: row.name });
  });
  return { ok: true as const };
}

export type ResolvedCredential = { name: string; secret: CredentialSecret; allowedHosts: string[] };

export type OpenedCredentials = {
  found: Map<string, ResolvedCredential>;
  /** Names whose row exists but could not be opened (another vault key, a damaged row). */
  unreadable: string[];
};

/**
 * Worker only: the decrypted credentials of a workspace by name, for one tool call (missing
 * names are absent). One credential that cannot be opened must not hide the others and must
 * not end the job. No error of decryption or parsing
 * escapes: such a message could quote decrypted text, so the credential is only named.
 */
export async function openCredentials(db: Db, workspaceId: string, names: readonly string[]): Promise<OpenedCredentials> {
  const opened: OpenedCredentials = { found: new Map(), unreadable: [] };
  if (names.length === 0) return opened;
  const rows = await db.credential.findMany({ where: { workspaceId, name: { in: [...new Set(names)] } }, select: { id: true, name: true, sealed: true, allowedHosts: true } });
  for (const row of rows) {
    try {
      const secret = credentialSecretSchema.parse(JSON.parse(decryptSecret(appSecret("credentials:v1"), row.sealed, aad(workspaceId, row.id))));
      opened.found.set(row.name, { name: row.name, secret, allowedHosts: row.allowedHosts });
    } catch {
      opened.unreadable.push(row.name);
    }
  }
  return opened;
}
