import type { Graph } from "../engine/graph";
import type { Db } from "../db";
import { COMPANION_PREFIX, type WorkflowTemplate } from "./templates";
import { createUniquelyNamedWorkflow } from "./workflow-list";
import { publishVersion } from "./versions";

/**
 * A new workflow from a template. Its companions (the workflows its sub-workflow nodes call)
 * are made first and published — a sub-workflow runs the published version of what it calls —
 * and the nodes are pointed at them.
 */
export async function createFromTemplate(db: Db, workspaceId: string, template: WorkflowTemplate, name?: string): Promise<{ id: string; name: string; companions: { id: string; name: string }[] }> {
  const companionIds = new Map<string, string>();
  const companions: { id: string; name: string }[] = [];
  for (const companion of template.companions ?? []) {
    const created = await createUniquelyNamedWorkflow(db, workspaceId, { name: companion.name, graph: companion.graph, keepNameIfFree: true });
    await publishVersion(db, workspaceId, created.id, `Made with the "${template.name}" template`);
    companionIds.set(companion.key, created.id);
    companions.push(created);
  }
  const created = await createUniquelyNamedWorkflow(db, workspaceId, { name: name ?? template.name, graph: withCompanions(template.graph, companionIds), keepNameIfFree: true });
  return { ...created, companions };
}

function withCompanions(graph: Graph, ids: ReadonlyMap<string, string>): Graph {
  if (ids.size === 0) return graph;
  return {
    ...graph,
    nodes: graph.nodes.map((node) => {
      if (node.type !== "subworkflow" || !node.data.workflowId.startsWith(COMPANION_PREFIX)) return node;
      const id = ids.get(node.data.workflowId.slice(COMPANION_PREFIX.length));
      return id ? { ...node, data: { ...node.data, workflowId: id } } : node;
    }),
  };
}
