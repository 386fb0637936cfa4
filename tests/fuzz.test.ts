import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitUntil, type Harness } from "./support/harness";
import { createTestApiKey, createTestUser, createWorkspaceWith, type TestUser } from "./support/identities";
import { approvalGraph, outputOnlyGraph } from "./support/graphs";
import { anyJson, applyMutation, badId, headerNoise, mutation, queryNoise, rawBody, wellFormed, type Mutation } from "./support/fuzz-inputs";
import { fuzzSamples, type FuzzFixtures } from "./support/fuzz-samples";
import { installWriteLog, uninstallWriteLog, writeLogMark, writesSince, type RowWrite } from "./support/fuzz-writes";
import type { Db } from "../server/db";
import { appRouter } from "../server/api/root";
import { newId } from "../server/ids";
import { demoModelKey } from "../server/llm/providers";
import { createInvitation, revokeInvitation } from "../server/auth/invitations";
import { createCredential } from "../server/vault/credential-store";
import { createChannel } from "../server/notifications/channels";
import { createWorkspaceProvider } from "../server/llm/workspace-providers";
import { createMcpServer } from "../server/mcp-client/servers";
import { createWorkflow } from "../server/workflows/workflows";
import { createTriggerToken } from "../server/workflows/trigger-tokens";
import { publishVersion } from "../server/workflows/versions";
import { startRun } from "../server/runs/start-run";
import { createSchedule } from "../server/schedules/schedules";
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
 * Property-based fuzzing of every REST route (read from app/api, so a new route file fails here
 * until it has a request maker below) and every tRPC procedure (read from the router), with
 * fast-check: arbitrary JSON, wrong types, huge strings, NUL and lone surrogates, deep nesting,
 * missing and unknown fields, bad ids, bad query parameters and headers, and mutations of a
 * valid input — mostly as the workspace owner, some as other roles, an outsider or no one.
 *
 * Two properties, over ≥ 5,000 requests:
 * - no answer is a 5xx (bad input is a 4xx naming the field);
 * - no partial writes: a request answered with an error committed no row. Every row write is
 *   logged by a trigger (tests/support/fuzz-writes.ts) and the requests go one at a time with no
 *   worker running, so the writes between two requests are the first one's. Allowed on an error
 *   answer: bookkeeping that is not the request's effect (a session's refresh, a key's
 *   last-used time, better-auth's request counter) and the Idempotency-Key claim, taken before
 *   the request is handled and deleted again when it is refused.
 *
 * The seed is printed (FUZZ_SEED=<n> repeats a run); so are the request count and the status histogram.
 */

const BASE = "http://localhost:3100";
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
/** Requests per tRPC procedure and per REST route: ~110 procedures and 17 routes → ~9,000 requests (~40 s here). */
const RUNS_PER_PROCEDURE = Number(process.env.FUZZ_RUNS_PER_PROCEDURE ?? 60);
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS_PER_ROUTE ?? 150);

let harness: Harness;
let db: Db;
const users = {} as Record<"owner" | "operator" | "viewer" | "outsider" | "signOut", TestUser>;
const fixtures = {} as FuzzFixtures & { triggerToken: string; apiKey: string; outsiderKey: string };

type Identity = "owner" | "operator" | "viewer" | "outsider" | "none" | "garbage" | "apiKey" | "triggerToken" | "outsiderKey";
const identity: fc.Arbitrary<Identity> = fc.oneof(
  { weight: 12, arbitrary: fc.constant("owner" as const) },
  { weight: 6, arbitrary: fc.constantFrom("apiKey" as const, "triggerToken" as const) },
  { weight: 4, arbitrary: fc.constantFrom("operator" as const, "viewer" as const, "outsider" as const, "outsiderKey" as const) },
  { weight: 2, arbitrary: fc.constantFrom("none" as const, "garbage" as const) },
);

function credentialHeaders(who: Identity, base: Record<string, string> = {}): Headers {
  const headers = new Headers({ host: "localhost:3100", "content-type": "application/json" });
  for (const [name, value] of Object.entries(base)) {
    try {
      headers.set(name, value);
    } catch {
      // A value Headers refuses (a control character) never reaches a server either.
    }
  }
  if (who === "owner" || who === "operator" || who === "viewer" || who === "outsider") headers.set("cookie", users[who].cookie);
  else if (who === "apiKey") headers.set("authorization", `Bearer ${fixtures.apiKey}`);
  else if (who === "triggerToken") headers.set("authorization", `Bearer ${fixtures.triggerToken}`);
  else if (who === "outsiderKey") headers.set("authorization", `Bearer ${fixtures.outsiderKey}`);
  else if (who === "garbage") {
    headers.set("authorization", "Bearer af_key_not-a-real-key");
    headers.set("cookie", "agentflow.session_token=garbage.signature; other=1");
  }
  return headers;
}

/** One to three changes to a valid input, applied in turn. */
const mutations = fc.array(mutation, { minLength: 1, maxLength: 3 });

/** One generated REST request: the route's maker reads the fields it needs. */
type RestDraw = {
  who: Identity;
  validId: boolean;
  id: string;
  body: { kind: "mutated"; change: Mutation[] } | { kind: "json"; value: unknown } | { kind: "raw"; text: string };
  query: string;
  headers: Record<string, string>;
  action: string;
  method: "GET" | "POST";
};

function restDraw(knownParams: readonly string[]): fc.Arbitrary<RestDraw> {
  return fc.record({
    who: identity,
    validId: fc.boolean(),
    id: badId,
    body: fc.oneof(
      { weight: 5, arbitrary: mutations.map((change) => ({ kind: "mutated" as const, change })) },
      { weight: 3, arbitrary: anyJson.map((value) => ({ kind: "json" as const, value })) },
      { weight: 2, arbitrary: rawBody.map((text) => ({ kind: "raw" as const, text })) },
    ),
    query: fc.oneof({ weight: 1, arbitrary: fc.constant("") }, { weight: 2, arbitrary: queryNoise(knownParams) }),
    headers: headerNoise,
    action: fc.oneof({ weight: 4, arbitrary: fc.constantFrom("pause", "resume", "cancel", "retry", "rerun", "fork") }, { weight: 1, arbitrary: badId }),
    method: fc.constantFrom("GET" as const, "POST" as const),
  });
}

function bodyText(draw: RestDraw, sample: unknown): string {
  if (draw.body.kind === "raw") return draw.body.text;
  const value = draw.body.kind === "json" ? draw.body.value : draw.body.change.reduce(applyMutation, sample);
  return JSON.stringify(value) ?? "";
}

/** A path segment as a client would send it (a lone surrogate cannot be percent-encoded: it goes as U+FFFD). */
const enc = (segment: string) => encodeURIComponent(wellFormed(segment));

const withQuery = (url: string, query: string) => (query ? `${url}?${query}` : url);

/** Reads a response to the end (a stream: its first bytes, then it is closed). */
async function settle(response: Response, abort?: AbortController): Promise<Response> {
  if (abort) {
    abort.abort();
    await response.body?.cancel().catch(() => undefined);
  } else {
    await response.arrayBuffer().catch(() => undefined);
  }
  return response;
}

/** A request maker per route file; a route file without one fails "every route is fuzzed". */
const ROUTES: Record<string, { params: readonly string[]; call: (draw: RestDraw) => Promise<Response>; answers503?: true }> = {
  "app/api/v1/workflows/[workflowId]/trigger/route.ts": {
    params: ["wait"],
    call: (d) => {
      const workflowId = d.validId ? fixtures.simpleWorkflowId : d.id;
      const request = new Request(withQuery(`${BASE}/api/v1/workflows/${enc(workflowId)}/trigger`, d.query), {
        method: "POST",
        headers: credentialHeaders(d.who, d.headers),
        body: bodyText(d, { input: { topic: "fuzz" } }),
      });
      const abort = d.headers.accept === "text/event-stream" ? new AbortController() : undefined;
      return triggerRoute.POST(abort ? new Request(request, { signal: abort.signal }) : request, { params: Promise.resolve({ workflowId }) }).then((r) => settle(r, abort));
    },
  },
  "app/api/v1/runs/[runId]/route.ts": {
    params: ["events", "eventsAfter", "eventsLimit", "atSeq"],
    call: (d) => {
      const runId = d.validId ? fixtures.runId : d.id;
      return runRoute.GET(new Request(withQuery(`${BASE}/api/v1/runs/${enc(runId)}`, d.query), { headers: credentialHeaders(d.who, d.headers) }), { params: Promise.resolve({ runId }) }).then((r) => settle(r));
    },
  },
  "app/api/v1/runs/[runId]/[action]/route.ts": {
    params: [],
    call: (d) => {
      const runId = d.validId ? fixtures.runId : d.id;
      const sample = d.action === "fork" ? { atSeq: 1 } : d.action === "rerun" ? { version: "same" } : {};
      const request = new Request(`${BASE}/api/v1/runs/${enc(runId)}/${enc(d.action)}`, { method: "POST", headers: credentialHeaders(d.who, d.headers), body: bodyText(d, sample) });
      return runActionRoute.POST(request, { params: Promise.resolve({ runId, action: d.action }) }).then((r) => settle(r));
    },
  },
  "app/api/v1/human-tasks/[taskId]/route.ts": {
    params: [],
    call: (d) => {
      const taskId = d.validId ? fixtures.taskId : d.id;
      const request = new Request(`${BASE}/api/v1/human-tasks/${enc(taskId)}`, { method: "POST", headers: credentialHeaders(d.who, d.headers), body: bodyText(d, { decision: "reject", reason: "fuzz" }) });
      return humanTaskRoute.POST(request, { params: Promise.resolve({ taskId }) }).then((r) => settle(r));
    },
  },
  "pages/api/runs/[runId]/events.ts": {
    params: ["after"],
    call: (d) => {
      const runId = d.validId ? fixtures.runId : d.id;
      const abort = new AbortController();
      const request = new Request(withQuery(`${BASE}/api/runs/${enc(runId)}/events`, d.query), { headers: credentialHeaders(d.who, d.headers), signal: abort.signal });
      return callNodeRoute(runEventsRoute, request).then((r) => settle(r, abort));
    },
  },
  "app/api/v1/runs/route.ts": {
    params: ["workflowId", "versionId", "status", "trigger", "from", "to", "waitingForMe", "q", "cursor", "limit"],
    call: (d) => runsListRoute.GET(new Request(withQuery(`${BASE}/api/v1/runs`, d.query), { headers: credentialHeaders(d.who, d.headers) })).then((r) => settle(r)),
  },
  "app/api/v1/workflows/route.ts": {
    params: ["limit"],
    call: (d) => workflowsListRoute.GET(new Request(withQuery(`${BASE}/api/v1/workflows`, d.query), { headers: credentialHeaders(d.who, d.headers) })).then((r) => settle(r)),
  },
  "app/api/v1/human-tasks/route.ts": {
    params: ["workflowId", "limit"],
    call: (d) => humanTasksListRoute.GET(new Request(withQuery(`${BASE}/api/v1/human-tasks`, d.query), { headers: credentialHeaders(d.who, d.headers) })).then((r) => settle(r)),
  },
  "app/api/v1/openapi.json/route.ts": {
    params: [],
    call: (d) => openApiRoute.GET(new Request(withQuery(`${BASE}/api/v1/openapi.json`, d.query), { headers: credentialHeaders(d.who, d.headers) })).then((r) => settle(r)),
  },
  "app/api/workspace/events/route.ts": {
    params: [],
    call: (d) => {
      const abort = new AbortController();
      return workspaceEventsRoute.GET(new Request(withQuery(`${BASE}/api/workspace/events`, d.query), { headers: credentialHeaders(d.who, d.headers), signal: abort.signal })).then((r) => settle(r, abort));
    },
  },
  "app/api/demo-model/v1/[...path]/route.ts": {
    params: [],
    // Mostly with the worker's own key: the demo model's own parsing is fuzzed too.
    call: (d) => {
      const headers = credentialHeaders(d.who === "owner" ? "none" : d.who, d.headers);
      if (d.who === "owner" || d.who === "apiKey") headers.set("authorization", `Bearer ${demoModelKey()}`);
      const wire = d.validId ? "chat/completions" : d.action.length % 2 === 0 ? "messages" : d.id;
      const sample = wire === "messages" ? { model: "x", max_tokens: 10, messages: [{ role: "user", content: "hi" }] } : { model: "x", messages: [{ role: "user", content: "hi" }] };
      const request = new Request(`${BASE}/api/demo-model/v1/${enc(wire)}`, { method: d.method, headers, body: d.method === "POST" ? bodyText(d, sample) : undefined });
      return (d.method === "POST" ? demoModelRoute.POST(request) : demoModelRoute.GET(request)).then((r) => settle(r));
    },
  },
  "app/api/auth/[...all]/route.ts": {
    params: [],
    call: (d) => {
      const paths = ["/sign-in/email", "/sign-out", "/get-session", "/sign-in/social", "/sign-up/email", `/${d.id}`];
      const where = paths[d.id.length % paths.length] ?? "/get-session";
      const sample = { email: `${users.viewer.email}`, password: "not the password" };
      // Its own person: a fuzzed /sign-out must not end the sessions the rest of the fuzz signs in with.
      const headers = credentialHeaders(d.who === "none" || d.who === "garbage" ? d.who : "none", d.headers);
      if (d.who !== "none" && d.who !== "garbage") headers.set("cookie", users.signOut.cookie);
      const request = new Request(`${BASE}/api/auth${where}`, { method: d.method, headers, body: d.method === "POST" ? bodyText(d, sample) : undefined });
      return (d.method === "POST" ? authRoute.POST(request) : authRoute.GET(request)).then((r) => settle(r));
    },
  },
  "app/api/mcp/route.ts": {
    params: [],
    call: (d) => {
      const headers = credentialHeaders(d.who, d.headers);
      if (d.validId) headers.set("accept", "application/json, text/event-stream");
      const samples = [
        { jsonrpc: "2.0", id: 1, method: "tools/list", params: {} },
        { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "x", arguments: { topic: "fuzz" } } },
        { jsonrpc: "2.0", id: 3, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "fuzz", version: "1" } } },
      ];
      const request = new Request(`${BASE}/api/mcp`, { method: d.method === "GET" ? "GET" : "POST", headers, body: d.method === "POST" ? bodyText(d, samples[d.id.length % samples.length]) : undefined });
      return (d.method === "POST" ? mcpRoute.POST(request) : Promise.resolve(mcpRoute.GET())).then((r) => settle(r));
    },
  },
  "app/api/health/route.ts": { params: [], call: () => settle(healthRoute.GET()) },
  // Readiness answers 503 by design while no worker beats (none runs during the fuzz): that is its contract, not a fault.
  "app/api/ready/route.ts": { params: [], call: () => readyRoute.GET().then((r) => settle(r)), answers503: true },
  "app/api/metrics/route.ts": {
    params: [],
    call: (d) => metricsRoute.GET(new Request(withQuery(`${BASE}/api/metrics`, d.query), { headers: credentialHeaders(d.who, d.headers) })).then((r) => settle(r)),
  },
  "app/api/trpc/[trpc]/route.ts": {
    // The procedures themselves are fuzzed below; here the transport: unknown paths, batches, broken input.
    params: ["batch", "input"],
    call: (d) => {
      const names = ["no.such.procedure", "run.get,run.list", "workflow.list", d.id];
      const name = names[d.id.length % names.length] ?? "x";
      const url = withQuery(`${BASE}/api/trpc/${enc(name).replace(/%2C/g, ",")}`, d.query);
      const request = new Request(url, { method: d.method, headers: credentialHeaders(d.who, d.headers), body: d.method === "POST" ? bodyText(d, { 0: { runId: fixtures.runId } }) : undefined });
      return (d.method === "POST" ? trpcRoute.POST(request) : trpcRoute.GET(request)).then((r) => settle(r));
    },
  },
};


type ProcedureInfo = { path: string; type: "query" | "mutation" };
function procedures(): ProcedureInfo[] {
  const record = (appRouter._def as unknown as { procedures: Record<string, { _def: { type: "query" | "mutation" } }> }).procedures;
  return Object.entries(record).map(([name, procedure]) => ({ path: name, type: procedure._def.type }));
}

type TrpcDraw = {
  who: Identity;
  input: { kind: "mutated"; change: Mutation[] } | { kind: "json"; value: unknown } | { kind: "raw"; text: string } | { kind: "valid" };
  /** A query sent as POST or a mutation as GET; a batch of one. */
  transport: "right" | "wrongMethod" | "batch";
  headers: Record<string, string>;
};

const trpcDraw: fc.Arbitrary<TrpcDraw> = fc.record({
  who: fc.oneof({ weight: 8, arbitrary: fc.constant("owner" as const) }, { weight: 2, arbitrary: identity }),
  input: fc.oneof(
    { weight: 6, arbitrary: mutations.map((change) => ({ kind: "mutated" as const, change })) },
    { weight: 3, arbitrary: anyJson.map((value) => ({ kind: "json" as const, value })) },
    { weight: 1, arbitrary: rawBody.map((text) => ({ kind: "raw" as const, text })) },
    { weight: 1, arbitrary: fc.constant({ kind: "valid" as const }) },
  ),
  transport: fc.oneof({ weight: 8, arbitrary: fc.constant("right" as const) }, { weight: 1, arbitrary: fc.constantFrom("wrongMethod" as const, "batch" as const) }),
  // Mostly the right content type, so most requests reach the procedure's own checks.
  headers: fc.oneof({ weight: 9, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: headerNoise.map((h) => ({ ...(h["content-type"] ? { "content-type": h["content-type"] } : {}) })) }),
});

async function callTrpc(procedure: ProcedureInfo, draw: TrpcDraw, sample: unknown): Promise<Response> {
  const input =
    draw.input.kind === "raw" ? draw.input.text : JSON.stringify(draw.input.kind === "valid" ? sample : draw.input.kind === "json" ? draw.input.value : draw.input.change.reduce(applyMutation, sample));
  const headers = credentialHeaders(draw.who, draw.headers);
  const asQuery = (procedure.type === "query") !== (draw.transport === "wrongMethod");
  const batch = draw.transport === "batch";
  const url = `${BASE}/api/trpc/${procedure.path}${batch ? "?batch=1" : ""}`;
  const payload = input === undefined ? undefined : batch ? `{"0":${input}}` : input;
  const request = asQuery
    ? new Request(payload === undefined ? url : `${url}${batch ? "&" : "?"}input=${enc(payload)}`, { headers })
    : new Request(url, { method: "POST", headers, body: payload });
  return settle(await (asQuery ? trpcRoute.GET(request) : trpcRoute.POST(request)));
}

/** Writes allowed on an error answer: bookkeeping, not the request's effect (see the file comment). */
function isBookkeeping(write: RowWrite): boolean {
  if (write.table === "IdempotencyKey") return true;
  // better-auth's per-address request counter on /api/auth: counting refused requests is its purpose.
  if (write.table === "RateLimit") return true;
  if (write.op === "UPDATE" && write.columns.every((column) => ["lastUsedAt", "updatedAt", "expiresAt"].includes(column))) return true;
  return false;
}

type Failure = { target: string; status: number; detail: string };
const statuses = new Map<number, number>();
const fiveHundreds: Failure[] = [];
const partialWrites: Failure[] = [];
let requests = 0;

/** The request, for the failure list (a value nested thousands deep is too deep to print). */
function printable(describeRequest: () => string): string {
  try {
    return describeRequest();
  } catch {
    return "(a request too deeply nested to print)";
  }
}

async function send(target: string, describeRequest: () => string, call: () => Promise<Response>, options: { answers503?: true } = {}): Promise<void> {
  const mark = await writeLogMark(db);
  let status: number;
  let detail = "";
  try {
    const response = await call();
    status = response.status;
  } catch (error) {
    // A handler that throws is what Next turns into a 500.
    status = 500;
    detail = `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  }
  requests += 1;
  statuses.set(status, (statuses.get(status) ?? 0) + 1);
  if (status >= 500 && !(status === 503 && options.answers503)) fiveHundreds.push({ target, status, detail: `${detail} ${printable(describeRequest)}`.slice(0, 600) });
  if (status >= 400) {
    const writes = (await writesSince(db, mark)).filter((write) => !isBookkeeping(write));
    if (writes.length > 0) partialWrites.push({ target, status, detail: `${JSON.stringify(writes).slice(0, 300)} ${printable(describeRequest)}`.slice(0, 600) });
  }
}

beforeAll(async () => {
  // A worker is needed once, to bring runs to their human gate; it is closed before the fuzz so
  // that every row written during it is written by the request being checked.
  harness = await startHarness();
  db = harness.db;
  for (const role of ["owner", "operator", "viewer", "outsider", "signOut"] as const) users[role] = await createTestUser(`fuzz ${role}`);
  const workspaceId = await createWorkspaceWith(db, "Fuzz workspace", [
    { user: users.owner, role: "owner" },
    { user: users.operator, role: "operator" },
    { user: users.viewer, role: "viewer" },
  ]);
  const outsiderWorkspaceId = await createWorkspaceWith(db, "Fuzz outsider workspace", [{ user: users.outsider, role: "owner" }]);
  const system = { workspaceId, actor: { kind: "system" as const, name: "fuzz" }, ip: null };
  const ownerAccess = { ...system, role: "owner" as const, actor: { kind: "user" as const, id: users.owner.id, name: "owner", email: users.owner.email } };
  const workflow = (graph = outputOnlyGraph()) => createWorkflow(db, workspaceId, { name: `fuzz ${newId("wf")}`, graph }).then((w) => w.id);
  fixtures.workspaceId = workspaceId;
  fixtures.workflowId = await workflow(approvalGraph());
  fixtures.simpleWorkflowId = await workflow();
  fixtures.victimWorkflowId = await workflow();
  fixtures.versionId = (await publishVersion(db, workspaceId, fixtures.workflowId)).id;
  await publishVersion(db, workspaceId, fixtures.simpleWorkflowId);
  fixtures.runId = (await startRun(db, { workspaceId, workflowId: fixtures.workflowId, input: { topic: "fuzz" }, trigger: "manual", startedBy: "fuzz" })).runId;
  await waitUntil(async () => (await db.humanTask.count({ where: { runId: fixtures.runId, status: "pending" } })) === 1, "the fixture run waiting for a person", 30_000);
  fixtures.taskId = (await db.humanTask.findFirstOrThrow({ where: { runId: fixtures.runId, status: "pending" } })).id;
  await harness.worker?.close();
  fixtures.credentialId = (await createCredential(db, system, { name: "fuzzcred", secret: { kind: "secret", value: "fuzz credential value" }, allowedHosts: [] })).id;
  fixtures.channelId = (await createChannel(db, system, { kind: "email", name: "fuzz channel", recipients: { mode: "role", minRole: "operator" } })).id;
  await db.notificationChannel.update({ where: { id: fixtures.channelId }, data: { enabled: false } });
  fixtures.viewerMemberId = (await db.member.findFirstOrThrow({ where: { workspaceId, userId: users.viewer.id } })).id;
  const invitation = await createInvitation(db, ownerAccess, { role: "viewer" });
  fixtures.invitationId = invitation.id;
  const revoked = await createInvitation(db, ownerAccess, { role: "viewer" });
  await revokeInvitation(db, ownerAccess, revoked.id);
  fixtures.revokedInviteToken = revoked.url.slice(revoked.url.lastIndexOf("/") + 1);
  const triggerToken = await createTriggerToken(db, system, fixtures.simpleWorkflowId);
  fixtures.triggerToken = triggerToken.token;
  fixtures.triggerTokenId = (await createTriggerToken(db, system, fixtures.workflowId)).id;
  const key = await createTestApiKey(db, workspaceId, ["admin"]);
  fixtures.apiKey = key.token;
  fixtures.apiKeyId = (await createTestApiKey(db, workspaceId, ["read"])).id;
  fixtures.outsiderKey = (await createTestApiKey(db, outsiderWorkspaceId, ["admin"])).token;
  fixtures.scheduleId = (await createSchedule(db, system, fixtures.victimWorkflowId, { name: "fuzz schedule", cron: "0 9 * * 1-5", timeZone: "Europe/Paris", enabled: false, input: null, missedPolicy: "skip" })).id;
  // Anthropic-kind at an address nothing answers: its Test fails at once, without a request out.
  fixtures.providerId = (await createWorkspaceProvider(db, system, { name: "fuzz-provider", kind: "anthropic", baseUrl: "http://127.0.0.1:9/v1", apiKey: "sk-ant-fuzz" })).id;
  fixtures.mcpServerId = (await createMcpServer(db, system, { transport: "http", name: "fuzz-mcp", url: "http://127.0.0.1:9/mcp" })).id;
  await installWriteLog(db);
}, 120_000);

afterAll(async () => {
  if (db) await uninstallWriteLog(db);
  await harness?.stop();
});

describe("fuzzing every REST route and tRPC procedure", () => {
  it("every REST route file has a request maker here", () => {
    expect(routeFiles().sort()).toEqual(Object.keys(ROUTES).sort());
  });

  it(`≥ 5,000 generated requests: no 5xx, no partial writes (seed ${SEED})`, async () => {
    const started = Date.now();
    let seed = SEED;
    for (const [file, route] of Object.entries(ROUTES)) {
      const draws = fc.sample(restDraw(route.params), { numRuns: RUNS_PER_ROUTE, seed: seed++ });
      for (const draw of draws) await send(file, () => JSON.stringify(draw).slice(0, 400), () => route.call(draw), route);
    }
    const samples = fuzzSamples(fixtures);
    const withoutSample: string[] = [];
    for (const procedure of procedures()) {
      if (!(procedure.path in samples)) withoutSample.push(procedure.path);
      const sample = samples[procedure.path];
      const draws = fc.sample(trpcDraw, { numRuns: RUNS_PER_PROCEDURE, seed: seed++ });
      for (const draw of draws) await send(`trpc ${procedure.path}`, () => JSON.stringify(draw).slice(0, 400), () => callTrpc(procedure, draw, sample));
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const histogram = [...statuses.entries()].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`).join(" ");
    console.log(
      `[fuzz] seed ${SEED}: ${requests} requests in ${seconds} s over ${Object.keys(ROUTES).length} REST routes and ${procedures().length} tRPC procedures; ` +
        `statuses ${histogram}; 5xx: ${fiveHundreds.length}; partial writes: ${partialWrites.length}` +
        (withoutSample.length > 0 ? `; procedures fuzzed without a valid sample to mutate: ${withoutSample.join(", ")}` : ""),
    );
    for (const failure of [...fiveHundreds.slice(0, 10), ...partialWrites.slice(0, 10)]) console.log(`[fuzz] ${failure.target} → ${failure.status}: ${failure.detail}`);
    expect(requests).toBeGreaterThanOrEqual(5_000);
    // The fuzz stayed meaningful: the owner's session still works (a fuzzed sign-out did not end it
    // and turn every later request into a 401).
    const me = await trpcRoute.GET(new Request(`${BASE}/api/trpc/account.me`, { headers: credentialHeaders("owner") }));
    expect(me.status, "the owner's session after the fuzz").toBe(200);
    expect(statuses.get(401) ?? 0, "401s: most requests are sent with a valid identity").toBeLessThan(requests / 4);
    expect(fiveHundreds, "requests answered 5xx").toEqual([]);
    expect(partialWrites, "error answers that committed rows").toEqual([]);
  }, 600_000);
});
