import type { Db } from "../db";
import type { Graph } from "../engine/graph";
import type { GraphProblem } from "../engine/validate";
import { nodeNamer } from "../engine/node-name";

/**
 * Before a run: every MCP tool an agent picked must belong to a server this workspace still
 * has (the pure engine cannot know; a server removed mid-run is still answered at call time
 * with an error the model sees). Problems name their node, in validateGraph's shape.
 */
export async function mcpServerProblems(db: Db, workspaceId: string, graph: Graph): Promise<GraphProblem[]> {
  const picks = graph.nodes.flatMap((node) => (node.type === "agent" ? node.data.mcpTools.map((tool) => ({ node, tool })) : []));
  if (picks.length === 0) return [];
  const ids = [...new Set(picks.map(({ tool }) => tool.serverId))];
  const existing = new Set((await db.mcpServer.findMany({ where: { workspaceId, id: { in: ids } }, select: { id: true } })).map((row) => row.id));
  const nameOf = nodeNamer(graph);
  return picks
    .filter(({ tool }) => !existing.has(tool.serverId))
    .map(({ node, tool }) => ({
      severity: "error" as const,
      code: "mcp_server_missing",
      message: `${nameOf(node)}: the MCP server "${tool.serverName}" of tool ${tool.name} is not in this workspace (Settings → MCP servers)`,
      nodeId: node.id,
    }));
}
