import { getDb } from "@/server/db";
import { handleMcpPost, mcpMethodNotAllowed } from "@/server/mcp/handler";

export const dynamic = "force-dynamic";

/**
 * POST /api/mcp — the workspace's published workflows as MCP tools (Streamable HTTP,
 * stateless, JSON responses). Credentials: an API key with the `trigger` scope (or admin),
 * or a session of a member who may start runs; see docs/mcp.md.
 */
export async function POST(request: Request) {
  return handleMcpPost(getDb(), request);
}

/** Stateless: no server-initiated stream to open and no session to end. */
export function GET() {
  return mcpMethodNotAllowed();
}

export function DELETE() {
  return mcpMethodNotAllowed();
}
