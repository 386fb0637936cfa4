import type { Graph, GraphNode } from "../engine/graph";
import type { GraphProblem } from "../engine/validate";
import { latestPublished } from "../runs/pinned-graph";

/**
 * Sub-workflows calling each other in a circle would nest runs without end. A workflow calling
 * itself is refused by the graph's own validation; a circle through other workflows is found
 * here, when publishing (what runs is published versions): the workflows this graph calls are
 * followed through their published versions, and a path back to this workflow is refused
 * naming the circle. At run time, nesting is capped as well (MAX_CHILD_DEPTH), for a circle
 * closed by two publishes at the same moment.
 */
export async function subworkflowCycleProblems(workspaceId: string, workflowId: string, graph: Graph): Promise<GraphProblem[]> {
  const problems: GraphProblem[] = [];
  for (const node of callersIn(graph)) {
    const path = await pathBack(workspaceId, workflowId, node.data.workflowId, [workflowId]);
    if (path) {
      problems.push({
        severity: "error",
        code: "subworkflow_recursion",
        message: `${node.data.label || "Sub-workflow"}: calling it makes a circle (${path.join(" → ")}); a workflow cannot call itself, even through others`,
        nodeId: node.id,
      });
    }
  }
  return problems;
}

function callersIn(graph: Graph): Extract<GraphNode, { type: "subworkflow" }>[] {
  return graph.nodes.filter((node): node is Extract<GraphNode, { type: "subworkflow" }> => node.type === "subworkflow" && node.data.workflowId !== "");
}

/** Depth-first through published versions; `seen` is the path so far. Bounded by the workspace's workflows. */
async function pathBack(workspaceId: string, home: string, next: string, seen: string[]): Promise<string[] | null> {
  if (next === home) return [...seen, next];
  if (seen.includes(next) || seen.length > 50) return null;
  const published = await latestPublished(workspaceId, next);
  if (!published?.version) return null;
  for (const node of callersIn(published.version.graph)) {
    const found = await pathBack(workspaceId, home, node.data.workflowId, [...seen, next]);
    if (found) return found;
  }
  return null;
}
