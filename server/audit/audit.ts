import type { Actor, WorkspaceAccess } from "../auth/access";
import type { Db, Prisma } from "../db";
import { newId } from "../ids";
import { toJson } from "../json";

/**
 * The audit trail: who did what to which thing, when and from where. Entries are written
 * next to the change they describe (in the same transaction where there is one) and never
 * updated. Secrets never appear in `details`.
 */
export const AUDIT_ACTIONS = [
  "auth.signed_in",
  "auth.password_changed",
  "workspace.created",
  "workspace.renamed",
  "member.invited",
  "member.invitation_revoked",
  "member.joined",
  "member.role_changed",
  "member.removed",
  "workflow.created",
  "workflow.imported",
  "workflow.edited",
  "workflow.published",
  "workflow.restored",
  "workflow.deleted",
  "workflow.renamed",
  "workflow.duplicated",
  "workflow.tags_changed",
  "trigger_token.created",
  "trigger_token.revoked",
  "api_key.created",
  "api_key.revoked",
  "credential.created",
  "credential.updated",
  "credential.deleted",
  "notification_channel.created",
  "notification_channel.updated",
  "notification_channel.tested",
  "notification_channel.deleted",
  "run.paused",
  "run.resumed",
  "run.cancelled",
  "model_price.set",
  "model_price.deleted",
  "model_provider.created",
  "model_provider.updated",
  "model_provider.deleted",
  "mcp_server.created",
  "mcp_server.updated",
  "mcp_server.deleted",
  "run.rerun",
  "run.retried",
  "run.forked",
  "human_task.approved",
  "human_task.rejected",
  "human_task.answered",
  "human_task.arguments_edited",
  "human_task.content_edited",
  "webhook_secret.created",
  "webhook_secret.rotated",
  "webhook_secret.scheme_changed",
  "webhook_secret.deleted",
  "workflow.schedule_created",
  "workflow.schedule_updated",
  "workflow.schedule_deleted",
  "workflow.callback_set",
  "workflow.callback_secret_rotated",
  "budget.cap_set",
  "budget.override_set",
  "budget.override_ended",
  "budget.workflow_cap_set",
  "budget.workflow_cap_removed",
  "alert_rule.created",
  "alert_rule.updated",
  "alert_rule.deleted",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export type AuditTarget = { kind: string; id: string; name?: string | null };

type AuditWriter = Pick<Db, "auditEntry"> | Prisma.TransactionClient;

export async function recordAudit(
  db: AuditWriter,
  who: { workspaceId: string; actor: Actor; ip?: string | null },
  action: AuditAction,
  target?: AuditTarget,
  details?: Record<string, unknown>,
): Promise<void> {
  const { details: detailsJson, ...row } = auditEntryRow(who, action, target, details);
  await db.auditEntry.create({ data: { ...row, details: detailsJson ?? undefined } });
}

/** An audit entry's row (its time is the database's, or the statement's that writes it). */
export type AuditEntryRow = {
  id: string;
  workspaceId: string;
  actorKind: Actor["kind"];
  actorId: string | null;
  actorName: string;
  action: AuditAction;
  targetKind: string | null;
  targetId: string | null;
  targetName: string | null;
  details: Prisma.InputJsonValue | null;
  ip: string | null;
};

/** The row `recordAudit` writes; also written by SQL of its own (a human's answer, server/runs/commit.ts). */
export function auditEntryRow(
  who: { workspaceId: string; actor: Actor; ip?: string | null },
  action: AuditAction,
  target?: AuditTarget,
  details?: Record<string, unknown>,
): AuditEntryRow {
  const actor = who.actor;
  return {
    id: newId("aud"),
    workspaceId: who.workspaceId,
    actorKind: actor.kind,
    actorId: actor.kind === "system" ? null : actor.id,
    actorName: actor.kind === "user" ? `${actor.name} <${actor.email}>` : actor.name,
    action,
    targetKind: target?.kind ?? null,
    targetId: target?.id ?? null,
    targetName: target?.name ?? null,
    details: details ? toJson(details) : null,
    ip: who.ip ?? null,
  };
}

/** Shorthand for the common case: the request's own access records what it did. */
export function auditFor(access: WorkspaceAccess) {
  return (db: AuditWriter, action: AuditAction, target?: AuditTarget, details?: Record<string, unknown>) =>
    recordAudit(db, access, action, target, details);
}

export type AuditQuery = {
  /** Exact actions, or prefixes ending in "." ("workflow."): entries matching any of them. */
  actions?: string[];
  actorId?: string;
  targetId?: string;
  /** Paging, newest first: entries older than this one (its time and id). */
  before?: { at: Date; id: string };
  limit: number;
};

export async function listAudit(db: Db, workspaceId: string, query: AuditQuery) {
  const rows = await db.auditEntry.findMany({
    where: {
      workspaceId,
      ...(query.actions?.length ? { OR: query.actions.map((action) => ({ action: action.endsWith(".") ? { startsWith: action } : action })) } : {}),
      ...(query.actorId ? { actorId: query.actorId } : {}),
      ...(query.targetId ? { targetId: query.targetId } : {}),
      // (at, id) order, so entries sharing a timestamp at a page's edge are neither lost nor repeated.
      ...(query.before ? { AND: [{ OR: [{ at: { lt: query.before.at } }, { at: query.before.at, id: { lt: query.before.id } }] }] } : {}),
    },
    orderBy: [{ at: "desc" }, { id: "desc" }],
    take: query.limit + 1,
    select: { id: true, at: true, actorKind: true, actorId: true, actorName: true, action: true, targetKind: true, targetId: true, targetName: true, details: true, ip: true },
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { entries: page, nextBefore: rows.length > query.limit && last ? { at: last.at.toISOString(), id: last.id } : null };
}

/** Autosave writes every second; the trail keeps one "edited" entry per person and workflow per 10 minutes. */
const EDIT_COALESCE_MS = 10 * 60_000;

export async function recordWorkflowEdit(db: Db, access: WorkspaceAccess, workflowId: string, name?: string): Promise<void> {
  const actorId = access.actor.kind === "system" ? null : access.actor.id;
  const recent = await db.auditEntry.findFirst({
    where: { workspaceId: access.workspaceId, action: "workflow.edited", targetId: workflowId, actorId, at: { gte: new Date(Date.now() - EDIT_COALESCE_MS) } },
    select: { id: true },
  });
  if (!recent) await recordAudit(db, access, "workflow.edited", { kind: "workflow", id: workflowId, name: name ?? null });
}
