import { z } from "zod";
import { graphSchema, type Graph } from "../engine/graph";
import { UserInputError } from "../errors";

/**
 * Workflow JSON for import and export. Secrets never live in a graph (trigger tokens are
 * stored hashed, provider keys in the environment), so an export is safe to share. An import
 * is validated with the engine's own schema and an error names the exact bad field.
 */
export const EXPORT_FORMAT = "agentflow.workflow";

export const workflowFileSchema = z.object({
  format: z.literal(EXPORT_FORMAT),
  name: z.string().trim().min(1).max(120),
  description: z.string().max(2_000).default(""),
  graph: graphSchema,
});

export type WorkflowFile = z.infer<typeof workflowFileSchema>;

export function exportWorkflow(workflow: { name: string; description: string; graph: Graph }): WorkflowFile {
  return { format: EXPORT_FORMAT, name: workflow.name, description: workflow.description, graph: workflow.graph };
}

/** `nodes[3].data.maxSteps` style paths, as a user would look for them in the file. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), "");
}

export function parseWorkflowFile(text: string): WorkflowFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserInputError(`The file is not valid JSON: ${error instanceof Error ? error.message : "parse error"}`);
  }
  const parsed = workflowFileSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 10).map((issue) => ({ path: formatPath(issue.path) || "(file)", message: issue.message }));
    const first = issues[0];
    throw new UserInputError(`Invalid workflow file at ${first?.path}: ${first?.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ""}`, first?.path, issues);
  }
  const ids = new Set<string>();
  parsed.data.graph.nodes.forEach((node, index) => {
    if (ids.has(node.id)) throw new UserInputError(`Invalid workflow file at graph.nodes[${index}].id: duplicate node id "${node.id}"`, `graph.nodes[${index}].id`);
    ids.add(node.id);
  });
  return parsed.data;
}
