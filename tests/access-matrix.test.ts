import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitUntil, type Harness } from "./support/harness";
import { createTestApiKey, createTestUser, createWorkspaceWith, type TestUser } from "./support/identities";
import type { Db } from "../server/db";
import { appRouter } from "../server/api/root";
import type { ProcedureAccess } from "../server/api/trpc";
import { ROLES, roleAllows, type Permission, type Role } from "../server/auth/roles";
import { newId } from "../server/ids";
import { createInvitation, revokeInvitation } from "../server/auth/invitations";
import { createCredential } from "../server/vault/credential-store";
import { createChannel } from "../server/notifications/channels";
import { createWorkspaceProvider } from "../server/llm/workspace-providers";
import { createMcpServer } from "../server/mcp-client/servers";
import { setModelPrice } from "../server/llm/model-prices";
import { createAlertRule } from "../server/ops/alerts";
import { createWorkflow } from "../server/workflows/workflows";
import { createTriggerToken } from "../server/workflows/trigger-tokens";
import { setWebhookSecret } from "../server/http/webhook-signature";
import { publishVersion } from "../server/workflows/versions";
import { startRun } from "../server/runs/start-run";
import { createSchedule } from "../server/schedules/schedules";
import { setWorkflowCallback } from "../server/callbacks/settings";
import { approvalGraph, outputOnlyGraph } from "./support/graphs";
import { demoModelKey } from "../server/llm/providers";
import * as trpcRoute from "../app/api/trpc/[trpc]/route";
import * as triggerRoute from "../app/api/v1/workflows/[workflowId]/trigger/route";
import * as runRoute from "../app/api/v1/runs/[runId]/route";
import * as runActionRoute from "../app/api/v1/runs/[runId]/[action]/route";
import * as humanTaskRoute from "../app/api/v1/human-tasks/[taskId]/route";
import runEventsRoute from "../pages/api/runs/[runId]/events";
import { callNodeRoute } from "./support/node-route";
import { routeFiles } from "./support/route-files";
import * as runsListRoute from "../app/api/v1/runs/route";
import * as workflowsListRoute from "../app/api/v1/workflows/route";
import * as humanTasksListRoute from "../app/api/v1/human-tasks/route";
import * as workspaceEventsRoute from "../app/api/workspace/events/route";
import * as demoModelRoute from "../app/api/demo-model/v1/[...path]/route";
import * as authRoute from "../app/api/auth/[...all]/route";
import * as mcpRoute from "../app/api/mcp/route";
import * as openApiRoute from "../app/api/v1/openapi.json/route";
import * as healthRoute from "../app/api/health/route";
import * as readyRoute from "../app/api/ready/route";
import * as metricsRoute from "../app/api/metrics/route";

/**
 * The access matrix: every tRPC procedure (read from the router, so a new one is in it
 * automatically) and every REST/SSE route (read from app/api) is called as anonymous, as a
 * member of another workspace, and as each role. Anonymous gets 401; the other workspace's
 * member gets 404 for anything that names this workspace's things, and never sees them in
 * lists; each role gets exactly what roles.ts grants (403 otherwise).
 *
 * A procedure without a declared access level, or without a sample input below, fails here:
 * adding one means deciding who may call it.
 */

const BASE = "http://localhost:3100";
type Caller = { label: string; cookie?: string; role?: Role; outsider?: boolean };

let harness: Harness;
let db: Db;
const users = {} as Record<Role | "outsider", TestUser>;
let workspaceId: string;
let outsiderWorkspaceId: string;
/** Ids of workspace A's things: none may appear in what the outsider gets back. */
const ownIds = new Set<string>();
const fixtures = {} as {
  workflowId: string;
  otherWorkflowId: string;
  simpleWorkflowId: string;
  versionId: string;
  runId: string;
  credentialId: string;
  channelId: string;
  providerId: string;
  mcpServerId: string;
  viewerMemberId: string;
  revokedInviteToken: string;
  triggerToken: string;
  otherTriggerToken: string;
  keys: Record<"trigger" | "read" | "control" | "admin", string>;
  outsiderKey: string;
  pendingTasks: string[];
};

const systemAccess = () => ({ workspaceId, actor: { kind: "system" as const, name: "matrix" }, ip: null });

async function newWorkflow(graph = outputOnlyGraph()): Promise<string> {
  const { id } = await createWorkflow(db, workspaceId, { name: `matrix ${newId("wf")}`, graph });
  ownIds.add(id);
  return id;
}

/** A workflow with a webhook signing secret (for rotate / scheme / delete). */
async function newWebhookWorkflow(): Promise<string> {
  const id = await newWorkflow();
  await setWebhookSecret(db, systemAccess(), { workflowId: id, scheme: "agentflow", rotate: false });
  return id;
}

async function newWaitingRun(): Promise<string> {
  const { runId } = await startRun(db, { workspaceId, workflowId: fixtures.workflowId, input: { topic: "matrix" }, trigger: "manual", startedBy: "matrix" });
  ownIds.add(runId);
  return runId;
}

async function newAlertRuleId(): Promise<string> {
  const { id } = await createAlertRule(db, systemAccess(), { kind: "task_waiting", threshold: 30, windowMinutes: 15, minRuns: 5, cooldownMinutes: 60, channelId: null, enabled: false });
  ownIds.add(id);
  return id;
}

async function newMemberId(): Promise<string> {
  const userId = newId("usr");
  await db.user.create({ data: { id: userId, name: "Leaving member", email: `${userId}@agentflow.test`.toLowerCase() } });
  const id = newId("mem");
  await db.member.create({ data: { id, workspaceId, userId, role: "viewer" } });
  ownIds.add(id);
  return id;
}

/**
 * A sample input per procedure (a fresh target where the call destroys or uses one up).
 * `undefined` for procedures without input.
 */
const SAMPLES: Record<string, () => Promise<unknown> | unknown> = {
  "setup.status": () => undefined,
  "setup.createOwner": () => ({ name: "Late owner", email: `${newId("usr")}@agentflow.test`.toLowerCase(), password: "a long password" }),
  "account.me": () => undefined,
  "account.switchWorkspace": () => ({ workspaceId }),
  "account.createWorkspace": () => ({ name: "Another workspace" }),
  "account.renameWorkspace": () => ({ name: "Workspace A" }),
  "account.changePassword": () => ({ currentPassword: "not the password", newPassword: "a new long password" }),
  "members.list": () => undefined,
  "members.changeRole": () => ({ memberId: fixtures.viewerMemberId, role: "viewer" }),
  "members.remove": async () => ({ memberId: await newMemberId() }),
  "invitations.list": () => undefined,
  "invitations.create": () => ({ role: "viewer" }),
  "invitations.revoke": async () => {
    const invitation = await createInvitation(db, { ...systemAccess(), role: "owner", actor: { kind: "user", id: users.owner.id, name: "owner", email: users.owner.email } }, { role: "viewer" });
    ownIds.add(invitation.id);
    return { invitationId: invitation.id };
  },
  "invitations.describe": () => ({ token: fixtures.revokedInviteToken }),
  "invitations.accept": () => ({ token: fixtures.revokedInviteToken }),
  "invitations.acceptWithNewAccount": () => ({ token: fixtures.revokedInviteToken, name: "New person", email: "new@agentflow.test", password: "a long password" }),
  "apiKeys.list": () => undefined,
  "apiKeys.create": () => ({ name: "matrix key", scopes: ["read"] }),
  "apiKeys.revoke": async () => {
    const key = await createTestApiKey(db, workspaceId, ["read"]);
    ownIds.add(key.id);
    return { keyId: key.id };
  },
  "credentials.list": () => undefined,
  "credentials.create": () => ({ name: `c${newId("cred").slice(5)}`.replace(/[^A-Za-z0-9_-]/g, "x"), secret: { kind: "secret", value: "matrix secret value 123" } }),
  "credentials.update": () => ({ id: fixtures.credentialId, allowedHosts: ["api.example.com"] }),
  "credentials.delete": async () => {
    const { id } = await createCredential(db, systemAccess(), { name: `d${newId("cred").slice(5)}`.replace(/[^A-Za-z0-9_-]/g, "x"), secret: { kind: "secret", value: "to be deleted 123" }, allowedHosts: [] });
    ownIds.add(id);
    return { id };
  },
  "audit.list": () => ({}),
  "workflow.list": () => undefined,
  "workflow.create": () => ({ name: "matrix created" }),
  "workflow.get": () => ({ id: fixtures.workflowId }),
  "workflow.saveDraft": async () => ({ id: await newWorkflow(), graph: outputOnlyGraph(), baseRevision: 0 }),
  "workflow.templates": () => undefined,
  "workflow.createFromTemplate": () => ({ templateId: "approval-gate" }),
  "workflow.presets": () => undefined,
  "workflow.export": () => ({ id: fixtures.workflowId }),
  "workflow.import": () => ({ fileText: JSON.stringify({ format: "agentflow.workflow", name: "imported", graph: outputOnlyGraph() }) }),
  "workflow.publish": () => ({ id: fixtures.workflowId }),
  "workflow.versions": () => ({ id: fixtures.workflowId }),
  "workflow.releaseState": () => ({ id: fixtures.workflowId }),
  "workflow.version": () => ({ versionId: fixtures.versionId }),
  "workflow.restoreVersion": async () => ({ id: fixtures.workflowId, versionId: fixtures.versionId, baseRevision: (await db.workflow.findUniqueOrThrow({ where: { id: fixtures.workflowId } })).draftRevision }),
  "workflow.delete": async () => ({ id: await newWorkflow() }),
  "workflow.tags": () => undefined,
  "workflow.rename": async () => ({ id: await newWorkflow(), name: "matrix renamed" }),
  "workflow.duplicate": () => ({ id: fixtures.simpleWorkflowId }),
  "workflow.setTags": async () => ({ id: await newWorkflow(), tags: ["matrix"] }),
  "workflow.deleteImpact": () => ({ id: fixtures.workflowId }),
  "workflow.createTriggerToken": () => ({ workflowId: fixtures.workflowId }),
  "workflow.revokeTriggerToken": async () => {
    const token = await createTriggerToken(db, systemAccess(), fixtures.workflowId);
    ownIds.add(token.id);
    return { tokenId: token.id };
  },
  "workflow.lastRunInput": () => ({ workflowId: fixtures.workflowId }),
  "workflow.webhookSettings": () => ({ workflowId: fixtures.workflowId }),
  "workflow.createWebhookSecret": async () => ({ workflowId: await newWorkflow(), scheme: "agentflow" }),
  "workflow.rotateWebhookSecret": async () => ({ workflowId: await newWebhookWorkflow() }),
  "workflow.setWebhookScheme": async () => ({ workflowId: await newWebhookWorkflow(), scheme: "github" }),
  "workflow.deleteWebhookSecret": async () => ({ workflowId: await newWebhookWorkflow() }),
  "run.start": () => ({ workflowId: fixtures.simpleWorkflowId, input: { topic: "matrix" } }),
  "run.list": () => ({}),
  "run.get": () => ({ runId: fixtures.runId }),
  "run.childRuns": () => ({ runId: fixtures.runId }),
  "run.stats": () => ({}),
  "run.opsLive": () => undefined,
  "run.opsTrends": () => ({}),
  "run.pause": async () => ({ runId: await newWaitingRun() }),
  "run.resume": () => ({ runId: fixtures.runId }),
  "run.cancel": async () => ({ runId: await newWaitingRun() }),
  // The fixture run is waiting, not failed: a caller who may retry gets 409 ("allowed, not now").
  "run.retry": () => ({ runId: fixtures.runId }),
  "run.rerun": () => ({ runId: fixtures.runId, version: "same" }),
  "run.fork": () => ({ runId: fixtures.runId, atSeq: 1 }),
  "human.pending": () => ({}),
  "human.pendingCount": () => undefined,
  "human.respond": () => {
    const taskId = fixtures.pendingTasks.pop();
    if (!taskId) throw new Error("the matrix ran out of pending human tasks");
    return { taskId, decision: "reject" };
  },
  // Email channels: no outbound HTTP, and with SMTP_URL unset here a test delivery fails at once.
  "notifications.list": () => undefined,
  "notifications.create": () => ({ kind: "email", name: "matrix mail", recipients: { mode: "role", minRole: "operator" } }),
  "notifications.setEnabled": () => ({ id: fixtures.channelId, enabled: false }),
  "notifications.sendTest": () => ({ id: fixtures.channelId }),
  "notifications.delete": async () => {
    const { id } = await createChannel(db, systemAccess(), { kind: "email", name: "to be deleted", recipients: { mode: "addresses", addresses: ["gone@agentflow.test"] } });
    ownIds.add(id);
    return { id };
  },
  "notifications.deliveries": () => ({}),
  // Anthropic providers: stored, never "default" and never called (runs do not support them yet),
  // so the matrix's runs keep using the demo model and Test connection answers without a request.
  "providers.list": () => undefined,
  "providers.models": () => ({ provider: "matrix-provider" }),
  "providers.create": () => ({ name: `matrix-${newId("wf").slice(3).toLowerCase().replace(/[^a-z0-9]/g, "")}`, kind: "anthropic", baseUrl: "http://127.0.0.1:9/v1", apiKey: "sk-ant-matrix" }),
  "providers.update": () => ({ id: fixtures.providerId, defaultModel: "matrix-model" }),
  "providers.test": () => ({ id: fixtures.providerId }),
  "providers.delete": async () => {
    const { id } = await createWorkspaceProvider(db, systemAccess(), { name: `gone-${newId("wf").slice(3).toLowerCase().replace(/[^a-z0-9]/g, "")}`, kind: "anthropic", apiKey: "sk-ant-matrix" });
    ownIds.add(id);
    return { id };
  },
  // MCP servers at an address nothing answers (and private: the matrix allows no private
  // hosts), so "refresh" answers at once with a plain-words error and no request.
  "mcpServers.list": () => undefined,
  "mcpServers.toolChoices": () => undefined,
  "mcpServers.create": () => ({ transport: "http", name: `matrix-${newId("wf").slice(3).toLowerCase().replace(/[^a-z0-9]/g, "")}`, url: "http://127.0.0.1:9/mcp", authValue: "Bearer matrix-mcp" }),
  "mcpServers.update": () => ({ id: fixtures.mcpServerId, callTimeoutSeconds: 20 }),
  "mcpServers.refresh": () => ({ id: fixtures.mcpServerId }),
  "mcpServers.delete": async () => {
    const { id } = await createMcpServer(db, systemAccess(), { transport: "http", name: `gone-${newId("wf").slice(3).toLowerCase().replace(/[^a-z0-9]/g, "")}`, url: "http://127.0.0.1:9/mcp" });
    ownIds.add(id);
    return { id };
  },
  // No cap, no override: the matrix's own runs must not be refused by a budget it set.
  "alerts.list": () => undefined,
  "alerts.create": () => ({ kind: "task_waiting", threshold: 60, channelId: null }),
  "alerts.update": async () => ({ id: await newAlertRuleId(), kind: "daily_cost", threshold: 25, channelId: null, enabled: false }),
  "alerts.delete": async () => ({ id: await newAlertRuleId() }),
  "budgets.get": () => undefined,
  "budgets.set": () => ({ monthlyCapUsd: null }),
  // A cap no run of the matrix reaches.
  "budgets.setWorkflowCap": () => ({ workflowId: fixtures.otherWorkflowId, monthlyCapUsd: 1_000_000 }),
  "budgets.removeWorkflowCap": () => ({ workflowId: fixtures.otherWorkflowId }),
  "budgets.override": () => ({ until: null }),
  "budgets.resumePaused": () => undefined,
  "prices.list": () => undefined,
  "prices.set": () => ({ model: `matrix-model-${newId("wf").slice(3)}`, inputPerMTok: 1, outputPerMTok: 2 }),
  "prices.delete": async () => {
    const { id } = await setModelPrice(db, systemAccess(), { model: `gone-model-${newId("wf").slice(3)}`, inputPerMTok: 0, outputPerMTok: 0 });
    ownIds.add(id);
    return { id };
  },
  "schedules.list": () => ({ workflowId: fixtures.simpleWorkflowId }),
  "schedules.preview": () => ({ cron: "0 9 * * 1-5", timeZone: "Europe/Paris" }),
  // Off, so no BullMQ scheduler outlives the file; a fresh workflow each time (at most 10 schedules each).
  "schedules.create": async () => ({ workflowId: await newWorkflow(), ...matrixSchedule }),
  "schedules.update": async () => ({ id: await newSchedule(), ...matrixSchedule, name: "renamed" }),
  "schedules.toggle": async () => ({ id: await newSchedule(), enabled: false }),
  "schedules.delete": async () => ({ id: await newSchedule() }),
  "callbacks.get": () => ({ workflowId: fixtures.simpleWorkflowId }),
  "callbacks.set": async () => ({ workflowId: await newWorkflow(), url: "https://callbacks.example.com/agentflow" }),
  "callbacks.rotateSecret": async () => {
    const workflowId = await newWorkflow();
    await setWorkflowCallback(db, systemAccess(), workflowId, null);
    return { workflowId };
  },
  "callbacks.runLog": () => ({ runId: fixtures.runId }),
};

const matrixSchedule = { name: "matrix schedule", cron: "0 9 * * 1-5", timeZone: "Europe/Paris", enabled: false, input: null, missedPolicy: "skip" as const };

async function newSchedule(): Promise<string> {
  const { id } = await createSchedule(db, systemAccess(), await newWorkflow(), matrixSchedule);
  ownIds.add(id);
  return id;
}

/**
 * Who may call what, written down here a second time on purpose: the router declares it, this
 * table says what it should be, and the test compares them — so weakening a procedure's check
 * (say, delete with read permission) is a failing test, not a quiet change.
 */
const POLICY: Record<string, "public" | "user" | Permission> = {
  "setup.status": "public",
  "setup.createOwner": "public",
  "account.me": "user",
  "account.switchWorkspace": "user",
  "account.createWorkspace": "user",
  "account.renameWorkspace": "workspace:manage",
  "account.changePassword": "user",
  "members.list": "workflow:read",
  "members.changeRole": "member:manage",
  "members.remove": "member:manage",
  "invitations.list": "member:manage",
  "invitations.create": "member:manage",
  "invitations.revoke": "member:manage",
  "invitations.describe": "public",
  "invitations.accept": "user",
  "invitations.acceptWithNewAccount": "public",
  "apiKeys.list": "api_key:manage",
  "apiKeys.create": "api_key:manage",
  "apiKeys.revoke": "api_key:manage",
  "credentials.list": "credential:list",
  "credentials.create": "credential:manage",
  "credentials.update": "credential:manage",
  "credentials.delete": "credential:manage",
  "audit.list": "audit:read",
  "workflow.list": "workflow:read",
  "workflow.create": "workflow:edit",
  "workflow.get": "workflow:read",
  "workflow.saveDraft": "workflow:edit",
  "workflow.templates": "workflow:read",
  "workflow.createFromTemplate": "workflow:edit",
  "workflow.presets": "workflow:read",
  "workflow.export": "workflow:read",
  "workflow.import": "workflow:edit",
  "workflow.publish": "workflow:edit",
  "workflow.versions": "workflow:read",
  "workflow.releaseState": "workflow:read",
  "workflow.version": "workflow:read",
  "workflow.restoreVersion": "workflow:edit",
  "workflow.delete": "workflow:edit",
  "workflow.tags": "workflow:read",
  "workflow.rename": "workflow:edit",
  "workflow.duplicate": "workflow:edit",
  "workflow.setTags": "workflow:edit",
  "workflow.deleteImpact": "workflow:read",
  "workflow.createTriggerToken": "workflow:edit",
  "workflow.revokeTriggerToken": "workflow:edit",
  "workflow.lastRunInput": "run:read",
  "workflow.webhookSettings": "workflow:read",
  "workflow.createWebhookSecret": "workflow:edit",
  "workflow.rotateWebhookSecret": "workflow:edit",
  "workflow.setWebhookScheme": "workflow:edit",
  "workflow.deleteWebhookSecret": "workflow:edit",
  "run.start": "run:start",
  "run.list": "run:read",
  "run.get": "run:read",
  "run.childRuns": "run:read",
  "run.stats": "run:read",
  "run.opsLive": "run:read",
  "run.opsTrends": "run:read",
  "run.pause": "run:control",
  "run.resume": "run:control",
  "run.cancel": "run:control",
  "run.retry": "run:control",
  "run.rerun": "run:start",
  "run.fork": "run:start",
  "human.pending": "run:read",
  "human.pendingCount": "run:read",
  "human.respond": "human:respond",
  "notifications.list": "credential:manage",
  "notifications.create": "credential:manage",
  "notifications.setEnabled": "credential:manage",
  "notifications.sendTest": "credential:manage",
  "notifications.delete": "credential:manage",
  "notifications.deliveries": "credential:manage",
  "providers.list": "workflow:read",
  "providers.models": "workflow:read",
  "providers.create": "credential:manage",
  "providers.update": "credential:manage",
  "providers.test": "credential:manage",
  "providers.delete": "credential:manage",
  "mcpServers.list": "workflow:read",
  "mcpServers.toolChoices": "workflow:read",
  "mcpServers.create": "credential:manage",
  "mcpServers.update": "credential:manage",
  "mcpServers.refresh": "credential:manage",
  "mcpServers.delete": "credential:manage",
  "alerts.list": "workflow:read",
  "alerts.create": "credential:manage",
  "alerts.update": "credential:manage",
  "alerts.delete": "credential:manage",
  "budgets.get": "workflow:read",
  "budgets.set": "credential:manage",
  "budgets.setWorkflowCap": "credential:manage",
  "budgets.removeWorkflowCap": "credential:manage",
  "budgets.override": "workspace:manage",
  "budgets.resumePaused": "run:control",
  "prices.list": "workflow:read",
  "prices.set": "credential:manage",
  "prices.delete": "credential:manage",
  "schedules.list": "workflow:read",
  "schedules.preview": "workflow:read",
  "schedules.create": "workflow:edit",
  "schedules.update": "workflow:edit",
  "schedules.toggle": "workflow:edit",
  "schedules.delete": "workflow:edit",
  "callbacks.get": "workflow:read",
  "callbacks.set": "workflow:edit",
  "callbacks.rotateSecret": "workflow:edit",
  "callbacks.runLog": "run:read",
};

function declared(access: ProcedureAccess | undefined): "public" | "user" | Permission | undefined {
  if (!access) return undefined;
  return access.kind === "workspace" ? access.permission : access.kind;
}

type ProcedureInfo = { path: string; type: "query" | "mutation"; access: ProcedureAccess | undefined };

function procedures(): ProcedureInfo[] {
  const record = (appRouter._def as unknown as { procedures: Record<string, { _def: { type: "query" | "mutation"; meta?: { access?: ProcedureAccess } } }> }).procedures;
  return Object.entries(record).map(([path, procedure]) => ({ path, type: procedure._def.type, access: procedure._def.meta?.access }));
}

async function callTrpc(procedure: ProcedureInfo, input: unknown, cookie?: string): Promise<{ status: number; text: string }> {
  const headers = new Headers({ "content-type": "application/json", host: "localhost:3100" });
  if (cookie) headers.set("cookie", cookie);
  const url = `${BASE}/api/trpc/${procedure.path}`;
  const request =
    procedure.type === "query"
      ? new Request(input === undefined ? url : `${url}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers })
      : new Request(url, { method: "POST", headers, body: input === undefined ? undefined : JSON.stringify(input) });
  const response = await (procedure.type === "query" ? trpcRoute.GET(request) : trpcRoute.POST(request));
  return { status: response.status, text: await response.text() };
}

function mentionsOwnIds(value: unknown): string[] {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "");
  return [...ownIds].filter((id) => text.includes(id));
}

beforeAll(async () => {
  harness = await startHarness();
  db = harness.db;
  for (const role of ROLES) users[role] = await createTestUser(role);
  users.outsider = await createTestUser("outsider");
  workspaceId = await createWorkspaceWith(
    db,
    "Workspace A",
    ROLES.map((role) => ({ user: users[role], role })),
  );
  outsiderWorkspaceId = await createWorkspaceWith(db, "Workspace B", [{ user: users.outsider, role: "owner" }]);
  ownIds.add(workspaceId);

  fixtures.workflowId = await newWorkflow(approvalGraph());
  fixtures.otherWorkflowId = await newWorkflow(approvalGraph());
  fixtures.simpleWorkflowId = await newWorkflow();
  fixtures.versionId = (await publishVersion(db, workspaceId, fixtures.workflowId)).id;
  ownIds.add(fixtures.versionId);
  fixtures.runId = await newWaitingRun();
  fixtures.credentialId = (await createCredential(db, systemAccess(), { name: "matrixcred", secret: { kind: "secret", value: "matrix credential value" }, allowedHosts: [] })).id;
  ownIds.add(fixtures.credentialId);
  // Disabled, so the matrix's waiting runs enqueue no deliveries; "Send test" works on it anyway.
  fixtures.channelId = (await createChannel(db, systemAccess(), { kind: "email", name: "matrix channel", recipients: { mode: "role", minRole: "operator" } })).id;
  await db.notificationChannel.update({ where: { id: fixtures.channelId }, data: { enabled: false } });
  ownIds.add(fixtures.channelId);
  const viewerMember = await db.member.findFirstOrThrow({ where: { workspaceId, userId: users.viewer.id } });
  fixtures.viewerMemberId = viewerMember.id;
  ownIds.add(viewerMember.id);
  const ownerAccess = { ...systemAccess(), role: "owner" as const, actor: { kind: "user" as const, id: users.owner.id, name: "owner", email: users.owner.email } };
  const invitation = await createInvitation(db, ownerAccess, { role: "viewer" });
  await revokeInvitation(db, ownerAccess, invitation.id);
  fixtures.revokedInviteToken = invitation.url.slice(invitation.url.lastIndexOf("/") + 1);
  fixtures.triggerToken = (await createTriggerToken(db, systemAccess(), fixtures.workflowId)).token;
  fixtures.otherTriggerToken = (await createTriggerToken(db, systemAccess(), fixtures.otherWorkflowId)).token;
  fixtures.keys = {
    trigger: (await createTestApiKey(db, workspaceId, ["trigger"])).token,
    read: (await createTestApiKey(db, workspaceId, ["read"])).token,
    control: (await createTestApiKey(db, workspaceId, ["control"])).token,
    admin: (await createTestApiKey(db, workspaceId, ["admin"])).token,
  };
  fixtures.outsiderKey = (await createTestApiKey(db, outsiderWorkspaceId, ["admin"])).token;

  // Human tasks to answer (one per caller that may): runs of the approval workflow, waiting.
  const waiting = await Promise.all(Array.from({ length: ROLES.length + 2 }, () => newWaitingRun()));
  await waitUntil(async () => (await db.humanTask.count({ where: { runId: { in: waiting }, status: "pending" } })) === waiting.length, "runs waiting for a person", 30_000);
  fixtures.pendingTasks = (await db.humanTask.findMany({ where: { runId: { in: waiting }, status: "pending" }, select: { id: true } })).map((t) => t.id);
  for (const id of fixtures.pendingTasks) ownIds.add(id);
  await waitUntil(async () => (await db.humanTask.count({ where: { runId: fixtures.runId, status: "pending" } })) === 1, "the fixture run waiting", 30_000);
  // Last: a workspace provider becomes the workspace's "Default", and the runs above must reach
  // the demo model. Anthropic-kind, at an address nothing answers (its test fails at once).
  fixtures.providerId = (await createWorkspaceProvider(db, systemAccess(), { name: "matrix-provider", kind: "anthropic", baseUrl: "http://127.0.0.1:9/v1", apiKey: "sk-ant-matrix" })).id;
  ownIds.add(fixtures.providerId);
  fixtures.mcpServerId = (await createMcpServer(db, systemAccess(), { transport: "http", name: "matrix-mcp", url: "http://127.0.0.1:9/mcp" })).id;
  ownIds.add(fixtures.mcpServerId);
}, 120_000);

afterAll(async () => {
  // Runs left waiting would keep the worker busy; the replay check still covers them.
  await harness?.stop();
});

describe("every tRPC procedure", () => {
  const all = procedures();
  const callers = (): Caller[] => [
    { label: "anonymous" },
    { label: "a member of another workspace", cookie: users.outsider.cookie, outsider: true },
    ...ROLES.map((role) => ({ label: role, cookie: users[role].cookie, role })),
  ];

  it("declares who may call it and has a sample input here", () => {
    const undeclared = all.filter((p) => p.access === undefined).map((p) => p.path);
    expect(undeclared, "procedures without an access level (build them from publicProcedure/userProcedure/workspaceProcedure)").toEqual([]);
    const missing = all.filter((p) => !(p.path in SAMPLES)).map((p) => p.path);
    expect(missing, "procedures without a sample input in tests/access-matrix.test.ts").toEqual([]);
    const unlisted = all.filter((p) => !(p.path in POLICY)).map((p) => p.path);
    expect(unlisted, "procedures missing from POLICY in tests/access-matrix.test.ts").toEqual([]);
    const differing = all.filter((p) => p.path in POLICY && declared(p.access) !== POLICY[p.path]).map((p) => `${p.path}: declares ${declared(p.access)}, policy says ${POLICY[p.path]}`);
    expect(differing, "procedures whose declared access differs from the policy").toEqual([]);
  });

  for (const procedure of all) {
    it(`${procedure.path}: anonymous 401, other workspace 404, each role as roles.ts says`, async () => {
      const access = procedure.access;
      if (!access) throw new Error(`${procedure.path} declares no access`);
      const sample = SAMPLES[procedure.path];
      if (!sample) throw new Error(`no sample for ${procedure.path}`);
      for (const caller of callers()) {
        const input = await sample();
        const { status, text } = await callTrpc(procedure, input, caller.cookie);
        const where = `${procedure.path} as ${caller.label} → ${status} ${text.slice(0, 300)}`;
        expect(status, where).toBeLessThan(500);
        if (access.kind === "public") {
          expect([401, 403], where).not.toContain(status);
          continue;
        }
        if (!caller.cookie) {
          expect(status, where).toBe(401);
          continue;
        }
        if (caller.outsider) {
          // Naming workspace A's things gets "not found", exactly like ids that do not exist;
          // anything else works in their own workspace and never shows A's things.
          const named = mentionsOwnIds(input);
          if (named.length > 0) expect(status, where).toBe(404);
          else expect([401, 403], where).not.toContain(status);
          // ("not found" may repeat the id the caller sent; nothing else of A may appear.)
          const shown = mentionsOwnIds(text).filter((id) => !named.includes(id));
          expect(shown, `${where}: the answer shows another workspace's ids`).toEqual([]);
          continue;
        }
        const allowed = access.kind !== "workspace" || (caller.role !== undefined && roleAllows(caller.role, access.permission));
        if (allowed) expect([401, 403], where).not.toContain(status);
        else expect(status, where).toBe(403);
      }
    });
  }
});


type KeyCredential = `key:${keyof typeof fixtures.keys}`;
type Credential = "none" | "triggerToken" | "otherTriggerToken" | KeyCredential | "outsiderKey" | "outsiderSession" | Role;
const KEY_CREDENTIALS: KeyCredential[] = ["key:trigger", "key:read", "key:control", "key:admin"];
const CREDENTIALS: Credential[] = ["none", "triggerToken", "otherTriggerToken", ...KEY_CREDENTIALS, "outsiderKey", "outsiderSession", ...ROLES];

function headersFor(credential: Credential): Headers {
  const headers = new Headers({ host: "localhost:3100", "content-type": "application/json" });
  const bearer = (token: string) => headers.set("authorization", `Bearer ${token}`);
  if (credential === "triggerToken") bearer(fixtures.triggerToken);
  else if (credential === "otherTriggerToken") bearer(fixtures.otherTriggerToken);
  else if (credential === "outsiderKey") bearer(fixtures.outsiderKey);
  else if (credential === "outsiderSession") headers.set("cookie", users.outsider.cookie);
  else if (credential.startsWith("key:")) bearer(fixtures.keys[credential.slice(4) as keyof typeof fixtures.keys]);
  else if (credential !== "none") headers.set("cookie", users[credential as Role].cookie);
  return headers;
}

type Expectation = Record<Credential, number | number[]>;

/** For each REST/SSE route: one call per credential, and the status each must get. */
const ROUTES: Record<string, { call: (headers: Headers) => Promise<Response>; expect: Expectation }> = {
  "app/api/v1/workflows/[workflowId]/trigger/route.ts": {
    call: (headers) =>
      triggerRoute.POST(new Request(`${BASE}/api/v1/workflows/${fixtures.simpleWorkflowId}/trigger`, { method: "POST", headers, body: JSON.stringify({ input: { topic: "matrix" } }) }), {
        params: Promise.resolve({ workflowId: fixtures.simpleWorkflowId }),
      }),
    // The trigger token belongs to another workflow of the same workspace: 404, like a foreign id.
    expect: { none: 401, triggerToken: 404, otherTriggerToken: 404, "key:trigger": 202, "key:read": 403, "key:control": 403, "key:admin": 202, outsiderKey: 404, outsiderSession: 404, viewer: 403, operator: 202, editor: 202, admin: 202, owner: 202 },
  },
  "app/api/v1/runs/[runId]/route.ts": {
    call: (headers) => runRoute.GET(new Request(`${BASE}/api/v1/runs/${fixtures.runId}`, { headers }), { params: Promise.resolve({ runId: fixtures.runId }) }),
    expect: { none: 401, triggerToken: 200, otherTriggerToken: 404, "key:trigger": 200, "key:read": 200, "key:control": 200, "key:admin": 200, outsiderKey: 404, outsiderSession: 404, viewer: 200, operator: 200, editor: 200, admin: 200, owner: 200 },
  },
  "app/api/v1/runs/[runId]/[action]/route.ts": {
    // Resume of a run that is not paused: 409 is "allowed, but not now".
    call: (headers) =>
      runActionRoute.POST(new Request(`${BASE}/api/v1/runs/${fixtures.runId}/resume`, { method: "POST", headers }), { params: Promise.resolve({ runId: fixtures.runId, action: "resume" }) }),
    expect: { none: 401, triggerToken: 409, otherTriggerToken: 404, "key:trigger": 403, "key:read": 403, "key:control": 409, "key:admin": 409, outsiderKey: 404, outsiderSession: 404, viewer: 403, operator: 409, editor: 409, admin: 409, owner: 409 },
  },
  "app/api/v1/human-tasks/[taskId]/route.ts": {
    // Edited content with a rejection is refused (400) once the caller may answer and the task is
    // theirs to see, so the fixture task stays pending for the next caller.
    call: async (headers) => {
      const task = await db.humanTask.findFirstOrThrow({ where: { runId: fixtures.runId, status: "pending" }, select: { id: true } });
      const body = JSON.stringify({ decision: "reject", editedContent: "x" });
      return humanTaskRoute.POST(new Request(`${BASE}/api/v1/human-tasks/${task.id}`, { method: "POST", headers, body }), { params: Promise.resolve({ taskId: task.id }) });
    },
    expect: { none: 401, triggerToken: 403, otherTriggerToken: 403, "key:trigger": 403, "key:read": 403, "key:control": 400, "key:admin": 400, outsiderKey: 404, outsiderSession: 404, viewer: 403, operator: 400, editor: 400, admin: 400, owner: 400 },
  },
  "pages/api/runs/[runId]/events.ts": {
    call: async (headers) => {
      const abort = new AbortController();
      const response = await callNodeRoute(runEventsRoute, new Request(`${BASE}/api/runs/${fixtures.runId}/events`, { headers, signal: abort.signal }));
      abort.abort();
      await response.body?.cancel().catch(() => undefined);
      return response;
    },
    expect: { none: 401, triggerToken: 200, otherTriggerToken: 404, "key:trigger": 200, "key:read": 200, "key:control": 200, "key:admin": 200, outsiderKey: 404, outsiderSession: 404, viewer: 200, operator: 200, editor: 200, admin: 200, owner: 200 },
  },
  "app/api/v1/runs/route.ts": {
    // A list: every credential that may read runs gets its own workspace's (a trigger token: its workflow's).
    call: (headers) => runsListRoute.GET(new Request(`${BASE}/api/v1/runs?limit=200`, { headers })),
    expect: { none: 401, triggerToken: 200, otherTriggerToken: 200, "key:trigger": 200, "key:read": 200, "key:control": 200, "key:admin": 200, outsiderKey: 200, outsiderSession: 200, viewer: 200, operator: 200, editor: 200, admin: 200, owner: 200 },
  },
  "app/api/v1/workflows/route.ts": {
    // A list of the caller's own workspace (isolation itself: tests/rest-lists.test.ts). A trigger token is for its one workflow's trigger.
    call: (headers) => workflowsListRoute.GET(new Request(`${BASE}/api/v1/workflows`, { headers })),
    expect: { none: 401, triggerToken: 403, otherTriggerToken: 403, "key:trigger": 403, "key:read": 200, "key:control": 403, "key:admin": 200, outsiderKey: 200, outsiderSession: 200, viewer: 200, operator: 200, editor: 200, admin: 200, owner: 200 },
  },
  "app/api/v1/human-tasks/route.ts": {
    // A list of the caller's own workspace (a trigger token: its workflow's tasks).
    call: (headers) => humanTasksListRoute.GET(new Request(`${BASE}/api/v1/human-tasks`, { headers })),
    expect: { none: 401, triggerToken: 200, otherTriggerToken: 200, "key:trigger": 200, "key:read": 200, "key:control": 200, "key:admin": 200, outsiderKey: 200, outsiderSession: 200, viewer: 200, operator: 200, editor: 200, admin: 200, owner: 200 },
  },
  "app/api/v1/openapi.json/route.ts": {
    // The API's contract: closed like everything else, open to any valid credential of any workspace.
    call: (headers) => openApiRoute.GET(new Request(`${BASE}/api/v1/openapi.json`, { headers })),
    expect: { none: 401, triggerToken: 200, otherTriggerToken: 200, "key:trigger": 200, "key:read": 200, "key:control": 200, "key:admin": 200, outsiderKey: 200, outsiderSession: 200, viewer: 200, operator: 200, editor: 200, admin: 200, owner: 200 },
  },
  "app/api/workspace/events/route.ts": {
    // The caller's own workspace feed; a trigger token follows only its runs, not the workspace.
    call: async (headers) => {
      const abort = new AbortController();
      const response = await workspaceEventsRoute.GET(new Request(`${BASE}/api/workspace/events`, { headers, signal: abort.signal }));
      abort.abort();
      await response.body?.cancel().catch(() => undefined);
      return response;
    },
    expect: { none: 401, triggerToken: 401, otherTriggerToken: 401, "key:trigger": 200, "key:read": 200, "key:control": 200, "key:admin": 200, outsiderKey: 200, outsiderSession: 200, viewer: 200, operator: 200, editor: 200, admin: 200, owner: 200 },
  },
  "app/api/demo-model/v1/[...path]/route.ts": {
    // Only the app's own worker (which holds the derived key) may use the demo model.
    call: (headers) => demoModelRoute.POST(new Request(`${BASE}/api/demo-model/v1/chat/completions`, { method: "POST", headers, body: JSON.stringify({ model: "x", messages: [{ role: "user", content: "hi" }] }) })),
    expect: Object.fromEntries(CREDENTIALS.map((c) => [c, 401])) as Expectation,
  },
  "app/api/auth/[...all]/route.ts": {
    // Open sign-up does not exist: accounts come from the setup page and invite links.
    call: (headers) => authRoute.POST(new Request(`${BASE}/api/auth/sign-up/email`, { method: "POST", headers, body: JSON.stringify({ name: "x", email: "x@agentflow.test", password: "a long password" }) })),
    expect: Object.fromEntries(CREDENTIALS.map((c) => [c, 404])) as Expectation,
  },
  "app/api/mcp/route.ts": {
    // A tools/list as an MCP client sends it: every caller who may start runs gets its own
    // workspace's published workflows; a trigger token is for one workflow's REST trigger only.
    call: (headers) => {
      headers.set("accept", "application/json, text/event-stream");
      return mcpRoute.POST(new Request(`${BASE}/api/mcp`, { method: "POST", headers, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }) }));
    },
    expect: { none: 401, triggerToken: 401, otherTriggerToken: 401, "key:trigger": 200, "key:read": 403, "key:control": 403, "key:admin": 200, outsiderKey: 200, outsiderSession: 200, viewer: 403, operator: 200, editor: 200, admin: 200, owner: 200 },
  },
  "app/api/health/route.ts": {
    // Liveness for probes, which carry no credential: open to all, and it says nothing but "ok".
    call: () => Promise.resolve(healthRoute.GET()),
    expect: Object.fromEntries(CREDENTIALS.map((c) => [c, 200])) as Expectation,
  },
  "app/api/ready/route.ts": {
    // Readiness for probes: open to all (check names and short reasons only, no host or error
    // text); no credential changes the answer. Here no worker process beats under this file's
    // queue prefix, so every caller gets the same 503 (tests/health.test.ts covers the 200).
    call: () => readyRoute.GET(),
    expect: Object.fromEntries(CREDENTIALS.map((c) => [c, 503])) as Expectation,
  },
  "app/api/metrics/route.ts": {
    // Prometheus text: METRICS_TOKEN or a metrics-scoped key only (both in tests/metrics.test.ts);
    // a valid key without the scope is 403, anything else — a session included — 401.
    call: (headers) => metricsRoute.GET(new Request(`${BASE}/api/metrics`, { headers })),
    expect: { none: 401, triggerToken: 401, otherTriggerToken: 401, "key:trigger": 403, "key:read": 403, "key:control": 403, "key:admin": 403, outsiderKey: 403, outsiderSession: 401, viewer: 401, operator: 401, editor: 401, admin: 401, owner: 401 },
  },
  "app/api/trpc/[trpc]/route.ts": {
    // Covered procedure by procedure above; here: a request for no procedure at all.
    call: (headers) => trpcRoute.GET(new Request(`${BASE}/api/trpc/no.such.procedure`, { headers })),
    expect: Object.fromEntries(CREDENTIALS.map((c) => [c, 404])) as Expectation,
  },
};

describe("every REST and SSE route", () => {
  it("is in the matrix", () => {
    expect(routeFiles().sort()).toEqual(Object.keys(ROUTES).sort());
  });

  for (const [file, route] of Object.entries(ROUTES)) {
    it(`${file}: each credential gets what it may`, async () => {
      for (const credential of CREDENTIALS) {
        const response = await route.call(headersFor(credential));
        const wanted = route.expect[credential];
        const body = response.bodyUsed ? "" : await response.text().catch(() => "");
        const where = `${file} with ${credential} → ${response.status} ${body.slice(0, 200)}`;
        if (Array.isArray(wanted)) expect(wanted, where).toContain(response.status);
        else expect(response.status, where).toBe(wanted);
      }
    });
  }

  // proxy.ts skips app/api/v1 (its matcher): each of those handlers must run the front door
  // itself (publicApiRoute). One exported without it answers the owner here, and fails.
  for (const file of Object.keys(ROUTES).filter((name) => name.startsWith("app/api/v1/"))) {
    it(`${file}: refuses a foreign Host and, for writes, another site's page, even for the owner`, async () => {
      const rebound = headersFor("owner");
      rebound.set("host", "rebind.attacker.example:3100");
      const refused = await ROUTES[file]!.call(rebound);
      expect(refused.status, file).toBe(400);
      expect(((await refused.json()) as { error: { code: string } }).error.code, file).toBe("host_not_allowed");

      if (!readFileSync(file, "utf8").includes("export const POST =")) return;
      const crossSite = headersFor("owner");
      crossSite.set("origin", "https://attacker.example");
      const forbidden = await ROUTES[file]!.call(crossSite);
      expect(forbidden.status, file).toBe(403);
      expect(((await forbidden.json()) as { error: { code: string } }).error.code, file).toBe("cross_origin");
    });
  }

  it("the demo model answers the worker's own key", async () => {
    const headers = new Headers({ authorization: `Bearer ${demoModelKey()}`, "content-type": "application/json" });
    const response = await demoModelRoute.POST(new Request(`${BASE}/api/demo-model/v1/chat/completions`, { method: "POST", headers, body: JSON.stringify({ model: "x", messages: [{ role: "user", content: "hi" }] }) }));
    expect(response.status).toBe(200);
  });
});
