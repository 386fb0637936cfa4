import type { Db } from "../db";
import { getEnv } from "../env";
import { ROLES, roleRank, type Role } from "../auth/roles";
import { httpRequest } from "../tools/http-request";
import { maskedUrl, notificationHttpPolicy, type OpenedChannel } from "./channels";
import { emailMessage, slackText, webhookBody, type Notice } from "./messages";
import { SIGNATURE_HEADER, signatureHeader } from "./signature";

/**
 * Sends one notice through one channel, once. Retrying is the queue's job; this says whether
 * a retry could help (`permanent: false`: a timeout, a refused connection, a 5xx or 429) or
 * not (a blocked address, a 4xx, no SMTP server configured).
 */
export type DeliveryOutcome =
  | { ok: true; statusCode: number | null; detail: string }
  | { ok: false; statusCode: number | null; error: string; permanent: boolean };

const HTTP_TIMEOUT_MS = 10_000;
const RETRYABLE_4XX = new Set([408, 425, 429]);

export async function sendNotice(db: Pick<Db, "member">, channel: OpenedChannel, notice: Notice, delivery: { id: string }): Promise<DeliveryOutcome> {
  switch (channel.kind) {
    case "webhook": {
      const body = webhookBody(notice);
      const timestamp = Math.floor(Date.now() / 1000);
      return post(channel.url, body, delivery.id, {
        [SIGNATURE_HEADER]: signatureHeader(channel.signingSecret, timestamp, body),
        "AgentFlow-Event": notice.event,
        "AgentFlow-Delivery": delivery.id,
      });
    }
    case "slack":
      return post(channel.url, JSON.stringify({ text: slackText(notice) }), delivery.id, {});
    case "email":
      return mail(db, channel, notice);
  }
}

async function post(url: string, body: string, deliveryId: string, headers: Record<string, string>): Promise<DeliveryOutcome> {
  // Error texts are shown in the delivery log: never the URL's path (a Slack URL's path is its token).
  const masked = safeMasked(url);
  const result = await httpRequest(
    { url, method: "POST", body, timeoutMs: HTTP_TIMEOUT_MS, headers: { "content-type": "application/json", "user-agent": "AgentFlow-Notifications", ...headers } },
    { ...notificationHttpPolicy(), idempotencyKey: deliveryId, maxBodyBytes: 4_096, redactText: (text) => text.split(url).join(masked) },
  );
  if (!result.ok) {
    const permanent = result.error.startsWith("blocked") || result.error.startsWith("invalid URL");
    return { ok: false, statusCode: null, error: result.error, permanent };
  }
  if (result.status >= 200 && result.status < 300) return { ok: true, statusCode: result.status, detail: `HTTP ${result.status}` };
  const answer = result.body.trim().slice(0, 200);
  return {
    ok: false,
    statusCode: result.status,
    error: `HTTP ${result.status}${result.statusText ? ` ${result.statusText}` : ""}${answer ? `: ${answer}` : ""}`,
    permanent: result.status >= 400 && result.status < 500 && !RETRYABLE_4XX.has(result.status),
  };
}

function safeMasked(url: string): string {
  try {
    return maskedUrl(url);
  } catch {
    return "[the channel's URL]";
  }
}

/** Email addresses of the workspace's members whose role is at least `minRole`. */
export async function memberAddresses(db: Pick<Db, "member">, workspaceId: string, minRole: Role): Promise<string[]> {
  const roles = ROLES.filter((role) => roleRank(role) >= roleRank(minRole));
  const members = await db.member.findMany({ where: { workspaceId, role: { in: roles } }, select: { user: { select: { email: true } } }, orderBy: { createdAt: "asc" } });
  return members.map((member) => member.user.email);
}

async function mail(db: Pick<Db, "member">, channel: Extract<OpenedChannel, { kind: "email" }>, notice: Notice): Promise<DeliveryOutcome> {
  const env = getEnv();
  if (!env.SMTP_URL) return { ok: false, statusCode: null, error: "SMTP_URL is not set: email notifications are off", permanent: true };
  // A role rule follows an escalation up the ladder: "members with role ≥ operator" becomes
  // "≥ admin" when the task is escalated to admins. Listed addresses stay as listed.
  const minRole = channel.minRole && notice.event === "task_escalated" && notice.escalatedTo ? notice.escalatedTo : channel.minRole;
  const to = minRole ? await memberAddresses(db, notice.workspace.id, minRole) : channel.addresses;
  if (to.length === 0) return { ok: false, statusCode: null, error: `no member has the role ${minRole ?? "?"} or above`, permanent: true };
  const { subject, text } = emailMessage(notice);
  try {
    // Loaded on the first mail: every worker start would otherwise pay for it (~75 ms of CPU), mail or not.
    const { default: nodemailer } = await import("nodemailer");
    const transport = nodemailer.createTransport({ url: env.SMTP_URL, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
    await transport.sendMail({ from: env.SMTP_FROM, to, subject, text });
    return { ok: true, statusCode: null, detail: `mailed to ${to.length} recipient${to.length === 1 ? "" : "s"}` };
  } catch (error) {
    const responseCode = error && typeof error === "object" && "responseCode" in error && typeof error.responseCode === "number" ? error.responseCode : null;
    // SMTP 5xx is a permanent refusal (unknown mailbox, relaying denied); the rest may pass later.
    return { ok: false, statusCode: responseCode, error: `mail: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300), permanent: responseCode !== null && responseCode >= 500 };
  }
}
