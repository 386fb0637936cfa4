import { z } from "zod";
import type { Db } from "../db";
import { TERMINAL_RUN_STATUSES } from "../engine/events";
import type { WorkspaceAccess } from "../auth/access";
import { recordAudit } from "../audit/audit";
import { appSecret } from "../auth/app-secrets";
import { NotFoundError, UserInputError } from "../errors";
import { newId } from "../ids";
import { maskedUrl, notificationHttpPolicy } from "../notifications/channels";
import { newSigningSecret } from "../notifications/signature";
import { vetUrl } from "../tools/http-request";
import { decryptSecret, encryptSecret } from "../vault/cipher";
import { deriveKey } from "../vault/master-key";
import { enqueueRunCallbacks } from "./queue";

/**
 * Run-finished callbacks of a workflow: its own URL (optional) and the signing secret every
 * callback of its runs is signed with — a per-request `callbackUrl` too. The secret is sealed
 * with the vault key, bound to the workflow, and leaves this module once (when made or rotated).
 */
export const callbackUrlSchema = z
  .string()
  .trim()
  .max(2_000, "is too long for a URL")
  .url("is not a URL")
  .refine((text) => /^https?:\/\//i.test(text), "must start with https:// or http://");

/** The vault's credentials key narrowed to this use, so a callback secret's ciphertext is never a credential's. */
function callbackKey(): Buffer {
  return deriveKey(appSecret("credentials:v1"), "run-callbacks:v1");
}

function aad(workspaceId: string, workflowId: string): string {
  return `workflow-callback:${workspaceId}:${workflowId}`;
}

export function openSigningSecret(row: { workspaceId: string; workflowId: string; sealedSecret: string }): string {
  return decryptSecret(callbackKey(), row.sealedSecret, aad(row.workspaceId, row.workflowId));
}

/**
 * Callbacks follow the http_request tool's address rule: public hosts only
 * (HTTP_ALLOW_PRIVATE_HOSTS is the tests' exemption). Checked when the URL is given, and again
 * on every attempt (a name may resolve elsewhere later). `field` names the input in the error.
 */
export async function vetCallbackUrl(url: string, field = "callbackUrl"): Promise<string> {
  const parsed = callbackUrlSchema.safeParse(url);
  if (!parsed.success) throw new UserInputError(`${field} ${parsed.error.issues[0]?.message ?? "is not a URL"}`, field);
  const vetted = await vetUrl(new URL(parsed.data), notificationHttpPolicy());
  // A name that does not resolve today is allowed: DNS may be fixed before the run ends.
  if (!vetted.ok && vetted.error.startsWith("blocked: ")) {
    throw new UserInputError(`${field} refused: ${vetted.error.slice("blocked: ".length)} (callbacks go to public hosts only)`, field);
  }
  return parsed.data;
}

async function findWorkflow(db: Db, workspaceId: string, workflowId: string) {
  const workflow = await db.workflow.findFirst({ where: { id: workflowId, workspaceId }, select: { id: true, name: true } });
  if (!workflow) throw new NotFoundError(`Workflow ${workflowId}`);
  return workflow;
}

export async function getCallbackSettings(db: Db, workspaceId: string, workflowId: string) {
  await findWorkflow(db, workspaceId, workflowId);
  const row = await db.workflowCallback.findUnique({ where: { workflowId }, select: { url: true, secretPrefix: true, updatedAt: true, workspaceId: true } });
  if (!row || row.workspaceId !== workspaceId) return { url: null, secretPrefix: null, updatedAt: null };
  return { url: row.url, secretPrefix: row.secretPrefix, updatedAt: row.updatedAt };
}

export type CallbackSecretAnswer = { url: string | null; secretPrefix: string; /** Only when made or rotated by this call. */ signingSecret: string | null };

function secretPrefixOf(secret: string): string {
  return `${secret.slice(0, 12)}…`;
}

/**
 * Sets (or clears, with null) the workflow's callback URL. The first call makes the signing
 * secret and returns it — the only time it is shown.
 */
export async function setWorkflowCallback(db: Db, access: WorkspaceAccess, workflowId: string, url: string | null): Promise<CallbackSecretAnswer> {
  const workflow = await findWorkflow(db, access.workspaceId, workflowId);
  const vetted = url === null || url.trim() === "" ? null : await vetCallbackUrl(url, "url");
  const existing = await db.workflowCallback.findUnique({ where: { workflowId: workflow.id }, select: { secretPrefix: true } });
  const signingSecret = existing ? null : newSigningSecret();
  const secretPrefix = existing?.secretPrefix ?? secretPrefixOf(signingSecret ?? "");
  await db.$transaction(async (tx) => {
    if (existing) {
      await tx.workflowCallback.update({ where: { workflowId: workflow.id }, data: { url: vetted } });
    } else {
      await tx.workflowCallback.create({
        data: { workflowId: workflow.id, workspaceId: access.workspaceId, url: vetted, sealedSecret: encryptSecret(callbackKey(), signingSecret ?? "", aad(access.workspaceId, workflow.id)), secretPrefix },
      });
    }
    await recordAudit(tx, access, "workflow.callback_set", { kind: "workflow", id: workflow.id, name: workflow.name }, { url: vetted ? maskedUrl(vetted) : null, secretCreated: signingSecret !== null });
  });
  return { url: vetted, secretPrefix, signingSecret };
}

/** A new signing secret (the old one stops verifying at once), returned this once. */
export async function rotateCallbackSecret(db: Db, access: WorkspaceAccess, workflowId: string): Promise<CallbackSecretAnswer> {
  const workflow = await findWorkflow(db, access.workspaceId, workflowId);
  const existing = await db.workflowCallback.findUnique({ where: { workflowId: workflow.id }, select: { url: true } });
  if (!existing) throw new UserInputError("This workflow has no callback settings yet: save a callback first", "workflowId");
  const signingSecret = newSigningSecret();
  const secretPrefix = secretPrefixOf(signingSecret);
  await db.$transaction(async (tx) => {
    await tx.workflowCallback.update({ where: { workflowId: workflow.id }, data: { sealedSecret: encryptSecret(callbackKey(), signingSecret, aad(access.workspaceId, workflow.id)), secretPrefix } });
    await recordAudit(tx, access, "workflow.callback_secret_rotated", { kind: "workflow", id: workflow.id, name: workflow.name });
  });
  return { url: existing.url, secretPrefix, signingSecret };
}

/**
 * For the REST trigger, BEFORE it starts the run: the `callbackUrl` of the request, vetted, or
 * a UserInputError naming `callbackUrl` (a private address; no signing secret to sign with).
 */
export async function checkRequestCallback(db: Db, workspaceId: string, workflowId: string, url: string): Promise<string> {
  const vetted = await vetCallbackUrl(url, "callbackUrl");
  // Scoped by the caller's workspace: another workspace's workflow reads like one without a secret.
  const settings = await db.workflowCallback.findFirst({ where: { workflowId, workspaceId }, select: { workflowId: true } });
  if (!settings) {
    throw new UserInputError(
      "callbackUrl needs the workflow's callback signing secret, so the receiver can verify what it gets: create it in the editor (Trigger API tab, Run-finished callback) first",
      "callbackUrl",
    );
  }
  return vetted;
}


/**
 * For the REST trigger, AFTER it started the run: stores the request's callback (the outbox
 * row). The commit that ends the run marks it pending; a run that already ended (a fast
 * workflow) is marked here. `url` must come from checkRequestCallback.
 */
export async function recordRunCallback(db: Db, runId: string, url: string): Promise<{ callbackId: string }> {
  const run = await db.run.findUnique({ where: { id: runId }, select: { id: true, workspaceId: true } });
  if (!run) throw new NotFoundError(`Run ${runId}`);
  const id = newId("rcb");
  await db.runCallback.create({ data: { id, runId: run.id, workspaceId: run.workspaceId, source: "request", url, status: "waiting" } });
  // The run may have ended before the row existed; the outbox sweep covers the instant between.
  const ended = await db.run.findUnique({ where: { id: runId }, select: { status: true, finishedAt: true } });
  if (ended && (TERMINAL_RUN_STATUSES as readonly string[]).includes(ended.status)) {
    const readyAt = ended.finishedAt ?? new Date();
    const moved = await db.runCallback.updateMany({ where: { id, status: "waiting" }, data: { status: "pending", readyAt } });
    if (moved.count > 0) await enqueueRunCallbacks([{ id, readyAt }]).catch(() => undefined);
  }
  return { callbackId: id };
}
