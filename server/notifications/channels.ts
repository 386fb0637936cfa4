import { createHash } from "node:crypto";
import { newId } from "../ids";
import { z } from "zod";
import type { Db } from "../db";
import { getEnv } from "../env";
import { NotFoundError, UserInputError } from "../errors";
import type { WorkspaceAccess } from "../auth/access";
import { ROLES, type Role } from "../auth/roles";
import { recordAudit } from "../audit/audit";
import { appSecret } from "../auth/app-secrets";
import { decryptSecret, encryptSecret } from "../vault/cipher";
import { deriveKey } from "../vault/master-key";
import { vetUrl, type HttpPolicy } from "../tools/http-request";
import { newSigningSecret } from "./signature";

/**
 * Notification channels of a workspace. A webhook's URL and signing secret and a Slack
 * incoming-webhook URL (itself a bearer credential) are sealed like vault credentials, bound
 * to the row; the UI gets `target`, a masked form. The signing secret leaves this module once,
 * in the answer to `createChannel`.
 */
export const CHANNEL_KINDS = ["webhook", "slack", "email"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** Roles a notice can be addressed to: those who can act on a task, and up. */
export const NOTIFY_ROLES = ["operator", "editor", "admin", "owner"] as const satisfies readonly Role[];

const name = z.string().trim().min(1, "Name is required").max(80);
const url = z
  .string()
  .trim()
  .max(2_000, "is too long for a URL")
  .url("is not a URL")
  .refine((text) => /^https?:\/\//i.test(text), "must start with https:// or http://");
const address = z.string().trim().toLowerCase().max(254).email("Enter an email address");

export const channelInputSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("webhook"), name, url }),
  z.object({ kind: z.literal("slack"), name, url }),
  z.object({
    kind: z.literal("email"),
    name,
    recipients: z.discriminatedUnion("mode", [
      z.object({ mode: z.literal("role"), minRole: z.enum(NOTIFY_ROLES) }),
      z.object({ mode: z.literal("addresses"), addresses: z.array(address).min(1, "Add at least one address").max(20, "At most 20 addresses") }),
    ]),
  }),
]);
export type ChannelInput = z.infer<typeof channelInputSchema>;

/** What the worker needs to deliver: the opened secrets, never sent to a client. */
export type OpenedChannel =
  | { kind: "webhook"; url: string; signingSecret: string }
  | { kind: "slack"; url: string }
  | { kind: "email"; minRole: Role | null; addresses: string[] };

type Sealed = { url: string; signingSecret?: string };

export function newChannelId(): string {
  return newId("nch");
}

/** One delivery per channel, task and event: derived, so enqueueing it twice is one delivery. */
export function deliveryIdFor(channelId: string, taskId: string, event: string): string {
  return `ndl_${createHash("sha256").update(`${channelId}\n${taskId}\n${event}`).digest("base64url").slice(0, 22)}`;
}

/** An alert firing's one delivery: derived from its AlertLog id, so enqueueing it twice is one delivery and one job. */
export function alertDeliveryId(alertLogId: string): string {
  return `ndl_${alertLogId}`;
}

export function newTestDeliveryId(): string {
  return newId("ndl");
}

/** The vault's credentials key, narrowed to this use, so a channel's ciphertext is never a credential's. */
function channelKey(): Buffer {
  return deriveKey(appSecret("credentials:v1"), "notification-channels:v1");
}

function aad(workspaceId: string, channelId: string): string {
  return `notification-channel:${workspaceId}:${channelId}`;
}

function seal(workspaceId: string, channelId: string, value: Sealed): string {
  return encryptSecret(channelKey(), JSON.stringify(value), aad(workspaceId, channelId));
}

const sealedSchema = z.object({ url: z.string(), signingSecret: z.string().optional() });

/** Throws VaultDecryptError (or a parse error naming no value) when the row cannot be opened. */
export function openChannel(row: { id: string; workspaceId: string; kind: string; sealed: string | null; emailMinRole: string | null; emailAddresses: string[] }): OpenedChannel {
  if (row.kind === "email") {
    const minRole = (ROLES as readonly string[]).includes(row.emailMinRole ?? "") ? (row.emailMinRole as Role) : null;
    return { kind: "email", minRole, addresses: row.emailAddresses };
  }
  if (!row.sealed) throw new Error(`channel ${row.id} has no destination`);
  const parsed = sealedSchema.safeParse(JSON.parse(decryptSecret(channelKey(), row.sealed, aad(row.workspaceId, row.id))));
  if (!parsed.success) throw new Error(`channel ${row.id}: its sealed settings are not in the expected form`);
  if (row.kind === "webhook") {
    if (!parsed.data.signingSecret) throw new Error(`channel ${row.id}: its signing secret is missing`);
    return { kind: "webhook", url: parsed.data.url, signingSecret: parsed.data.signingSecret };
  }
  return { kind: "slack", url: parsed.data.url };
}

function list(text: string): string[] {
  return text
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/**
 * Outbound notifications follow the http_request tool's address rule: public hosts only.
 * HTTP_ALLOW_PRIVATE_HOSTS (empty in production) is the one exemption, so tests can receive
 * on loopback. HTTP_ALLOWLIST is the agent tool's list and does not apply to channels an
 * admin configured.
 */
export function notificationHttpPolicy(): HttpPolicy {
  return { allowPrivateHosts: list(getEnv().HTTP_ALLOW_PRIVATE_HOSTS) };
}

/** The part of a URL the UI shows: scheme and host, the path masked (it often holds a token). */
export function maskedUrl(text: string): string {
  const parsed = new URL(text);
  const hasMore = parsed.pathname.length > 1 || parsed.search !== "";
  return `${parsed.origin}${hasMore ? "/…" : ""}`;
}

function recipientsTarget(input: Extract<ChannelInput, { kind: "email" }>["recipients"]): string {
  return input.mode === "role" ? `Members with role ${input.minRole} or above` : input.addresses.join(", ");
}

async function refuseUnreachable(urlText: string): Promise<void> {
  // Refused now with the reason, rather than accepted and failing on every delivery. A name
  // that does not resolve today is allowed: DNS may be fixed before the first task waits.
  const vetted = await vetUrl(new URL(urlText), notificationHttpPolicy());
  if (!vetted.ok && vetted.error.startsWith("blocked: ")) {
    throw new UserInputError(`refused: ${vetted.error.slice("blocked: ".length)} (notifications go to public hosts only)`, "url");
  }
}

export type CreatedChannel = { id: string; name: string; kind: ChannelKind; target: string; signingSecret: string | null };

export async function createChannel(db: Db, access: WorkspaceAccess, input: ChannelInput): Promise<CreatedChannel> {
  const id = newChannelId();
  let sealed: string | null = null;
  let target: string;
  let signingSecret: string | null = null;
  if (input.kind === "email") {
    target = recipientsTarget(input.recipients);
  } else {
    await refuseUnreachable(input.url);
    if (input.kind === "webhook") signingSecret = newSigningSecret();
    sealed = seal(access.workspaceId, id, { url: input.url, ...(signingSecret ? { signingSecret } : {}) });
    target = maskedUrl(input.url);
  }
  await db.$transaction(async (tx) => {
    await tx.notificationChannel.create({
      data: {
        id,
        workspaceId: access.workspaceId,
        kind: input.kind,
        name: input.name,
        sealed,
        target,
        emailMinRole: input.kind === "email" && input.recipients.mode === "role" ? input.recipients.minRole : null,
        emailAddresses: input.kind === "email" && input.recipients.mode === "addresses" ? input.recipients.addresses : [],
        createdById: access.actor.kind === "user" ? access.actor.id : null,
      },
    });
    await recordAudit(tx, access, "notification_channel.created", { kind: "notification_channel", id, name: input.name }, { channelKind: input.kind, target });
  });
  return { id, name: input.name, kind: input.kind, target, signingSecret };
}

export async function listChannels(db: Db, workspaceId: string) {
  const rows = await db.notificationChannel.findMany({
    where: { workspaceId },
    orderBy: { createdAt: "asc" },
    select: { id: true, kind: true, name: true, target: true, enabled: true, emailMinRole: true, emailAddresses: true, createdAt: true },
  });
  return rows.map((row) => ({ ...row, kind: row.kind as ChannelKind }));
}

export async function findChannel(db: Db, workspaceId: string, id: string) {
  const row = await db.notificationChannel.findFirst({ where: { id, workspaceId }, select: { id: true, name: true, enabled: true } });
  // Another workspace's channel reads exactly like a missing one.
  if (!row) throw new NotFoundError(`Notification channel ${id}`);
  return row;
}

export async function setChannelEnabled(db: Db, access: WorkspaceAccess, id: string, enabled: boolean) {
  const row = await findChannel(db, access.workspaceId, id);
  if (row.enabled !== enabled) {
    await db.$transaction(async (tx) => {
      await tx.notificationChannel.update({ where: { id: row.id }, data: { enabled } });
      await recordAudit(tx, access, "notification_channel.updated", { kind: "notification_channel", id: row.id, name: row.name }, { enabled });
    });
  }
  return { id: row.id, enabled };
}

export async function deleteChannel(db: Db, access: WorkspaceAccess, id: string) {
  const row = await findChannel(db, access.workspaceId, id);
  await db.$transaction(async (tx) => {
    // Its delivery log goes with it (ON DELETE CASCADE); queued jobs find no channel and stop.
    await tx.notificationChannel.delete({ where: { id: row.id } });
    await recordAudit(tx, access, "notification_channel.deleted", { kind: "notification_channel", id: row.id, name: row.name });
  });
  return { ok: true as const };
}
