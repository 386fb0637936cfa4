import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { isTerminalStatus, type RunStatus } from "../engine/events";
import type { Db } from "../db";
import { getEnv } from "../env";
import { actorLabel, type WorkspaceAccess } from "../auth/access";
import { rateLimitMessage, takeRunStart } from "../auth/rate-limit";
import { NotFoundError, UserInputError } from "../errors";
import { assertSafeJson } from "../http/json-guard";
import { errorResponse, jsonError, requireAccess } from "../http/rest";
import { startRun } from "../runs/start-run";
import { BudgetExceededError } from "../ops/budget-error";
import { findWorkflowTool, listWorkflowTools } from "./workflow-tools";
import { componentLog } from "../ops/log";

const logger = componentLog("mcp");

/**
 * `/api/mcp`: the workspace's published workflows as tools of an MCP server (Streamable HTTP,
 * stateless: every POST carries its own credentials and gets its own server and transport,
 * so any web process can answer any request and nothing is kept between them).
 */

export type McpOptions = {
  /** How long a `tools/call` waits for its run before answering with where to follow it. */
  runWaitMs?: number;
  /** How often the run's row is read while waiting. */
  pollMs?: number;
};

const DEFAULT_RUN_WAIT_MS = 60_000;
const DEFAULT_POLL_MS = 200;
/** The JSON-RPC envelope around the arguments: room for it on top of the run input's own limit. */
const ENVELOPE_BYTES = 64 * 1024;

const SERVER_INFO = { name: "agentflow", version: "1.0.0" };

export async function handleMcpPost(db: Db, request: Request, options: McpOptions = {}): Promise<Response> {
  try {
    // Credentials first: nothing of the MCP exchange happens for a caller who may not start runs.
    const auth = await requireAccess(db, request, "run:start", { allowTriggerToken: false });
    if (!auth.ok) return auth.response;
    const server = createWorkflowServer(db, auth.access, request.signal, options);
    const transport = new WebStandardStreamableHTTPServerTransport({
      // Stateless: no session id, so no session to keep, resume or delete.
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      maxRequestBodySize: getEnv().MAX_RUN_INPUT_BYTES + ENVELOPE_BYTES,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(request);
    } finally {
      // The JSON response is complete once handleRequest resolves; the pair served this request only.
      await server.close();
    }
  } catch (error) {
    return errorResponse(error);
  }
}

/** GET (a server-initiated event stream) and DELETE (ending a session) mean nothing without sessions. */
export function mcpMethodNotAllowed(): Response {
  return jsonError(405, "method_not_allowed", "This MCP endpoint is stateless: send JSON-RPC requests with POST", { headers: { allow: "POST" } });
}

function createWorkflowServer(db: Db, access: WorkspaceAccess, requestSignal: AbortSignal, options: McpOptions): Server {
  // The low-level Server, not McpServer: each tool's input schema is JSON Schema built from
  // data (the Trigger node's fields), not a zod schema known at build time.
  const server = new Server(SERVER_INFO, {
    capabilities: { tools: {} },
    instructions: "Each tool runs one published AgentFlow workflow of your workspace and returns its output.",
  });
  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const tools = await listWorkflowTools(db, access.workspaceId).catch((error: unknown) => {
      logger.error({ err: error }, "tools/list failed");
      throw new Error("Unexpected server error");
    });
    return { tools: tools.map(({ name, title, description, inputSchema }) => ({ name, title, description, inputSchema })) };
  });
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const signal = AbortSignal.any([requestSignal, extra.signal]);
    try {
      return await callWorkflowTool(db, access, request.params.name, request.params.arguments ?? {}, signal, options);
    } catch (error) {
      // The SDK would send the error's own message (a database error's details) to the caller.
      logger.error({ err: error }, "tools/call failed");
      return toolError("Unexpected server error");
    }
  });
  return server;
}

function toolError(message: string): CallToolResult {
  return { isError: true, content: [{ type: "text", text: message }] };
}

function toolText(text: string): CallToolResult {
  return { content: [{ type: "text", text }] };
}

async function callWorkflowTool(db: Db, access: WorkspaceAccess, name: string, args: Record<string, unknown>, signal: AbortSignal, options: McpOptions): Promise<CallToolResult> {
  const tool = await findWorkflowTool(db, access.workspaceId, name);
  if (!tool) return toolError(`Unknown tool ${name.slice(0, 200)}: it is not a published workflow of this workspace (list the tools again)`);
  const decision = await takeRunStart(access.actor);
  if (!decision.allowed) return toolError(rateLimitMessage(decision));
  let runId: string;
  try {
    // NUL, lone surrogates, absurd nesting: refused naming the argument, as the REST trigger does.
    assertSafeJson(args, "arguments");
    ({ runId } = await startRun(db, { workspaceId: access.workspaceId, workflowId: tool.workflowId, input: args, trigger: "api", startedBy: actorLabel(access.actor) }));
  } catch (error) {
    // Bad arguments, or a workflow that cannot run as published: the caller (a model) can act on the message.
    if (error instanceof UserInputError || error instanceof NotFoundError || error instanceof BudgetExceededError) return toolError(error.message);
    throw error;
  }
  return waitForRunResult(db, runId, signal, options);
}

const WAITING_REASONS: Partial<Record<RunStatus, string>> = {
  waiting_for_human: "is waiting for a person to respond in AgentFlow",
  paused: "was paused by an operator",
};

/**
 * Polls the run's row until it ends, waits for someone, or the bound passes. A run that is
 * still going is not an error: the answer says where to follow it.
 */
async function waitForRunResult(db: Db, runId: string, signal: AbortSignal, options: McpOptions): Promise<CallToolResult> {
  const statusUrl = `${getEnv().APP_URL.replace(/\/$/, "")}/api/v1/runs/${runId}`;
  const deadline = Date.now() + (options.runWaitMs ?? DEFAULT_RUN_WAIT_MS);
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  for (;;) {
    const run = await db.run.findUniqueOrThrow({ where: { id: runId }, select: { status: true, output: true, error: true } });
    const status = run.status as RunStatus;
    if (status === "succeeded") return toolText(outputText(run.output));
    if (isTerminalStatus(status)) return toolError(`Run ${runId} ${status}${run.error ? `: ${run.error}` : ""}`);
    const waitingReason = WAITING_REASONS[status];
    if (waitingReason) return toolText(`Run ${runId} ${waitingReason}; its status and, once it ends, its output: ${statusUrl}`);
    if (Date.now() >= deadline || signal.aborted) {
      return toolText(`Run ${runId} is still ${status}; its status and, once it ends, its output: ${statusUrl}`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

function outputText(output: unknown): string {
  if (typeof output === "string") return output;
  if (output === null || output === undefined) return "The run succeeded without output.";
  return JSON.stringify(output, null, 2);
}
