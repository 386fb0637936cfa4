import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type * as McpClientModule from "@modelcontextprotocol/sdk/client/index.js";
import type * as McpStdioModule from "@modelcontextprotocol/sdk/client/stdio.js";
import type * as McpHttpModule from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type * as McpTypesModule from "@modelcontextprotocol/sdk/types.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { z } from "zod";
import { vetUrl } from "../tools/http-request";

/**
 * One connection to an MCP server, as AgentFlow's client: Streamable HTTP (every request's
 * address vetted by the same private-address policy as http_request) or a local command over
 * stdio (only a command line the operator allowlisted). Every step is bounded in time, and
 * every failure becomes one sentence a builder can act on.
 */

export type McpTarget =
  | {
      transport: "http";
      url: string;
      /** Sent with every request (the vault's auth header, opened just before the call). */
      headers: Record<string, string>;
      /** Tests only: hosts exempt from the private-address rule (HTTP_ALLOW_PRIVATE_HOSTS). */
      allowPrivateHosts: string[];
    }
  | { transport: "stdio"; commandLine: string };

export class McpConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "McpConnectionError";
  }
}

const CLIENT_INFO = { name: "agentflow", version: "1.0.0" };
/** Bytes of a stdio server's stderr kept for the error message. */
const MAX_STDERR_CHARS = 2_000;

/** `node /opt/mcp/files.js` → command and arguments (split on whitespace; no shell). */
export function splitCommandLine(commandLine: string): { command: string; args: string[] } {
  const [command = "", ...args] = commandLine.trim().split(/\s+/);
  return { command, args };
}

/** The operator's allowlist (MCP_STDIO_COMMANDS): whole command lines, whitespace normalised. */
export function stdioAllowlist(raw: string | undefined): string[] {
  return (raw ?? "")
    .split(",")
    .map((entry) => entry.trim().split(/\s+/).join(" "))
    .filter((entry) => entry !== "");
}

/** A fetch that refuses private addresses (unless allowed for tests) before every request. */
function guardedFetch(allowPrivateHosts: string[]): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const vetted = await vetUrl(url, { allowPrivateHosts }, init?.signal ?? undefined);
    if (!vetted.ok) throw new McpConnectionError(`could not reach ${url.host}: ${vetted.error}`);
    return fetch(input, init);
  };
}

type McpSdk = {
  Client: typeof McpClientModule.Client;
  StdioClientTransport: typeof McpStdioModule.StdioClientTransport;
  getDefaultEnvironment: typeof McpStdioModule.getDefaultEnvironment;
  StreamableHTTPClientTransport: typeof McpHttpModule.StreamableHTTPClientTransport;
  StreamableHTTPError: typeof McpHttpModule.StreamableHTTPError;
  McpError: typeof McpTypesModule.McpError;
  ErrorCode: typeof McpTypesModule.ErrorCode;
};
let mcpSdk: McpSdk | undefined;

/**
 * The MCP SDK, loaded on first use rather than at import: it holds ~25 MiB of a process's
 * memory, and a worker or web process whose workflows use no MCP server never needs it.
 */
export async function loadMcpSdk(): Promise<McpSdk> {
  if (!mcpSdk) {
    const [client, stdio, http, types] = await Promise.all([
      import("@modelcontextprotocol/sdk/client/index.js"),
      import("@modelcontextprotocol/sdk/client/stdio.js"),
      import("@modelcontextprotocol/sdk/client/streamableHttp.js"),
      import("@modelcontextprotocol/sdk/types.js"),
    ]);
    mcpSdk = {
      Client: client.Client,
      StdioClientTransport: stdio.StdioClientTransport,
      getDefaultEnvironment: stdio.getDefaultEnvironment,
      StreamableHTTPClientTransport: http.StreamableHTTPClientTransport,
      StreamableHTTPError: http.StreamableHTTPError,
      McpError: types.McpError,
      ErrorCode: types.ErrorCode,
    };
  }
  return mcpSdk;
}

type Opened = { client: Client; stderr: () => string };

/**
 * Connects and completes MCP's initialize handshake within `timeoutMs`. The caller closes the
 * client (`closeQuietly`) when done.
 */
export async function openMcpClient(target: McpTarget, options: { timeoutMs: number; signal?: AbortSignal }): Promise<Opened> {
  const { Client, StdioClientTransport, StreamableHTTPClientTransport, getDefaultEnvironment } = await loadMcpSdk();
  let stderrText = "";
  let transport: Transport;
  if (target.transport === "http") {
    let url: URL;
    try {
      url = new URL(target.url);
    } catch {
      throw new McpConnectionError(`"${target.url}" is not a URL`);
    }
    transport = new StreamableHTTPClientTransport(url, { requestInit: { headers: target.headers }, fetch: guardedFetch(target.allowPrivateHosts) });
  } else {
    const { command, args } = splitCommandLine(target.commandLine);
    const stdio = new StdioClientTransport({ command, args, env: getDefaultEnvironment(), stderr: "pipe" });
    stdio.stderr?.on("data", (chunk: Buffer) => {
      if (stderrText.length < MAX_STDERR_CHARS) stderrText = (stderrText + chunk.toString("utf8")).slice(0, MAX_STDERR_CHARS);
    });
    transport = stdio;
  }
  const client = new Client(CLIENT_INFO, { capabilities: {} });
  // Transport errors after connecting (a dropped stream) surface through the pending request.
  client.onerror = () => undefined;
  try {
    await client.connect(transport, { timeout: options.timeoutMs, signal: options.signal });
  } catch (error) {
    await closeQuietly(client);
    throw new McpConnectionError(describeMcpError(error, target, stderrText, options.timeoutMs));
  }
  return { client, stderr: () => stderrText };
}

export async function closeQuietly(client: Client): Promise<void> {
  await client.close().catch(() => undefined);
}

/** What tools/list answers, loosely: each tool is checked one by one, so one broken tool cannot hide the rest. */
const looseListToolsResult = z.looseObject({
  tools: z.array(z.unknown()),
  nextCursor: z.string().optional(),
});

/** At most this many pages of tools/list (a server paging forever is cut off). */
const MAX_TOOL_PAGES = 20;

export async function listToolsRaw(opened: Opened, target: McpTarget, options: { timeoutMs: number; signal?: AbortSignal }): Promise<unknown[]> {
  const tools: unknown[] = [];
  let cursor: string | undefined;
  try {
    for (let page = 0; page < MAX_TOOL_PAGES; page += 1) {
      const result = await opened.client.request(
        { method: "tools/list", params: cursor ? { cursor } : {} },
        looseListToolsResult,
        { timeout: options.timeoutMs, signal: options.signal },
      );
      tools.push(...result.tools);
      cursor = result.nextCursor;
      if (!cursor) break;
    }
  } catch (error) {
    throw new McpConnectionError(describeMcpError(error, target, opened.stderr(), options.timeoutMs));
  }
  return tools;
}

const looseCallToolResult = z.looseObject({
  content: z.array(z.unknown()).optional(),
  structuredContent: z.unknown().optional(),
  isError: z.boolean().optional(),
});

export type RawCallResult = z.infer<typeof looseCallToolResult>;

export async function callToolRaw(
  opened: Opened,
  target: McpTarget,
  call: { name: string; arguments: Record<string, unknown> },
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<RawCallResult> {
  try {
    return await opened.client.request({ method: "tools/call", params: call }, looseCallToolResult, { timeout: options.timeoutMs, signal: options.signal });
  } catch (error) {
    throw new McpConnectionError(describeMcpError(error, target, opened.stderr(), options.timeoutMs));
  }
}

/** A server's failure in plain words: unreachable, refused credentials, too slow, or not an MCP server. */
export function describeMcpError(error: unknown, target: McpTarget, stderr: string, timeoutMs: number): string {
  const where = target.transport === "http" ? safeHost(target.url) : `the command "${target.commandLine}"`;
  const seconds = Math.round(timeoutMs / 100) / 10;
  if (error instanceof McpConnectionError) return error.message;
  // Without the SDK loaded no connection was tried, so no error can be one of its classes.
  const sdk = mcpSdk;
  if (sdk && error instanceof sdk.McpError) {
    const { ErrorCode } = sdk;
    if (error.code === ErrorCode.RequestTimeout) return `${where} did not answer within ${seconds} s (timeout)`;
    if (error.code === ErrorCode.ConnectionClosed) {
      const tail = stderr.trim() ? `; it said: ${stderr.trim().slice(-500)}` : "";
      return `${where} closed the connection${tail}`;
    }
    return `${where} answered with an error: ${error.message}`;
  }
  if (sdk && error instanceof sdk.StreamableHTTPError) {
    const status = error.code ?? 0;
    if (status === 401 || status === 403) return `${where} refused the credentials (HTTP ${status}); check the auth header value`;
    if (status === 404 || status === 405) return `${where} is not an MCP server (HTTP ${status} at this URL; the Streamable HTTP endpoint is often /mcp)`;
    if (status === -1) return `${where} is not an MCP server (${error.message.replace(/^Streamable HTTP error: /, "")})`;
    return `${where} answered HTTP ${status}: ${error.message.replace(/^Streamable HTTP error: /, "").slice(0, 300)}`;
  }
  if (error instanceof Error) {
    if (error.name === "AbortError") return `the connection to ${where} was cancelled`;
    const cause = (error as { cause?: { code?: string } }).cause;
    const code = cause?.code ?? (error as { code?: string }).code;
    if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EHOSTUNREACH" || code === "ECONNRESET" || error.message === "fetch failed") {
      return `${where} is unreachable (${code ?? "connection failed"})`;
    }
    if (code === "ENOENT" && target.transport === "stdio") return `${where} could not be started: the program was not found`;
    if (error instanceof SyntaxError || /JSON|parse/i.test(error.message)) return `${where} is not an MCP server (its answer is not MCP JSON-RPC)`;
    return `${where}: ${error.message.slice(0, 300)}`;
  }
  return `${where}: ${String(error).slice(0, 300)}`;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url.slice(0, 100);
  }
}
