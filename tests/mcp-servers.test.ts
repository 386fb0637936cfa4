import path from "node:path";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitForRun, type Harness } from "./support/harness";
import { createTestUser, createWorkspaceWith, type TestUser } from "./support/identities";
import { startMcpTestServer, type McpTestServer } from "./support/mcp-test-server";
import { appRouter } from "../server/api/root";
import { createCallerFactory, createTrpcContext } from "../server/api/trpc";
import { buildGraph } from "../server/engine/test-helpers";
import type { McpToolRef } from "../server/engine/agent-tools";
import { createWorkflow } from "../server/workflows/workflows";
import { startRun } from "../server/runs/start-run";
import { getRunEvents } from "../server/runs/queries";
import { respondToHumanTask } from "../server/runs/respond-human";
import { InvalidWorkflowError } from "../server/errors";

/**
 * MCP servers as agent tools, end to end against a real MCP server (the official SDK's
 * Server behind Streamable HTTP on loopback, and one over stdio): added through the tRPC
 * procedures a browser calls, its tools listed and snapshotted (a broken schema refused with
 * the reason), then called by agents in real runs through the worker — an answer, a hanging
 * tool bounded by the timeout, a destructive tool waiting for a person, the vault's auth
 * header reaching the server and never the log.
 */

const SECRET = "Bearer mcp-test-secret-value-123";
const STDIO_SCRIPT = path.resolve(__dirname, "support/mcp-stdio-server.mjs");
const STDIO_COMMAND = `node ${STDIO_SCRIPT}`;

let harness: Harness;
let mcp: McpTestServer;
let owner: TestUser;
let editor: TestUser;
let workspaceId: string;

const createCaller = createCallerFactory(appRouter);
async function callerFor(user: TestUser) {
  const req = new Request("http://localhost:3100/api/trpc", { headers: { cookie: user.cookie, host: "localhost:3100" } });
  return createCaller(await createTrpcContext({ req, resHeaders: new Headers() }));
}

beforeAll(async () => {
  mcp = await startMcpTestServer({ requiredAuth: SECRET });
  // Loopback is a private address: allowed here only as tests allow it for http_request.
  harness = await startHarness({ env: { HTTP_ALLOW_PRIVATE_HOSTS: "127.0.0.1", MCP_STDIO_COMMANDS: `${STDIO_COMMAND}, npx some-other-server` } });
  owner = await createTestUser("mcp owner");
  editor = await createTestUser("mcp editor");
  workspaceId = await createWorkspaceWith(harness.db, "MCP workspace", [
    { user: owner, role: "owner" },
    { user: editor, role: "editor" },
  ]);
}, 60_000);

afterAll(async () => {
  await harness.stop();
  await mcp.close();
});

async function expectTrpcError(promise: Promise<unknown>, code: TRPCError["code"], message?: RegExp) {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(TRPCError);
  expect((error as TRPCError).code).toBe(code);
  if (message) expect((error as TRPCError).message).toMatch(message);
}

let serverId: string;

async function toolRef(tool: string): Promise<McpToolRef> {
  const choices = await (await callerFor(editor)).mcpServers.toolChoices();
  const server = choices.find((group) => group.serverId === serverId);
  const choice = server?.tools.find((candidate) => candidate.tool === tool);
  if (!server || !choice) throw new Error(`tool ${tool} not offered`);
  return { name: choice.suggestedName, serverId: server.serverId, serverName: server.serverName, tool: choice.tool, description: choice.description, inputSchema: choice.inputSchema, destructive: choice.destructive };
}

async function runAgent(mcpTools: McpToolRef[], task: string, extra: Record<string, unknown> = {}) {
  const graph = buildGraph(
    [["trigger", "trigger"], ["agent", "agent", { task, mcpTools, ...extra }], ["out", "output"]],
    [["trigger", "agent"], ["agent", "out"]],
  );
  const { id } = await createWorkflow(harness.db, workspaceId, { name: `mcp ${Date.now()} ${Math.random()}`, graph });
  const { runId } = await startRun(harness.db, { workspaceId, workflowId: id, input: {}, trigger: "manual", startedBy: "mcp test" });
  return runId;
}

async function toolResults(runId: string) {
  return (await getRunEvents(harness.db, runId)).flatMap((event) => (event.type === "tool_result" ? [event] : []));
}

describe("MCP servers in Settings", () => {
  it("adds a Streamable HTTP server with a sealed auth header the client never sees again", async () => {
    const api = await callerFor(owner);
    const created = await api.mcpServers.create({ transport: "http", name: "testmcp", url: mcp.url, authValue: SECRET, callTimeoutSeconds: 2 });
    serverId = created.id;
    const listed = await (await callerFor(editor)).mcpServers.list();
    const server = listed.servers.find((row) => row.id === serverId);
    expect(server).toMatchObject({ name: "testmcp", transport: "http", url: mcp.url, authHeaderName: "Authorization", authValueSet: true, tools: [] });
    expect(JSON.stringify(listed)).not.toContain("mcp-test-secret-value");
    const row = await harness.db.mcpServer.findUniqueOrThrow({ where: { id: serverId } });
    expect(row.sealedAuthValue).toBeTruthy();
    expect(row.sealedAuthValue).not.toContain("mcp-test-secret-value");
    expect(listed.stdioCommands).toEqual([STDIO_COMMAND, "npx some-other-server"]);
  });

  it("refreshes the tools: a snapshot in Postgres, the broken schema refused with the reason", async () => {
    const result = await (await callerFor(owner)).mcpServers.refresh({ id: serverId });
    if (!result.ok) throw new Error(result.error);
    const byName = new Map(result.tools.map((tool) => [tool.tool, tool]));
    expect(byName.get("add")).toMatchObject({ refused: null, destructive: false, description: "Add two numbers and return the sum." });
    expect(byName.get("add")?.inputSchema).toMatchObject({ type: "object", required: ["a", "b"] });
    expect(byName.get("delete_records")).toMatchObject({ refused: null, destructive: true });
    expect(byName.get("broken_schema")?.refused).toMatch(/not a valid JSON Schema object: .*"banana" is not a JSON Schema type/);
    const row = await harness.db.mcpServer.findUniqueOrThrow({ where: { id: serverId } });
    expect(row.toolsRefreshedAt).not.toBeNull();
    expect((row.tools as unknown[]).length).toBe(result.tools.length);
    // The credential header reached the server.
    expect(mcp.authHeaders).toContain(SECRET);

    const choices = await (await callerFor(editor)).mcpServers.toolChoices();
    const offered = choices.find((group) => group.serverId === serverId)?.tools.map((tool) => tool.suggestedName);
    expect(offered).toContain("testmcp__add");
    expect(offered).not.toContain("testmcp__broken_schema");
  });

  it("says in plain words why a server cannot be used: 401, unreachable, not MCP, private address", async () => {
    const api = await callerFor(owner);
    const attempt = async (name: string, url: string, authValue?: string) => {
      const { id } = await api.mcpServers.create({ transport: "http", name, url, ...(authValue ? { authValue } : {}) });
      const result = await api.mcpServers.refresh({ id });
      expect(result.ok).toBe(false);
      const row = await harness.db.mcpServer.findUniqueOrThrow({ where: { id } });
      expect(row.lastError).toBe(result.ok ? null : result.error);
      return result.ok ? "" : result.error;
    };
    expect(await attempt("wrongkey", mcp.url, "Bearer wrong")).toMatch(/refused the credentials \(HTTP 401\)/);
    expect(await attempt("closed", "http://127.0.0.1:9/mcp")).toMatch(/unreachable/);
    expect(await attempt("notmcp", mcp.url.replace(/\/mcp$/, "/elsewhere"), SECRET)).toMatch(/not an MCP server/);
    expect(await attempt("metadata", "http://169.254.169.254/mcp")).toMatch(/blocked: 169\.254\.169\.254 is/);
  });

  it("refuses bad input with 400 naming the field, and changes to non-admins", async () => {
    const api = await callerFor(owner);
    await expectTrpcError(api.mcpServers.create({ transport: "http", name: "bad url", url: "ftp://example.com" }), "BAD_REQUEST", /http\(s\) URL/);
    await expectTrpcError(api.mcpServers.create({ transport: "http", name: "testmcp", url: mcp.url }), "BAD_REQUEST", /already exists/);
    const asEditor = await callerFor(editor);
    await expectTrpcError(asEditor.mcpServers.create({ transport: "http", name: "by editor", url: mcp.url }), "FORBIDDEN");
    await expectTrpcError(asEditor.mcpServers.refresh({ id: serverId }), "FORBIDDEN");
    await expectTrpcError(asEditor.mcpServers.delete({ id: serverId }), "FORBIDDEN");
  });

  it("audits create, update and delete without the secret", async () => {
    const api = await callerFor(owner);
    const { id } = await api.mcpServers.create({ transport: "http", name: "audited", url: mcp.url, authValue: SECRET });
    await api.mcpServers.update({ id, authValue: "Bearer another-secret-456", callTimeoutSeconds: 5 });
    await api.mcpServers.delete({ id });
    const entries = await harness.db.auditEntry.findMany({ where: { workspaceId, targetId: id }, orderBy: { at: "asc" } });
    expect(entries.map((entry) => entry.action)).toEqual(["mcp_server.created", "mcp_server.updated", "mcp_server.deleted"]);
    expect(JSON.stringify(entries)).not.toMatch(/mcp-test-secret-value|another-secret-456/);
    expect(await harness.db.mcpServer.findUnique({ where: { id } })).toBeNull();
  });
});

describe("stdio servers", () => {
  it("are refused for non-admins and for commands outside the operator's allowlist", async () => {
    await expectTrpcError((await callerFor(editor)).mcpServers.create({ transport: "stdio", name: "local", command: STDIO_COMMAND }), "FORBIDDEN");
    await expectTrpcError(
      (await callerFor(owner)).mcpServers.create({ transport: "stdio", name: "local", command: "node -e 'require(\"child_process\")'" }),
      "BAD_REQUEST",
      /not one of the commands the operator allows/,
    );
  });

  it("run an allowlisted command, list its tools and answer an agent's call", async () => {
    const api = await callerFor(owner);
    const { id } = await api.mcpServers.create({ transport: "stdio", name: "local", command: STDIO_COMMAND });
    const result = await api.mcpServers.refresh({ id });
    if (!result.ok) throw new Error(result.error);
    expect(result.tools.map((tool) => tool.tool)).toEqual(["add"]);
    const choice = (await api.mcpServers.toolChoices()).find((group) => group.serverId === id)?.tools[0];
    if (!choice) throw new Error("stdio tool not offered");
    const ref: McpToolRef = { name: choice.suggestedName, serverId: id, serverName: "local", tool: "add", description: choice.description, inputSchema: choice.inputSchema, destructive: false };
    expect(ref.name).toBe("local__add");
    const runId = await runAgent([ref], '#demo:call:local__add {"a": 20, "b": 22}');
    await waitForRun(harness.db, runId, ["succeeded"], 30_000);
    const [first] = await toolResults(runId);
    expect(first).toMatchObject({ name: "local__add", ok: true, content: "stdio sum = 42" });
  });
});

describe("agents calling MCP tools", () => {
  it("send the tool's schema to the model and get the server's answer", async () => {
    const runId = await runAgent([await toolRef("add")], '#demo:call:testmcp__add {"a": 2, "b": 3}');
    const run = await waitForRun(harness.db, runId, ["succeeded", "failed"], 30_000);
    expect(run.status).toBe("succeeded");
    const [first] = await toolResults(runId);
    expect(first).toMatchObject({ name: "testmcp__add", ok: true, content: "sum = 5" });
  });

  it("bound a hanging tool by the server's timeout; the run goes on", async () => {
    const started = Date.now();
    const runId = await runAgent([await toolRef("hang")], "#demo:call:testmcp__hang {}");
    const run = await waitForRun(harness.db, runId, ["succeeded", "failed"], 30_000);
    expect(run.status).toBe("succeeded");
    const [first] = await toolResults(runId);
    expect(first?.ok).toBe(false);
    expect(first?.content).toMatch(/hang on MCP server "testmcp": .* did not answer within 2 s \(timeout\)/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("report an isError result as a tool error, and clip a huge answer", async () => {
    const runId = await runAgent([await toolRef("fail"), await toolRef("big")], "#demo:call:testmcp__fail {}\n#demo:call:testmcp__big {}");
    await waitForRun(harness.db, runId, ["succeeded"], 30_000);
    const [failed, big] = await toolResults(runId);
    expect(failed).toMatchObject({ ok: false, content: "Error: the database is read-only today" });
    expect(big?.ok).toBe(true);
    expect(big?.content.length).toBeLessThanOrEqual(8_100);
    expect(big?.content).toMatch(/truncated|cut/);
  });

  it("send the vault's header to the server and keep its value out of the log", async () => {
    const runId = await runAgent([await toolRef("whoami")], "#demo:call:testmcp__whoami {}");
    await waitForRun(harness.db, runId, ["succeeded"], 30_000);
    const [first] = await toolResults(runId);
    expect(first?.content).toBe("authorization: [redacted]");
    expect(mcp.calls).toContain("whoami");
    const log = JSON.stringify(await getRunEvents(harness.db, runId));
    expect(log).not.toContain("mcp-test-secret-value");
  });

  it("ask a person before a destructive tool, unless the builder auto-approves it", async () => {
    const ref = await toolRef("delete_records");
    const runId = await runAgent([ref], '#demo:call:testmcp__delete_records {"table": "users"}');
    await waitForRun(harness.db, runId, ["waiting_for_human"], 30_000);
    const callsBefore = mcp.calls.filter((name) => name === "delete_records").length;
    const task = await harness.db.humanTask.findFirstOrThrow({ where: { runId, status: "pending" } });
    expect(task.kind).toBe("tool_approval");
    expect(task.context).toMatchObject({ tool: "testmcp__delete_records" });
    await respondToHumanTask(harness.db, { workspaceId, actor: { kind: "system", name: "reviewer" }, ip: null }, { taskId: task.id, decision: "approve" });
    await waitForRun(harness.db, runId, ["succeeded"], 30_000);
    expect(await toolResults(runId)).toEqual([expect.objectContaining({ ok: true, content: "deleted every record of users" }), expect.objectContaining({ name: "complete_task" })]);
    expect(mcp.calls.filter((name) => name === "delete_records").length).toBe(callsBefore + 1);

    const auto = await runAgent([ref], '#demo:call:testmcp__delete_records {"table": "logs"}', { autoApproveTools: [ref.name] });
    await waitForRun(harness.db, auto, ["succeeded"], 30_000);
    expect(await harness.db.humanTask.count({ where: { runId: auto } })).toBe(0);
  });

  it("refuse arguments missing a required property before calling the server", async () => {
    const runId = await runAgent([await toolRef("add")], '#demo:call:testmcp__add {"a": 2}');
    await waitForRun(harness.db, runId, ["succeeded"], 30_000);
    const [first] = await toolResults(runId);
    expect(first).toMatchObject({ ok: false, content: "Error: invalid arguments for testmcp__add: b: required" });
  });

  it("refuse a run whose agent picked a tool of a removed server, naming the node", async () => {
    const api = await callerFor(owner);
    const { id } = await api.mcpServers.create({ transport: "http", name: "gone", url: mcp.url, authValue: SECRET });
    await api.mcpServers.refresh({ id });
    const add = (await api.mcpServers.toolChoices()).find((group) => group.serverId === id)?.tools.find((tool) => tool.tool === "add");
    if (!add) throw new Error("no add tool");
    await api.mcpServers.delete({ id });
    const ref: McpToolRef = { name: add.suggestedName, serverId: id, serverName: "gone", tool: "add", description: "", inputSchema: add.inputSchema, destructive: false };
    const error = await runAgent([ref], '#demo:call:gone__add {"a": 1, "b": 1}').then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(InvalidWorkflowError);
    expect((error as InvalidWorkflowError).details).toEqual([
      { severity: "error", code: "mcp_server_missing", nodeId: "agent", message: 'Agent "Agent": the MCP server "gone" of tool gone__add is not in this workspace (Settings → MCP servers)' },
    ]);
  });

  it("tell the model when the server was removed while the run waited", async () => {
    const api = await callerFor(owner);
    const { id } = await api.mcpServers.create({ transport: "http", name: "shortlived", url: mcp.url, authValue: SECRET });
    await api.mcpServers.refresh({ id });
    const drop = (await api.mcpServers.toolChoices()).find((group) => group.serverId === id)?.tools.find((tool) => tool.tool === "delete_records");
    if (!drop) throw new Error("no delete_records tool");
    const ref: McpToolRef = { name: drop.suggestedName, serverId: id, serverName: "shortlived", tool: drop.tool, description: "", inputSchema: drop.inputSchema, destructive: true };
    const runId = await runAgent([ref], '#demo:call:shortlived__delete_records {"table": "t"}');
    await waitForRun(harness.db, runId, ["waiting_for_human"], 30_000);
    await api.mcpServers.delete({ id });
    const task = await harness.db.humanTask.findFirstOrThrow({ where: { runId, status: "pending" } });
    await respondToHumanTask(harness.db, { workspaceId, actor: { kind: "system", name: "reviewer" }, ip: null }, { taskId: task.id, decision: "approve" });
    await waitForRun(harness.db, runId, ["succeeded"], 30_000);
    const [first] = await toolResults(runId);
    expect(first).toMatchObject({ ok: false });
    expect(first?.content).toMatch(/the MCP server "shortlived" was removed from this workspace/);
  });

  it("a server of another workspace cannot be used by its id", async () => {
    const other = await createWorkspaceWith(harness.db, "Other MCP workspace", []);
    const graph = buildGraph(
      [["trigger", "trigger"], ["agent", "agent", { task: '#demo:call:testmcp__add {"a": 1, "b": 2}', mcpTools: [await toolRef("add")] }], ["out", "output"]],
      [["trigger", "agent"], ["agent", "out"]],
    );
    const { id } = await createWorkflow(harness.db, other, { name: "foreign mcp", graph });
    await expect(startRun(harness.db, { workspaceId: other, workflowId: id, input: {}, trigger: "manual", startedBy: "mcp test" })).rejects.toThrow(/MCP server "testmcp" of tool testmcp__add is not in this workspace/);
  });
});
