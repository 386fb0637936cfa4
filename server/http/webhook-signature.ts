import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Db } from "../db";
import { getPool } from "../db";
import { NotFoundError, PayloadTooLargeError, UserInputError } from "../errors";
import { appSecret } from "../auth/app-secrets";
import type { WorkspaceAccess } from "../auth/access";
import { recordAudit } from "../audit/audit";
import { decryptSecret, encryptSecret } from "../vault/cipher";

/**
 * Signed webhooks, the trigger's second way in (besides a bearer token): a workflow may have one
 * signing secret (sealed with the vault key, shown once) and a scheme saying how senders sign:
 *
 * - `agentflow`: `AgentFlow-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`;
 *   the body is our usual `{ "input": … }`.
 * - `github`: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` plus
 *   `X-GitHub-Delivery` (a unique id per delivery); the whole JSON payload becomes the run's input.
 * - `stripe`: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` (Stripe's own
 *   secret, `whsec_…`, is pasted in: Stripe generates it); the whole event becomes the input.
 *
 * The raw bytes are verified before anything parses them, with a constant-time compare.
 * Timestamped schemes allow 5 minutes of skew either way. Replays are refused: every accepted
 * signature (GitHub: delivery id) is remembered in Postgres until it can no longer pass the
 * timestamp check (GitHub has none: 24 h), so a captured request cannot start a second run.
 */
export const WEBHOOK_SCHEMES = ["agentflow", "github", "stripe"] as const;
export type WebhookScheme = (typeof WEBHOOK_SCHEMES)[number];
export const webhookSchemeSchema = z.enum(WEBHOOK_SCHEMES);

export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;
const GITHUB_REPLAY_WINDOW_MS = 24 * 60 * 60 * 1000;

export const SCHEME_HEADERS: Record<WebhookScheme, string> = {
  agentflow: "AgentFlow-Signature",
  github: "X-Hub-Signature-256",
  stripe: "Stripe-Signature",
};

export type WebhookSecretInfo = { id: string; workflowId: string; workspaceId: string; scheme: WebhookScheme; secret: string };

export type VerifyResult = { ok: true; replayDigest: string; replayExpiresAt: Date } | { ok: false; message: string };

/** The request body as bytes (at most `maxBytes`), exactly as sent: a signature covers these. */
export async function readBodyBytes(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\s*\d+\s*$/.test(declared) && Number(declared) > maxBytes) throw new PayloadTooLargeError(maxBytes);
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new PayloadTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function hmacHex(secret: string, ...parts: (string | Uint8Array)[]): string {
  const mac = createHmac("sha256", secret);
  for (const part of parts) mac.update(part);
  return mac.digest("hex");
}

function sameHex(expected: string, given: string): boolean {
  if (!/^[0-9a-f]{64}$/i.test(given)) return false;
  return timingSafeEqual(Buffer.from(expected, "hex"), Buffer.from(given.toLowerCase(), "hex"));
}

/** `t=…,v1=…[,v1=…]` (ours and Stripe's): the timestamp and every v1 signature. */
function parseTimestamped(header: string): { timestamp: number | null; signatures: string[] } {
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name === "t" && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (name === "v1") signatures.push(value);
  }
  return { timestamp, signatures };
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Checks a request's signature over `body` under the workflow's scheme and secret; the failure
 * message says which check failed. Does not record the replay (see `rememberSignature`).
 */
export function verifyWebhookSignature(scheme: WebhookScheme, secret: string, headers: Headers, body: Uint8Array, nowMs = Date.now()): VerifyResult {
  const headerName = SCHEME_HEADERS[scheme];
  const header = headers.get(headerName);
  if (header === null || header.trim() === "") return { ok: false, message: `no ${headerName} header` };
  if (scheme === "github") {
    const match = /^sha256=([0-9a-fA-F]+)$/.exec(header.trim());
    if (!match?.[1]) return { ok: false, message: `${headerName} must be "sha256=<hex HMAC-SHA256 of the body>"` };
    const delivery = headers.get("x-github-delivery");
    if (!delivery || delivery.length > 200) return { ok: false, message: "no X-GitHub-Delivery header (needed to refuse replays)" };
    if (!sameHex(hmacHex(secret, body), match[1])) return { ok: false, message: "signature does not match" };
    return { ok: true, replayDigest: digest(`github-delivery:${delivery}`), replayExpiresAt: new Date(nowMs + GITHUB_REPLAY_WINDOW_MS) };
  }
  const { timestamp, signatures } = parseTimestamped(header);
  if (timestamp === null || signatures.length === 0) return { ok: false, message: `${headerName} must be "t=<unix seconds>,v1=<hex HMAC-SHA256>"` };
  if (Math.abs(nowMs / 1000 - timestamp) > SIGNATURE_TOLERANCE_SECONDS) {
    return { ok: false, message: "timestamp outside the 5-minute tolerance" };
  }
  const expected = hmacHex(secret, `${timestamp}.`, body);
  const matched = signatures.find((signature) => sameHex(expected, signature));
  if (!matched) return { ok: false, message: "signature does not match" };
  // Past t + tolerance the timestamp check refuses it anyway; remember it until then.
  return { ok: true, replayDigest: digest(`sig:${matched.toLowerCase()}`), replayExpiresAt: new Date((timestamp + SIGNATURE_TOLERANCE_SECONDS + 60) * 1000) };
}

/** Records an accepted signature; false when it was already used (a replay). One statement. */
export async function rememberSignature(workflowId: string, replayDigest: string, expiresAt: Date, now = new Date()): Promise<boolean> {
  const { rowCount } = await getPool().query({
    name: "remember-webhook-signature",
    text: `INSERT INTO "WebhookReplay" ("workflowId", "digest", "expiresAt") VALUES ($1, $2, $3)
           ON CONFLICT ("workflowId", "digest") DO UPDATE SET "expiresAt" = EXCLUDED."expiresAt"
           WHERE "WebhookReplay"."expiresAt" < $4`,
    values: [workflowId, replayDigest, expiresAt.toISOString(), now.toISOString()],
  });
  if (Math.random() < 0.01) {
    void getPool()
      .query(`DELETE FROM "WebhookReplay" WHERE "expiresAt" < $1`, [now.toISOString()])
      .catch(() => undefined);
  }
  return rowCount === 1;
}

/** Forgets an accepted signature whose request was not carried out (429, 5xx), so the sender's retry is not a "replay". */
export async function forgetSignature(workflowId: string, replayDigest: string): Promise<void> {
  await getPool().query({ name: "forget-webhook-signature", text: `DELETE FROM "WebhookReplay" WHERE "workflowId" = $1 AND "digest" = $2`, values: [workflowId, replayDigest] });
}

// ─── The secret: sealed at rest, shown once ─────────────────────────────────────────────

function aad(workspaceId: string, workflowId: string, id: string): string {
  return `webhook-secret:${workspaceId}:${workflowId}:${id}`;
}

function seal(workspaceId: string, workflowId: string, id: string, secret: string): string {
  return encryptSecret(appSecret("credentials:v1"), secret, aad(workspaceId, workflowId, id));
}

function mintSecret(): string {
  return `afwh_${randomBytes(32).toString("base64url")}`;
}

function secretPrefix(secret: string): string {
  return secret.slice(0, secret.startsWith("whsec_") || secret.startsWith("afwh_") ? 10 : 4);
}

/** A pasted secret (Stripe's `whsec_…`): printable, no spaces, long enough to be a secret. */
export const pastedSecretSchema = z
  .string()
  .trim()
  .min(16, "A signing secret has at least 16 characters")
  .max(200)
  .regex(/^[\x21-\x7E]+$/, "A signing secret is printable ASCII without spaces");

type SecretRow = { id: string; workflowId: string; workspaceId: string; scheme: string; sealedSecret: string };

/** The workflow's webhook secret, opened, for verifying a request; null when it has none. One query. */
export async function findWebhookSecret(workflowId: string): Promise<WebhookSecretInfo | null> {
  const { rows } = await getPool().query<SecretRow>({
    name: "find-webhook-secret",
    text: `SELECT s."id", s."workflowId", w."workspaceId", s."scheme", s."sealedSecret"
           FROM "WebhookSecret" s JOIN "Workflow" w ON w."id" = s."workflowId" WHERE s."workflowId" = $1`,
    values: [workflowId],
  });
  const row = rows[0];
  if (!row) return null;
  const scheme = webhookSchemeSchema.safeParse(row.scheme);
  if (!scheme.success) return null;
  const secret = decryptSecret(appSecret("credentials:v1"), row.sealedSecret, aad(row.workspaceId, row.workflowId, row.id));
  return { id: row.id, workflowId: row.workflowId, workspaceId: row.workspaceId, scheme: scheme.data, secret };
}

async function ownedWorkflow(db: Db, access: WorkspaceAccess, workflowId: string) {
  const workflow = await db.workflow.findFirst({ where: { id: workflowId, workspaceId: access.workspaceId }, select: { id: true, name: true } });
  if (!workflow) throw new NotFoundError(`Workflow ${workflowId}`);
  return workflow;
}

/** What the Trigger panel shows: the scheme and the secret's prefix — never the secret. */
export async function getWebhookSettings(db: Db, access: WorkspaceAccess, workflowId: string) {
  await ownedWorkflow(db, access, workflowId);
  const row = await db.webhookSecret.findUnique({ where: { workflowId }, select: { scheme: true, prefix: true, createdAt: true, rotatedAt: true } });
  if (!row) return null;
  return { scheme: webhookSchemeSchema.catch("agentflow").parse(row.scheme), prefix: row.prefix, createdAt: row.createdAt, rotatedAt: row.rotatedAt };
}

function resolveSecret(scheme: WebhookScheme, pasted: string | undefined): string {
  if (pasted) return pasted;
  if (scheme === "stripe") throw new UserInputError("Stripe generates the signing secret: paste the endpoint's whsec_… secret from the Stripe dashboard", "secret");
  return mintSecret();
}

/** Creates (or replaces, as a rotation) the signing secret; returns it — the only time it leaves the server. */
export async function setWebhookSecret(db: Db, access: WorkspaceAccess, params: { workflowId: string; scheme?: WebhookScheme; secret?: string; rotate: boolean }) {
  const workflow = await ownedWorkflow(db, access, params.workflowId);
  const existing = await db.webhookSecret.findUnique({ where: { workflowId: workflow.id }, select: { id: true, scheme: true } });
  if (params.rotate && !existing) throw new NotFoundError(`Webhook secret of workflow ${workflow.id}`);
  if (!params.rotate && existing) throw new UserInputError("This workflow already has a signing secret: rotate or delete it", "workflowId");
  const scheme = params.scheme ?? webhookSchemeSchema.catch("agentflow").parse(existing?.scheme);
  const secret = resolveSecret(scheme, params.secret);
  const id = existing?.id ?? `whs_${randomBytes(12).toString("base64url")}`;
  const prefix = secretPrefix(secret);
  const sealedSecret = seal(access.workspaceId, workflow.id, id, secret);
  await db.$transaction(async (tx) => {
    if (existing) {
      await tx.webhookSecret.update({ where: { id }, data: { scheme, sealedSecret, prefix, rotatedAt: new Date() } });
    } else {
      await tx.webhookSecret.create({
        data: { id, workflowId: workflow.id, scheme, sealedSecret, prefix, createdById: access.actor.kind === "user" ? access.actor.id : null },
      });
    }
    await recordAudit(tx, access, existing ? "webhook_secret.rotated" : "webhook_secret.created", { kind: "webhook_secret", id, name: prefix }, {
      workflowId: workflow.id,
      workflowName: workflow.name,
      scheme,
    });
  });
  return { scheme, prefix, secret };
}

/** Changes how senders sign; the secret stays (a Stripe scheme needs Stripe's own secret: rotate with it). */
export async function setWebhookScheme(db: Db, access: WorkspaceAccess, workflowId: string, scheme: WebhookScheme) {
  await ownedWorkflow(db, access, workflowId);
  const existing = await db.webhookSecret.findUnique({ where: { workflowId }, select: { id: true, prefix: true, scheme: true } });
  if (!existing) throw new NotFoundError(`Webhook secret of workflow ${workflowId}`);
  await db.$transaction(async (tx) => {
    await tx.webhookSecret.update({ where: { id: existing.id }, data: { scheme } });
    await recordAudit(tx, access, "webhook_secret.scheme_changed", { kind: "webhook_secret", id: existing.id, name: existing.prefix }, { workflowId, from: existing.scheme, scheme });
  });
  return { scheme };
}

export async function deleteWebhookSecret(db: Db, access: WorkspaceAccess, workflowId: string) {
  const workflow = await ownedWorkflow(db, access, workflowId);
  const existing = await db.webhookSecret.findUnique({ where: { workflowId }, select: { id: true, prefix: true } });
  if (!existing) throw new NotFoundError(`Webhook secret of workflow ${workflowId}`);
  await db.$transaction(async (tx) => {
    await tx.webhookSecret.delete({ where: { id: existing.id } });
    await recordAudit(tx, access, "webhook_secret.deleted", { kind: "webhook_secret", id: existing.id, name: existing.prefix }, { workflowId, workflowName: workflow.name });
  });
  return { ok: true as const };
}
