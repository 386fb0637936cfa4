/**
 * A valid input per tRPC procedure, for the fuzz test to mutate (the same shapes as the
 * SAMPLES of tests/access-matrix.test.ts, which cannot be imported: that file registers its
 * own tests). Ids come from the fuzz test's fixtures. A procedure missing here is still fuzzed
 * (with arbitrary input only) and listed in the test's output.
 */
import { approvalGraph } from "./graphs";

export type FuzzFixtures = {
  workspaceId: string;
  workflowId: string;
  simpleWorkflowId: string;
  victimWorkflowId: string;
  versionId: string;
  runId: string;
  credentialId: string;
  channelId: string;
  providerId: string;
  mcpServerId: string;
  viewerMemberId: string;
  invitationId: string;
  apiKeyId: string;
  triggerTokenId: string;
  scheduleId: string;
  taskId: string;
  revokedInviteToken: string;
};

export function fuzzSamples(f: FuzzFixtures): Record<string, unknown> {
  const schedule = { name: "fuzz schedule", cron: "0 9 * * 1-5", timeZone: "Europe/Paris", enabled: false, input: null, missedPolicy: "skip" };
  return {
    "setup.status": undefined,
    "setup.createOwner": { name: "Late owner", email: "late-owner@agentflow.test", password: "a long password" },
    "account.me": undefined,
    "account.switchWorkspace": { workspaceId: f.workspaceId },
    "account.createWorkspace": { name: "Another workspace" },
    "account.renameWorkspace": { name: "Fuzz workspace" },
    "account.changePassword": { currentPassword: "not the password", newPassword: "a new long password" },
    "members.list": undefined,
    "members.changeRole": { memberId: f.viewerMemberId, role: "viewer" },
    "members.remove": { memberId: f.viewerMemberId },
    "invitations.list": undefined,
    "invitations.create": { role: "viewer" },
    "invitations.revoke": { invitationId: f.invitationId },
    "invitations.describe": { token: f.revokedInviteToken },
    "invitations.accept": { token: f.revokedInviteToken },
    "invitations.acceptWithNewAccount": { token: f.revokedInviteToken, name: "New person", email: "new@agentflow.test", password: "a long password" },
    "apiKeys.list": undefined,
    "apiKeys.create": { name: "fuzz key", scopes: ["read"] },
    "apiKeys.revoke": { keyId: f.apiKeyId },
    "credentials.list": undefined,
    "credentials.create": { name: "fuzzcred2", secret: { kind: "secret", value: "fuzz secret value 123" } },
    "credentials.update": { id: f.credentialId, allowedHosts: ["api.example.com"] },
    "credentials.delete": { id: f.credentialId },
    "audit.list": {},
    "workflow.list": undefined,
    "workflow.create": { name: "fuzz created" },
    "workflow.get": { id: f.workflowId },
    "workflow.saveDraft": { id: f.victimWorkflowId, graph: approvalGraph(), baseRevision: 0 },
    "workflow.templates": undefined,
    "workflow.createFromTemplate": { templateId: "approval-gate" },
    "workflow.presets": undefined,
    "workflow.export": { id: f.workflowId },
    "workflow.import": { fileText: JSON.stringify({ format: "agentflow.workflow", name: "imported", graph: approvalGraph() }) },
    "workflow.publish": { id: f.workflowId },
    "workflow.versions": { id: f.workflowId },
    "workflow.releaseState": { id: f.workflowId },
    "workflow.version": { versionId: f.versionId },
    "workflow.restoreVersion": { id: f.workflowId, versionId: f.versionId, baseRevision: 0 },
    "workflow.delete": { id: f.victimWorkflowId },
    "workflow.tags": undefined,
    "workflow.rename": { id: f.victimWorkflowId, name: "fuzz renamed" },
    "workflow.duplicate": { id: f.simpleWorkflowId },
    "workflow.setTags": { id: f.victimWorkflowId, tags: ["fuzz"] },
    "workflow.deleteImpact": { id: f.workflowId },
    "workflow.createTriggerToken": { workflowId: f.workflowId },
    "workflow.revokeTriggerToken": { tokenId: f.triggerTokenId },
    "workflow.lastRunInput": { workflowId: f.workflowId },
    "workflow.webhookSettings": { workflowId: f.workflowId },
    "workflow.createWebhookSecret": { workflowId: f.victimWorkflowId, scheme: "agentflow" },
    "workflow.rotateWebhookSecret": { workflowId: f.victimWorkflowId },
    "workflow.setWebhookScheme": { workflowId: f.victimWorkflowId, scheme: "github" },
    "workflow.deleteWebhookSecret": { workflowId: f.victimWorkflowId },
    "run.start": { workflowId: f.simpleWorkflowId, input: { topic: "fuzz" } },
    "run.list": {},
    "run.get": { runId: f.runId },
    "run.childRuns": { runId: f.runId },
    "run.stats": {},
    "run.opsLive": undefined,
    "run.opsTrends": { sinceHours: 24 },
    "run.pause": { runId: f.runId },
    "run.resume": { runId: f.runId },
    "run.cancel": { runId: f.runId },
    "run.retry": { runId: f.runId },
    "run.rerun": { runId: f.runId, version: "same" },
    "run.fork": { runId: f.runId, atSeq: 1 },
    "human.pending": {},
    "human.pendingCount": undefined,
    "human.respond": { taskId: f.taskId, decision: "reject" },
    "notifications.list": undefined,
    "notifications.create": { kind: "email", name: "fuzz mail", recipients: { mode: "role", minRole: "operator" } },
    "notifications.setEnabled": { id: f.channelId, enabled: false },
    "notifications.sendTest": { id: f.channelId },
    "notifications.delete": { id: f.channelId },
    "notifications.deliveries": {},
    "providers.list": undefined,
    "providers.models": { provider: "fuzz-provider" },
    "providers.create": { name: "fuzz-provider-two", kind: "anthropic", baseUrl: "http://127.0.0.1:9/v1", apiKey: "sk-ant-fuzz" },
    "providers.update": { id: f.providerId, defaultModel: "fuzz-model" },
    "providers.test": { id: f.providerId },
    "providers.delete": { id: f.providerId },
    "mcpServers.list": undefined,
    "mcpServers.toolChoices": undefined,
    "mcpServers.create": { transport: "http", name: "fuzz-mcp-two", url: "http://127.0.0.1:9/mcp", authValue: "Bearer fuzz" },
    "mcpServers.update": { id: f.mcpServerId, callTimeoutSeconds: 20 },
    "mcpServers.refresh": { id: f.mcpServerId },
    "mcpServers.delete": { id: f.mcpServerId },
    "alerts.list": undefined,
    "alerts.create": { kind: "task_waiting", threshold: 60, channelId: null },
    "alerts.update": { id: "alert_fuzz", kind: "daily_cost", threshold: 25, channelId: null, enabled: false },
    "alerts.delete": { id: "alert_fuzz" },
    "budgets.get": undefined,
    "budgets.set": { monthlyCapUsd: null },
    "budgets.setWorkflowCap": { workflowId: f.workflowId, monthlyCapUsd: 1_000_000 },
    "budgets.removeWorkflowCap": { workflowId: f.workflowId },
    "budgets.override": { until: null },
    "budgets.resumePaused": undefined,
    "prices.list": undefined,
    "prices.set": { model: "fuzz-model", inputPerMTok: 1, outputPerMTok: 2 },
    "prices.delete": { id: "price_fuzz" },
    "schedules.list": { workflowId: f.simpleWorkflowId },
    "schedules.preview": { cron: "0 9 * * 1-5", timeZone: "Europe/Paris" },
    "schedules.create": { workflowId: f.victimWorkflowId, ...schedule },
    "schedules.update": { id: f.scheduleId, ...schedule, name: "renamed" },
    "schedules.toggle": { id: f.scheduleId, enabled: false },
    "schedules.delete": { id: f.scheduleId },
    "callbacks.get": { workflowId: f.simpleWorkflowId },
    "callbacks.set": { workflowId: f.victimWorkflowId, url: "https://callbacks.example.com/agentflow" },
    "callbacks.rotateSecret": { workflowId: f.victimWorkflowId },
    "callbacks.runLog": { runId: f.runId },
  };
}
