import type { Db } from "../db";
import type { Graph } from "../engine/graph";
import type { GraphProblem } from "../engine/validate";
import { unusableProviders } from "./workspace-providers";

/**
 * Before a run: every agent's provider must be one this workspace can use (its own, the
 * environment's or the demo model) and of a kind runs support. Each problem names its node,
 * in the same shape as `validateGraph`'s, so the start check refuses it with the others.
 */
export async function providerProblems(db: Db, workspaceId: string, graph: Graph): Promise<GraphProblem[]> {
  const agents = graph.nodes.flatMap((node) => (node.type === "agent" ? [{ id: node.id, label: node.data.label, provider: node.data.provider }] : []));
  const unusable = await unusableProviders(db, workspaceId, agents.map((agent) => agent.provider));
  return agents.flatMap((agent): GraphProblem[] => {
    const reason = unusable.get(agent.provider);
    return reason ? [{ severity: "error", code: "provider_unavailable", message: `${agent.label}: ${reason}`, nodeId: agent.id }] : [];
  });
}
