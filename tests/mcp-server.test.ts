import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitForRun, type Harness } from "./support/harness";
import { createTestApiKey, createTestUser, createWorkspaceWith } from "./support/identities";
import { approvalGraph } from "./support/graphs";
import { buildGraph } from "../server/engine/test-helpers";
import { createWorkflow } from "../server/workflows/workflows";
import { publishVersion } from "../server/workflows/versions";
import * as mcpRoute from "../app/api/mcp/route";

/**
 * The workspace's published workflows as MCP tools, driven by the MCP SDK's own client over
 * real HTTP (a loopback server mounting the route handler), with a real worker and the demo
 * model: the tool list is the workspace's published workflows with their Trigger fields as
 * input schema; a call runs the published version and answers its output; bad arguments and
 * runs that wait for a person are answered in words; credentials are checked before any MCP.
 */

let harness: Harness;
let server: Server;
let mcpUrl: string;
let workspaceId: string;
let triggerKey: string;
let readKey: string;
let otherKey: string;
const workflows = {} as { releaseNotes: string; anyInput: string; approval: string; unpublished: string; otherWorkspace: string };

const TASK = "Write release notes about {{input.topic}}";

function releaseNotesGraph() {
  return buildGraph(
    [
      [
        "trigger",
        "trigger",
        {
          inputFields: [
            { name: "topic", type: "string", required: true, default: "", description: "What the notes are about" },
            { name: "audience", type: "text", required: false, default: "everyone", description: "" },
            { name: "draft", type: "boolean", required: false, default: "", description: "" },
          ],
        },
      ],
      ["writer", "agent", { task: TASK }],
      ["out", "output"],
    ],
    [
      ["trigger", "writer"],
      ["writer", "out"],
    ],
  );
}

function outputOnlyGraph() {
  return buildGraph(
    [
      ["trigger", "trigger"],
      ["out", "output"],
    ],
    [["trigger", "out"]],
  );
}

async function publishedWorkflow(inWorkspace: string, name: string, graph: ReturnType<typeof buildGraph>, description = ""): Promise<string> {
  const { id } = await createWorkflow(harness.db, inWorkspace, { name, graph });
  if (description) await harness.db.workflow.update({ where: { id }, data: { description } });
  await publishVersion(harness.db, inWorkspace, id);
  return id;
}

/** The route handler on a real HTTP server, the way Next.js serves it. */
async function serveRoute(): Promise<Server> {
  const httpServer = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const aborted = new AbortController();
    res.on("close", () => aborted.abort());
    const { port } = httpServer.address() as AddressInfo;
    const request = new Request(`http://127.0.0.1:${port}${req.url ?? "/"}`, {
      method: req.method,
      headers: Object.entries(req.headers).flatMap(([key, value]) => (typeof value === "string" ? [[key, value] as [string, string]] : [])),
      body: req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks),
      signal: aborted.signal,
    });
    const handler = req.method === "POST" ? mcpRoute.POST : req.method === "DELETE" ? mcpRoute.DELETE : mcpRoute.GET;
    const response = await handler(request);
    res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
    if (response.body) Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>).pipe(res);
    else res.end();
  });
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  return httpServer;
}

async function connect(token: string): Promise<Client> {
  const client = new Client({ name: "agentflow-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === "text" ? part.text : "")).join("");
}

/** A tools/list request as a client sends it, without the SDK: for the HTTP status alone. */
function rawToolsList(headers: Record<string, string>): Promise<Response> {
  return fetch(mcpUrl, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
  });
}

/** Low enough to reach in a test; no other test here starts this many runs with one key. */
const RUNS_PER_MINUTE = 10;

beforeAll(async () => {
  harness = await startHarness({ env: { RUN_START_RATE_PER_MINUTE: String(RUNS_PER_MINUTE) } });
  const owner = await createTestUser("mcp owner");
  workspaceId = await createWorkspaceWith(harness.db, "mcp workspace", [{ user: owner, role: "owner" }]);
  const otherWorkspaceId = await createWorkspaceWith(harness.db, "mcp other workspace", []);
  triggerKey = (await createTestApiKey(harness.db, workspaceId, ["trigger"])).token;
  readKey = (await createTestApiKey(harness.db, workspaceId, ["read"])).token;
  otherKey = (await createTestApiKey(harness.db, otherWorkspaceId, ["trigger"])).token;
  workflows.releaseNotes = await publishedWorkflow(workspaceId, "Release notes (v2)!", releaseNotesGraph(), "Writes release notes for a topic");
  workflows.anyInput = await publishedWorkflow(workspaceId, "Echo", outputOnlyGraph());
  workflows.approval = await publishedWorkflow(workspaceId, "Needs approval", approvalGraph());
  workflows.unpublished = (await createWorkflow(harness.db, workspaceId, { name: "Draft only", graph: outputOnlyGraph() })).id;
  workflows.otherWorkspace = await publishedWorkflow(otherWorkspaceId, "Other team's echo", outputOnlyGraph());
  server = await serveRoute();
  mcpUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/mcp`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await harness?.stop();
});

describe("MCP server at /api/mcp", () => {
  it("lists the workspace's published workflows, with the Trigger fields as input schema", async () => {
    const client = await connect(triggerKey);
    const { tools } = await client.listTools();
    await client.close();
    expect(tools.map((tool) => tool.title).sort()).toEqual(["Echo", "Needs approval", "Release notes (v2)!"]);
    const releaseNotes = tools.find((tool) => tool.title === "Release notes (v2)!");
    expect(releaseNotes?.name).toMatch(/^release_notes_v2_[A-Za-z0-9_-]{8}$/);
    expect(releaseNotes?.description).toBe("Writes release notes for a topic");
    expect(releaseNotes?.inputSchema).toEqual({
      type: "object",
      properties: {
        topic: { type: "string", pattern: "\\S", description: "What the notes are about" },
        audience: { type: "string", description: "(multi-line text)", default: "everyone" },
        draft: { type: "boolean" },
      },
      required: ["topic"],
      additionalProperties: true,
    });
    expect(tools.find((tool) => tool.title === "Echo")?.inputSchema).toEqual({ type: "object", additionalProperties: true });
  });

  it("keeps tool names stable between requests", async () => {
    const first = await connect(triggerKey);
    const second = await connect(triggerKey);
    const names = async (client: Client) => (await client.listTools()).tools.map((tool) => tool.name).sort();
    expect(await names(first)).toEqual(await names(second));
    await first.close();
    await second.close();
  });

  it("shows another workspace only its own workflows", async () => {
    const client = await connect(otherKey);
    const { tools } = await client.listTools();
    await client.close();
    expect(tools.map((tool) => tool.title)).toEqual(["Other team's echo"]);
  });

  it("runs the published workflow and answers its output", async () => {
    const client = await connect(triggerKey);
    const tool = (await client.listTools()).tools.find((entry) => entry.title === "Release notes (v2)!");
    const result = (await client.callTool({ name: tool?.name ?? "", arguments: { topic: "dark mode" } })) as CallToolResult;
    await client.close();
    expect(result.isError ?? false).toBe(false);
    expect(textOf(result)).toContain('Demo answer to: "Write release notes about dark mode"');
    const run = await harness.db.run.findFirstOrThrow({ where: { workflowId: workflows.releaseNotes }, include: { version: true } });
    expect(run).toMatchObject({ status: "succeeded", trigger: "api", startedBy: "API key “trigger”", workspaceId });
    expect(run.version.publishedAt).not.toBeNull();
    expect(run.input).toEqual({ topic: "dark mode", audience: "everyone" });
  });

  it("answers an output that is not text as pretty-printed JSON", async () => {
    const client = await connect(triggerKey);
    const tool = (await client.listTools()).tools.find((entry) => entry.title === "Echo");
    const result = (await client.callTool({ name: tool?.name ?? "", arguments: { anything: [1, 2] } })) as CallToolResult;
    await client.close();
    expect(result.isError ?? false).toBe(false);
    expect(JSON.parse(textOf(result))).toEqual({ anything: [1, 2] });
    expect(textOf(result)).toContain("\n");
  });

  it("refuses a missing required argument naming the field, without starting a run", async () => {
    const runsBefore = await harness.db.run.count({ where: { workflowId: workflows.releaseNotes } });
    const client = await connect(triggerKey);
    const tool = (await client.listTools()).tools.find((entry) => entry.title === "Release notes (v2)!");
    const missing = (await client.callTool({ name: tool?.name ?? "", arguments: { audience: "ops" } })) as CallToolResult;
    const wrongType = (await client.callTool({ name: tool?.name ?? "", arguments: { topic: "x", draft: "yes" } })) as CallToolResult;
    const unknown = (await client.callTool({ name: "no_such_tool", arguments: {} })) as CallToolResult;
    await client.close();
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toBe("topic is required");
    expect(wrongType.isError).toBe(true);
    expect(textOf(wrongType)).toBe("draft must be true or false");
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toContain("Unknown tool no_such_tool");
    expect(await harness.db.run.count({ where: { workflowId: workflows.releaseNotes } })).toBe(runsBefore);
  });

  it("answers a run that waits for a person with its id and where to follow it", async () => {
    const client = await connect(triggerKey);
    const tool = (await client.listTools()).tools.find((entry) => entry.title === "Needs approval");
    const result = (await client.callTool({ name: tool?.name ?? "", arguments: { topic: "pricing" } })) as CallToolResult;
    await client.close();
    expect(result.isError ?? false).toBe(false);
    const run = await waitForRun(harness.db, (await harness.db.run.findFirstOrThrow({ where: { workflowId: workflows.approval } })).id, ["waiting_for_human"]);
    expect(textOf(result)).toContain(`Run ${run.id} is waiting for a person`);
    expect(textOf(result)).toContain(`/api/v1/runs/${run.id}`);
  });

  it("cannot run a workflow that is not published or belongs to another workspace", async () => {
    const client = await connect(otherKey);
    const { tools } = await client.listTools();
    await client.close();
    const mine = await connect(triggerKey);
    const result = (await mine.callTool({ name: tools[0]?.name ?? "", arguments: {} })) as CallToolResult;
    await mine.close();
    expect(result.isError).toBe(true);
    expect(await harness.db.run.count({ where: { workflowId: { in: [workflows.otherWorkspace, workflows.unpublished] } } })).toBe(0);
  });

  it("counts calls in the key's run-start budget, like the REST trigger", async () => {
    const key = await createTestApiKey(harness.db, workspaceId, ["trigger"], "budget");
    const client = await connect(key.token);
    const tool = (await client.listTools()).tools.find((entry) => entry.title === "Echo");
    // A fixed one-minute window: within two windows at most twice the budget is allowed.
    let refused: CallToolResult | undefined;
    let succeeded = 0;
    for (let call = 0; call <= 2 * RUNS_PER_MINUTE && !refused; call += 1) {
      const result = (await client.callTool({ name: tool?.name ?? "", arguments: { call } })) as CallToolResult;
      if (result.isError) refused = result;
      else succeeded += 1;
    }
    await client.close();
    expect(succeeded).toBeGreaterThanOrEqual(RUNS_PER_MINUTE);
    expect(refused && textOf(refused)).toMatch(new RegExp(`^Too many runs started: at most ${RUNS_PER_MINUTE} a minute`));
    expect(await harness.db.run.count({ where: { workspaceId, startedBy: "API key “budget”" } })).toBe(succeeded);
  });

  it("checks credentials before any MCP: no key is 401, a read-only key 403", async () => {
    const anonymous = await rawToolsList({});
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toContain("Bearer");
    expect((await anonymous.json()) as unknown).toMatchObject({ error: { code: "unauthorized" } });
    const wrongKey = await rawToolsList({ authorization: "Bearer af_not_a_key" });
    expect(wrongKey.status).toBe(401);
    const readOnly = await rawToolsList({ authorization: `Bearer ${readKey}` });
    expect(readOnly.status).toBe(403);
    expect((await readOnly.json()) as unknown).toMatchObject({ error: { code: "forbidden", message: "This API key's scopes do not allow run:start" } });
    // The SDK client surfaces the refusal as a failed connect.
    await expect(connect(readKey)).rejects.toThrow(/403|forbidden/i);
  });

  it("answers a plain JSON-RPC tools/list without a session, and 405 to GET and DELETE", async () => {
    const response = await rawToolsList({ authorization: `Bearer ${triggerKey}` });
    expect(response.status).toBe(200);
    expect(response.headers.get("mcp-session-id")).toBeNull();
    const body = (await response.json()) as { result: { tools: { title: string }[] } };
    expect(body.result.tools.map((tool) => tool.title).sort()).toEqual(["Echo", "Needs approval", "Release notes (v2)!"]);
    const get = await fetch(mcpUrl, { headers: { authorization: `Bearer ${triggerKey}`, accept: "text/event-stream" } });
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    const del = await fetch(mcpUrl, { method: "DELETE", headers: { authorization: `Bearer ${triggerKey}` } });
    expect(del.status).toBe(405);
  });
});
