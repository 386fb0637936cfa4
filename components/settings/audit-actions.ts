import type { AuditAction } from "@/server/audit/audit";

/** "Ada published a workflow": the verb phrase after the actor. The type makes every action need one. */
export const ACTION_LABELS: Record<AuditAction, string> = {
  "auth.signed_in": "signed in",
  "auth.password_changed": "changed their password",
  "workspace.created": "created the workspace",
  "workspace.renamed": "renamed the workspace",
  "member.invited": "invited a member",
  "member.invitation_revoked": "revoked an invitation",
  "member.joined": "joined the workspace",
  "member.role_changed": "changed a member's role",
  "member.removed": "removed a member",
  "workflow.created": "created a workflow",
  "workflow.imported": "imported a workflow",
  "workflow.edited": "edited a workflow",
  "workflow.published": "published a workflow",
  "workflow.restored": "restored a workflow version",
  "workflow.deleted": "deleted a workflow",
  "workflow.renamed": "renamed a workflow",
  "workflow.duplicated": "duplicated a workflow",
  "workflow.tags_changed": "changed a workflow's tags",
  "trigger_token.created": "created a trigger token",
  "trigger_token.revoked": "revoked a trigger token",
  "api_key.created": "created an API key",
  "api_key.revoked": "revoked an API key",
  "credential.created": "added a credential",
  "credential.updated": "updated a credential",
  "credential.deleted": "deleted a credential",
  "notification_channel.created": "added a notification channel",
  "notification_channel.updated": "turned a notification channel on or off",
  "notification_channel.tested": "sent a test notification",
  "notification_channel.deleted": "deleted a notification channel",
  "run.paused": "paused a run",
  "run.resumed": "resumed a run",
  "run.cancelled": "cancelled a run",
  "model_price.set": "set a model's price",
  "model_price.deleted": "removed a model's price",
  "model_provider.created": "added a model provider",
  "model_provider.updated": "changed a model provider",
  "model_provider.deleted": "removed a model provider",
  "mcp_server.created": "added an MCP server",
  "mcp_server.updated": "changed an MCP server",
  "mcp_server.deleted": "removed an MCP server",
  "run.rerun": "ran a run again",
  "run.retried": "retried a run from its failed step",
  "run.forked": "forked a run",
  "human_task.approved": "approved a human task",
  "human_task.rejected": "rejected a human task",
  "human_task.answered": "answered a human task",
  "human_task.arguments_edited": "edited a tool call's arguments and approved it",
  "human_task.content_edited": "edited the content under review and approved it",
  "webhook_secret.created": "created a webhook signing secret",
  "webhook_secret.rotated": "rotated a webhook signing secret",
  "webhook_secret.scheme_changed": "changed a webhook's signature scheme",
  "webhook_secret.deleted": "deleted a webhook signing secret",
  "workflow.schedule_created": "added a schedule to a workflow",
  "workflow.schedule_updated": "changed a workflow's schedule",
  "workflow.schedule_deleted": "removed a workflow's schedule",
  "workflow.callback_set": "set a workflow's run-finished callback",
  "workflow.callback_secret_rotated": "rotated a workflow's callback signing secret",
  "budget.cap_set": "set the monthly budget",
  "budget.override_set": "allowed runs over the budget",
  "budget.override_ended": "ended the budget override",
  "budget.workflow_cap_set": "set a workflow's monthly budget",
  "budget.workflow_cap_removed": "removed a workflow's monthly budget",
  "alert_rule.created": "added an alert rule",
  "alert_rule.updated": "changed an alert rule",
  "alert_rule.deleted": "deleted an alert rule",
};

export function actionLabel(action: string, details: unknown): string {
  if (action === "credential.updated" && isRecord(details)) {
    if (details.rotated === true) return "rotated a credential";
    if (Array.isArray(details.allowedHosts)) return "changed a credential's allowed hosts";
  }
  if (action === "notification_channel.updated" && isRecord(details) && typeof details.enabled === "boolean") {
    return details.enabled ? "turned a notification channel on" : "turned a notification channel off";
  }
  return action in ACTION_LABELS ? ACTION_LABELS[action as AuditAction] : action;
}

/**
 * The filter's groups. Each is one or more action prefixes (the API filters by one prefix
 * per call; a group of several is fetched per prefix and merged, see audit-pages.ts).
 */
export const ACTION_GROUPS = [
  { id: "all", label: "All actions", prefixes: [] },
  { id: "auth", label: "Sign-ins", prefixes: ["auth."] },
  { id: "workflow", label: "Workflows", prefixes: ["workflow."] },
  { id: "run", label: "Runs", prefixes: ["run."] },
  { id: "human_task", label: "Human tasks", prefixes: ["human_task."] },
  { id: "member", label: "Members", prefixes: ["member."] },
  { id: "keys", label: "API keys & tokens", prefixes: ["api_key.", "trigger_token.", "webhook_secret."] },
  { id: "credential", label: "Credentials", prefixes: ["credential.", "mcp_server."] },
  { id: "notifications", label: "Notifications", prefixes: ["notification_channel."] },
  { id: "workspace", label: "Workspace", prefixes: ["workspace."] },
] as const satisfies readonly { id: string; label: string; prefixes: readonly string[] }[];

export type ActionGroupId = (typeof ACTION_GROUPS)[number]["id"];

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export const ACTOR_KINDS: Record<string, { label: string; className: string }> = {
  user: { label: "user", className: "bg-slate-100 text-slate-600 ring-slate-200" },
  api_key: { label: "API key", className: "bg-amber-50 text-amber-800 ring-amber-200" },
  trigger_token: { label: "trigger token", className: "bg-violet-50 text-violet-700 ring-violet-200" },
  webhook: { label: "signed webhook", className: "bg-violet-50 text-violet-700 ring-violet-200" },
  system: { label: "system", className: "bg-sky-50 text-sky-700 ring-sky-200" },
};

/** Users are recorded as "Name <email>"; show the name, with the address beneath. */
export function splitActorName(actorName: string): { name: string; email: string | null } {
  const match = /^(.*) <([^<>]+)>$/.exec(actorName);
  return match ? { name: match[1] ?? actorName, email: match[2] ?? null } : { name: actorName, email: null };
}
