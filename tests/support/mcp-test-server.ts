import { createServer, type IncomingMessage, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

/**
 * A real MCP server for tests (integration and e2e), built with the official SDK's low-level
 * `Server` (the high-level McpServer cannot publish a broken schema) behind its Streamable
 * HTTP transport on a loopback port. Tools: `add`, `hang` (answers after a minute), a
 * destructive `delete_records`, `fail` (an isError result), `whoami` (echoes the auth header
 * it received), `big` (200,000 characters) and `broken_schema` (inputSchema of type "banana").
 * With `requiredAuth`, a request without that Authorization value gets 401.
 */

export const MCP_TEST_TOOLS = [
  {
    name: "add",
    description: "Add two numbers and return the sum.",
    inputSchema: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] },
    annotations: { readOnlyHint: true },
  },
  {
    name: "hang",
    description: "Never answers in time (for timeout tests).",
    inputSchema: { type: "object", properties: {} },
  },
  {
    name: "delete_records",
    description: "Delete every record of a table.",
    inputSchema: { type: "object", properties: { table: { type: "string" } }, required: ["table"] },
    annotations: { destructiveHint: true },
  },
  {
    name: "fail",
    description: "Always reports an error.",
    inputSchema: { type: "object", properties: {} },
  },
  {
    name: "whoami",
    description: "Tells which Authorization header the server received.",
    inputSchema: { type: "object", properties: {} },
  },
  {
    name: "big",
    description: "Returns a very large text.",
    inputSchema: { type: "object", properties: {} },
  },
  {
    name: "broken_schema",
    description: "Publishes an input schema that is not valid JSON Schema.",
    inputSchema: { type: "object", properties: { x: { type: "banana" } } },
  },
] as const;

export type McpTestServer = {
  url: string;
  /** Authorization headers of the requests received, in order. */
  authHeaders: (string | null)[];
  /** Names of the tools called, in order. */
  calls: string[];
  close(): Promise<void>;
};

function buildServer(request: IncomingMessage, calls: string[]): Server {
  const server = new Server({ name: "agentflow-test-mcp", version: "1.0.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: MCP_TEST_TOOLS.map((tool) => ({ ...tool })) as never }));
  server.setRequestHandler(CallToolRequestSchema, async (call, extra) => {
    calls.push(call.params.name);
    const args = (call.params.arguments ?? {}) as Record<string, unknown>;
    switch (call.params.name) {
      case "add":
        return { content: [{ type: "text", text: `sum = ${Number(args.a) + Number(args.b)}` }] };
      case "hang":
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 60_000);
          timer.unref();
          extra.signal.addEventListener("abort", () => resolve(), { once: true });
        });
        return { content: [{ type: "text", text: "too late" }] };
      case "delete_records":
        return { content: [{ type: "text", text: `deleted every record of ${String(args.table)}` }] };
      case "fail":
        return { isError: true, content: [{ type: "text", text: "the database is read-only today" }] };
      case "whoami":
        return { content: [{ type: "text", text: `authorization: ${request.headers.authorization ?? "(none)"}` }] };
      case "big":
        return { content: [{ type: "text", text: "x".repeat(200_000) }] };
      default:
        return { isError: true, content: [{ type: "text", text: `unknown tool ${call.params.name}` }] };
    }
  });
  return server;
}

export async function startMcpTestServer(options: { requiredAuth?: string; port?: number } = {}): Promise<McpTestServer> {
  const authHeaders: (string | null)[] = [];
  const calls: string[] = [];
  const http: HttpServer = createServer(async (req, res) => {
    authHeaders.push(req.headers.authorization ?? null);
    if (options.requiredAuth !== undefined && req.headers.authorization !== options.requiredAuth) {
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "unauthorized" }));
      return;
    }
    if (!req.url?.startsWith("/mcp")) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    // Stateless: one server and transport per request, as the SDK's examples do.
    const server = buildServer(req, calls);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    authHeaders,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
