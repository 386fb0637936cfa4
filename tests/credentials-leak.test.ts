import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startHarness, waitForRun, waitUntil, type Harness } from "./support/harness";
import { createTestUser, createWorkspaceWith, type TestUser } from "./support/identities";
import type { Db } from "../server/db";
import { setLogDestination } from "../server/ops/log";
import type { WorkspaceAccess } from "../server/auth/access";
import { buildGraph } from "../server/engine/test-helpers";
import type { Graph } from "../server/engine/graph";
import { createWorkflow } from "../server/workflows/workflows";
import { startRun } from "../server/runs/start-run";
import { respondToHumanTask } from "../server/runs/respond-human";
import { getRunEvents } from "../server/runs/queries";
import { createCredential, updateCredential } from "../server/vault/credential-store";
import type { CredentialSecret } from "../server/vault/credential-kinds";
import * as trpcRoute from "../app/api/trpc/[trpc]/route";
import runEventsRoute from "../pages/api/runs/[runId]/events";
import { callNodeRoute } from "./support/node-route";

/**
 * The secrets rule, end to end on real parts: a known secret is planted as a credential of
 * every kind, workflows use it from tool nodes and from an agent (through the demo model over
 * HTTP, with people approving the calls, once with edited arguments) against a local server
 * that ECHOES every header, the query string and the body back. The server must have received
 * the secret — and nothing the app stores, returns to a browser, streams or logs may hold it:
 * the event log, the runs, the human tasks, the audit trail, the credential rows, every tRPC
 * response a browser would get, every SSE stream, and the worker process's output.
 */

const BASE = "http://localhost:3100";
/** Base62, so the core survives JSON escaping and URL encoding unchanged and is what we grep for. */
const core = () => Array.from(randomBytes(24), (byte) => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[byte % 62]).join("");
const CORE = core();
const ROTATED_CORE = core();
/** `"`, `/` and `+` make the JSON-escaped and URL-encoded spellings differ from the raw one. */
const SECRET = `sk-LEAKCHECK-${CORE}"/+`;
const ROTATED = `sk-LEAKCHECK-${ROTATED_CORE}"/+`;
const BASIC_USER = "deploy-bot";

let harness: Harness;
let db: Db;
let admin: TestUser;
let workspaceId: string;
let access: WorkspaceAccess;
let worker: ChildProcess;
let workerLog = "";
const consoleLog: string[] = [];
const runIds: string[] = [];
const workflowIds: string[] = [];

type Hit = { path: string; method: string; headers: IncomingMessage["headers"]; body: string };
const echoHits: Hit[] = [];
const awayHits: Hit[] = [];
let echo: Server;
let away: Server;
let E = "";

function recordingServer(hits: Hit[], respond: (hit: Hit) => { status: number; headers: Record<string, string>; body: string }): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const hit = { path: req.url ?? "", method: req.method ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      hits.push(hit);
      const reply = respond(hit);
      res.writeHead(reply.status, reply.headers);
      res.end(reply.body);
    });
  });
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** Every way the stored or shown text could spell a planted secret. */
function needles(): string[] {
  const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
  const base64url = (text: string) => Buffer.from(text, "utf8").toString("base64url");
  return [
    CORE,
    ROTATED_CORE,
    // A clipped secret: its start, well short of the core.
    `LEAKCHECK-${CORE.slice(0, 6)}`,
    `LEAKCHECK-${ROTATED_CORE.slice(0, 6)}`,
    ...[SECRET, ROTATED].flatMap((secret) => [
      secret,
      JSON.stringify(secret).slice(1, -1),
      encodeURIComponent(secret),
      secret.replace(/"/g, "%22"),
      base64(secret),
      base64url(secret),
      base64(`${BASIC_USER}:${secret}`),
    ]),
  ];
}

/** How many times any needle occurs in `text`. */
function hits(text: string): number {
  let count = 0;
  for (const needle of needles()) for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) count += 1;
  return count;
}

function startWorkerProcess(): ChildProcess {
  const root = path.resolve(import.meta.dirname, "..");
  const child = spawn(process.execPath, ["--import", "tsx", "workers/main.ts"], { cwd: root, env: { ...process.env }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (chunk: Buffer) => (workerLog += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (workerLog += chunk.toString()));
  return child;
}

async function credential(name: string, secret: CredentialSecret, allowedHosts: string[] = []): Promise<string> {
  return (await createCredential(db, access, { name, secret, allowedHosts })).id;
}

async function workflow(name: string, graph: Graph): Promise<string> {
  const { id } = await createWorkflow(db, workspaceId, { name, graph });
  workflowIds.push(id);
  return id;
}

async function run(workflowId: string, input: unknown = {}): Promise<string> {
  const { runId } = await startRun(db, { workspaceId, workflowId, input, trigger: "manual", startedBy: "leak test" });
  runIds.push(runId);
  return runId;
}

/** Approves every tool call the run asks about, with edited arguments where `edit` returns some. */
async function approveUntilDone(runId: string, edit: (argumentsText: string) => string | undefined = () => undefined) {
  let approvals = 0;
  for (;;) {
    const current = await waitForRun(db, runId, ["waiting_for_human", "succeeded", "failed", "rejected", "cancelled"], 30_000);
    if (current.status !== "waiting_for_human") return { run: current, approvals };
    const task = await db.humanTask.findFirst({ where: { runId, status: "pending" } });
    if (!task) continue;
    expect(task.kind).toBe("tool_approval");
    const context = task.context as { arguments?: string };
    const editedArguments = edit(context.arguments ?? "");
    await respondToHumanTask(db, access, { taskId: task.id, decision: "approve", ...(editedArguments ? { editedArguments } : {}) });
    approvals += 1;
    await waitUntil(async () => (await db.humanTask.findUnique({ where: { id: task.id } }))?.status !== "pending", "the answer to be recorded");
  }
}

async function toolResults(runId: string) {
  return (await getRunEvents(db, runId)).flatMap((event) => (event.type === "tool_result" ? [event] : []));
}

const hitsAt = (prefix: string) => echoHits.filter((hit) => hit.path.startsWith(prefix));
const toolNode = (id: string, args: Record<string, unknown>, approval = "default"): [string, "tool", Record<string, unknown>] => [
  id,
  "tool",
  { tool: "http_request", arguments: JSON.stringify(args), approval },
];
const chain = (nodes: Array<[string, Graph["nodes"][number]["type"], Record<string, unknown>?]>) =>
  buildGraph(
    [["trigger", "trigger"], ...nodes, ["out", "output"]],
    [["trigger", nodes[0]?.[0] ?? "out"], ...nodes.map((node, i): [string, string] => [node[0], nodes[i + 1]?.[0] ?? "out"])],
  );

beforeAll(async () => {
  echo = recordingServer(echoHits, (hit): { status: number; headers: Record<string, string>; body: string } =>
    hit.path === "/redirect-away"
      ? { status: 307, headers: { location: `http://127.0.0.1:${(away.address() as AddressInfo).port}/stolen` }, body: "" }
      : // The worst case: everything the request carried comes back in the response.
        { status: 200, headers: { "content-type": "application/json", link: String(hit.headers.authorization ?? "") }, body: JSON.stringify(hit) },
  );
  away = recordingServer(awayHits, (hit) => ({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(hit) }));
  E = `http://127.0.0.1:${await listen(echo)}`;
  await listen(away);
  harness = await startHarness({ worker: false, env: { HTTP_ALLOW_PRIVATE_HOSTS: "127.0.0.1" } });
  db = harness.db;
  // Everything this process prints (the tRPC and SSE handlers run here) is searched too.
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    const original = console[method].bind(console);
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      consoleLog.push(args.map((arg) => (arg instanceof Error ? `${arg.message}\n${arg.stack ?? ""}` : typeof arg === "string" ? arg : JSON.stringify(arg))).join(" "));
      original(...args);
    });
  }
  // …and so is what its logger writes (server/ops/log.ts goes to stdout, not through console).
  setLogDestination({ write: (line: string) => void consoleLog.push(line) });
  admin = await createTestUser("vault-admin");
  workspaceId = await createWorkspaceWith(db, "Leak check", [{ user: admin, role: "admin" }]);
  access = { workspaceId, actor: { kind: "user", id: admin.id, name: admin.name, email: admin.email }, role: "admin", ip: null };

  await credential("ghBearer", { kind: "bearer", token: SECRET }, ["127.0.0.1"]);
  await credential("partnerKey", { kind: "header", name: "X-Partner-Key", value: SECRET });
  await credential("plainSecret", { kind: "secret", value: SECRET });
  await credential("basicLogin", { kind: "basic", username: BASIC_USER, password: SECRET });
  await credential("fenced", { kind: "bearer", token: SECRET }, ["api.example.com"]);

  worker = startWorkerProcess();
  await waitUntil(() => workerLog.includes("[worker] ready"), "the worker process to start", 30_000);
}, 90_000);

afterAll(async () => {
  vi.restoreAllMocks();
  setLogDestination(null);
  if (worker && worker.exitCode === null) {
    const exited = new Promise((resolve) => worker.once("exit", resolve));
    worker.kill("SIGTERM");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (worker.exitCode === null) worker.kill("SIGKILL");
  }
  await harness?.stop();
  for (const server of [echo, away]) await new Promise((resolve) => server?.close(resolve));
});

describe("credentials reach the service and nothing else", () => {
  it("tool nodes: picker (bearer, header, basic) and templates in a header and the query string; an edited approval; an injected reference stays text", async () => {
    const id = await workflow(
      "tool nodes",
      chain([
        toolNode("pick", { url: `${E}/a/bearer`, method: "POST", credential: "ghBearer", body: "note={{input.note}}" }),
        toolNode("hdr", { url: `${E}/a/header`, credential: "partnerKey" }),
        toolNode("tpl", { url: `${E}/a/tpl?key={{credentials.plainSecret}}`, headers: { "X-Sig": "sig {{credentials.plainSecret}}" } }),
        toolNode("basic", { url: `${E}/a/basic`, credential: "basicLogin" }),
      ]),
    );
    // Run data naming a credential the node itself uses: it must still arrive as text.
    const runId = await run(id, { note: "{{credentials.ghBearer}}" });
    const { run: done, approvals } = await approveUntilDone(runId, (args) =>
      args.includes("/a/header") ? JSON.stringify({ url: `${E}/a/header-edited`, credential: "partnerKey" }) : undefined,
    );
    expect(done.status).toBe("succeeded");
    expect(approvals).toBe(4);

    // The service got the real secret, in every form it was meant to.
    expect(hitsAt("/a/bearer").map((hit) => [hit.headers.authorization, hit.body])).toEqual([[`Bearer ${SECRET}`, "note={{credentials.ghBearer}}"]]);
    expect(hitsAt("/a/header")).toHaveLength(1);
    expect(hitsAt("/a/header-edited").map((hit) => hit.headers["x-partner-key"])).toEqual([SECRET]);
    expect(hitsAt("/a/tpl").map((hit) => [decodeURIComponent(hit.path.split("key=")[1] ?? ""), hit.headers["x-sig"]])).toEqual([[SECRET, `sig ${SECRET}`]]);
    expect(hitsAt("/a/basic").map((hit) => hit.headers.authorization)).toEqual([`Basic ${Buffer.from(`${BASIC_USER}:${SECRET}`).toString("base64")}`]);
    // What the run recorded is the echo with every spelling of the secret replaced.
    const results = await toolResults(runId);
    expect(results.map((result) => result.ok)).toEqual([true, true, true, true]);
    expect(JSON.stringify(results)).toContain("[redacted]");
  });

  it("an agent: picker and templates from its allowlist; a name outside it, or added by a reviewer's edit, is a tool error and nothing is sent", async () => {
    const task = [
      "Call the services.",
      `#demo:call:http_request {"url":"${E}/b/pick","credential":"ghBearer"}`,
      `#demo:call:http_request {"url":"${E}/b/tpl?key={{credentials.plainSecret}}","headers":{"X-Sig":"{{credentials.plainSecret}}"}}`,
      `#demo:call:http_request {"url":"${E}/b/denied","credential":"basicLogin"}`,
      `#demo:call:http_request {"url":"${E}/b/edit-me"}`,
    ].join("\n");
    const id = await workflow("agent", chain([["agent", "agent", { task, allowedTools: ["http_request"], credentials: ["ghBearer", "plainSecret"] }]]));
    const runId = await run(id);
    const { run: done, approvals } = await approveUntilDone(runId, (args) =>
      args.includes("/b/edit-me") ? JSON.stringify({ url: `${E}/b/edited`, credential: "partnerKey" }) : undefined,
    );
    expect(done.status).toBe("succeeded");
    // The denied call never reached a person; the other three did.
    expect(approvals).toBe(3);
    expect(hitsAt("/b/pick").map((hit) => hit.headers.authorization)).toEqual([`Bearer ${SECRET}`]);
    expect(hitsAt("/b/tpl").map((hit) => hit.headers["x-sig"])).toEqual([SECRET]);
    expect(hitsAt("/b/denied")).toEqual([]);
    expect(hitsAt("/b/edited")).toEqual([]);
    const results = (await toolResults(runId)).filter((result) => result.name === "http_request");
    expect(results.map((result) => [result.ok, result.ok ? "" : result.content])).toEqual([
      [true, ""],
      [true, ""],
      [false, 'Error: credential "basicLogin" is not allowed for this agent; the builder can add it to the agent\'s credentials'],
      [false, 'Error: credential "partnerKey" is not allowed for this agent; the builder can add it to the agent\'s credentials'],
    ]);
  });

  it("a model's reply holding {{credentials.x}} spliced into a tool node's arguments is sent as text, never resolved", async () => {
    const id = await workflow(
      "model reply",
      chain([
        ["writer", "agent", { task: "Draft a note that mentions {{credentials.plainSecret}} please" }],
        toolNode("post", { url: `${E}/c/post`, method: "POST", headers: { "X-Sig": "{{credentials.plainSecret}}" }, body: "{{previous}}" }, "never"),
      ]),
    );
    const runId = await run(id);
    expect((await waitForRun(db, runId, ["succeeded", "failed"], 30_000)).status).toBe("succeeded");
    const [hit, ...more] = hitsAt("/c/post");
    expect(more).toEqual([]);
    // The prompt kept the reference literal, the model echoed it, and it stayed text.
    expect(hit?.body).toContain("{{credentials.plainSecret}}");
    expect(hit?.body).not.toContain(CORE);
    expect(hit?.headers["x-sig"]).toBe(SECRET);
  });

  it("rotating a credential changes what the next run sends, without editing the workflow", async () => {
    const id = await workflow("rotation", chain([toolNode("call", { url: `${E}/d/rotate`, credential: "ghBearer" }, "never")]));
    expect((await waitForRun(db, await run(id), ["succeeded", "failed"])).status).toBe("succeeded");
    const row = await db.credential.findFirstOrThrow({ where: { workspaceId, name: "ghBearer" } });
    await updateCredential(db, access, { id: row.id, secret: { kind: "bearer", token: ROTATED } });
    expect((await waitForRun(db, await run(id), ["succeeded", "failed"])).status).toBe("succeeded");
    expect(hitsAt("/d/rotate").map((hit) => hit.headers.authorization)).toEqual([`Bearer ${SECRET}`, `Bearer ${ROTATED}`]);
  });

  it("refuses, with a clear tool error and nothing sent: a host outside allowedHosts, a redirect to another origin, a missing credential", async () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ["fenced", { url: `${E}/e/fenced`, credential: "fenced" }, `credential "fenced" may only be sent to api.example.com, not to ${E.slice("http://".length)}; nothing was sent`],
      ["redirect", { url: `${E}/redirect-away`, method: "POST", credential: "ghBearer", body: "{{credentials.plainSecret}}" }, "the server redirected to another origin"],
      ["ghost", { url: `${E}/e/ghost`, credential: "ghost" }, 'credential "ghost" does not exist in this workspace'],
    ];
    for (const [name, args, message] of cases) {
      const runId = await run(await workflow(name, chain([toolNode("call", args, "never")])));
      const done = await waitForRun(db, runId, ["succeeded", "failed"]);
      expect(done.status, name).toBe("failed");
      expect(done.error, name).toContain(message);
    }
    expect(hitsAt("/e/")).toEqual([]);
    // The redirecting server was asked once; the other origin never.
    expect(hitsAt("/redirect-away")).toHaveLength(1);
    expect(awayHits).toEqual([]);
  });

  it("leaves no trace of the secret in storage, API responses, SSE streams or logs", async () => {
    // The secret was sent: the needles do find it where it is meant to be.
    expect(hits(JSON.stringify(echoHits))).toBeGreaterThan(10);
    expect(hits(SECRET) * hits(ROTATED)).toBeGreaterThan(0);
    expect(runIds.length).toBe(8);

    const found: Record<string, number> = {};
    const look = (where: string, value: unknown) => {
      found[where] = (found[where] ?? 0) + hits(typeof value === "string" ? value : JSON.stringify(value));
    };
    const counts: Record<string, number> = {};

    // Every stored row that concerns this workspace's runs, workflows, people and credentials.
    const steps = await db.runStep.findMany({ where: { run: { workspaceId } } });
    const runs = await db.run.findMany({ where: { workspaceId } });
    const tasks = await db.humanTask.findMany({ where: { run: { workspaceId } } });
    const audit = await db.auditEntry.findMany({ where: { workspaceId } });
    const credentials = await db.credential.findMany({ where: { workspaceId } });
    const workflows = await db.workflow.findMany({ where: { workspaceId } });
    const versions = await db.workflowVersion.findMany({ where: { workflowId: { in: workflowIds } } });
    Object.assign(counts, { runSteps: steps.length, runs: runs.length, humanTasks: tasks.length, auditEntries: audit.length, credentials: credentials.length });
    look("RunStep.payload", steps.map((step) => step.payload));
    look("Run.state/output/input/error", runs.map((row) => [row.state, row.output, row.input, row.error]));
    look("HumanTask", tasks);
    look("AuditEntry", audit);
    look("Credential.sealed/preview", credentials.map((row) => [row.sealed, row.preview]));
    look("Workflow/WorkflowVersion", [workflows, versions]);
    expect(steps.length).toBeGreaterThan(50);
    expect(tasks.length).toBe(7);
    expect(audit.some((entry) => entry.action === "human_task.arguments_edited")).toBe(true);

    // What a browser gets: the tRPC procedures, as the admin (who sees the most).
    const call = async (procedure: string, input?: unknown) => {
      const url = `${BASE}/api/trpc/${procedure}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`}`;
      const response = await trpcRoute.GET(new Request(url, { headers: { cookie: admin.cookie, host: "localhost:3100" } }));
      const text = await response.text();
      expect(response.status, `${procedure}: ${text.slice(0, 200)}`).toBe(200);
      look(`tRPC ${procedure}`, text);
      counts.trpcResponses = (counts.trpcResponses ?? 0) + 1;
      return text;
    };
    for (const runId of runIds) expect(await call("run.get", { runId })).toContain(runId);
    await call("run.list", {});
    await call("human.pending", {});
    for (const id of workflowIds) {
      await call("workflow.get", { id });
      const exported = await call("workflow.export", { id });
      expect(exported).toMatch(/ghBearer|plainSecret|partnerKey|basicLogin|fenced|ghost/);
    }
    expect(await call("credentials.list")).toContain("basicLogin");
    expect(await call("audit.list", {})).toContain("credential.updated");

    // Every run's SSE stream, read to its end.
    for (const runId of runIds) {
      const response = await callNodeRoute(runEventsRoute, new Request(`${BASE}/api/runs/${runId}/events`, { headers: { cookie: admin.cookie, host: "localhost:3100" } }));
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toContain("run_finished");
      look("SSE", text);
      counts.sseBytes = (counts.sseBytes ?? 0) + text.length;
    }

    look("worker process stdout/stderr", workerLog);
    look("this process's console", consoleLog.join("\n"));
    counts.workerLogBytes = workerLog.length;

    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((where) => [where, 0])));
    process.stdout.write(`credentials-leak: searched ${JSON.stringify(counts)}; hits ${JSON.stringify(found)}\n`);
  });
});
