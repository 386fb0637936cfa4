// A real MCP server over stdio for tests (MCP_STDIO_COMMANDS="node <this file>"): one `add` tool.
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const server = new Server({ name: "agentflow-test-stdio", version: "1.0.0" }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, () => ({
  tools: [
    {
      name: "add",
      description: "Add two numbers (stdio).",
      inputSchema: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] },
    },
  ],
}));
server.setRequestHandler(CallToolRequestSchema, (call) => {
  const { a, b } = call.params.arguments ?? {};
  return { content: [{ type: "text", text: `stdio sum = ${Number(a) + Number(b)}` }] };
});
await server.connect(new StdioServerTransport());
