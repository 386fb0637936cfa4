import { graphSchema, type InputField } from "../engine/graph";
import { parseDefault } from "../engine/run-input";
import type { Db } from "../db";

/**
 * A workspace's published workflows as MCP tools: what `/api/mcp` lists and what a
 * `tools/call` names. Only workflows with a published version are tools (like the REST
 * trigger, a tool runs the latest published version, never the draft being edited).
 */

export type JsonSchemaObject = {
  type: "object";
  properties?: Record<string, Record<string, unknown>>;
  required?: string[];
  additionalProperties: boolean;
};

export type WorkflowTool = {
  /** Unique in the workspace, stable while the workflow keeps its name, within the MCP name pattern. */
  name: string;
  title: string;
  description: string;
  inputSchema: JsonSchemaObject;
  workflowId: string;
};

/** More than any client shows in a picker; the list is one query, so it stays bounded. */
export const MAX_WORKFLOW_TOOLS = 200;

const SLUG_MAX_CHARS = 40;
const SHORT_ID_CHARS = 8;

/** The workflow name as a tool name: ASCII letters, digits and `_` only, lower case. */
export function slugOfName(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, SLUG_MAX_CHARS)
    .replace(/_+$/, "");
  return slug === "" ? "workflow" : slug;
}

/** The id's random part (ids are `wf_` + base64url, so it is already within the MCP name pattern). */
function idPart(workflowId: string): string {
  return workflowId.replace(/^wf_/, "").replace(/[^A-Za-z0-9_-]/g, "");
}

/**
 * `<slug>_<first 8 characters of the id>`: readable, stable, and (48 random bits) unique in
 * practice; should two ever collide, both take the whole id. At most 57 characters, so a
 * client that prefixes the server's name stays under the common 64-character limit.
 */
export function toolNames(workflows: readonly { id: string; name: string }[]): Map<string, string> {
  const short = (workflow: { id: string; name: string }) => `${slugOfName(workflow.name)}_${idPart(workflow.id).slice(0, SHORT_ID_CHARS)}`;
  const counts = new Map<string, number>();
  for (const workflow of workflows) counts.set(short(workflow), (counts.get(short(workflow)) ?? 0) + 1);
  return new Map(
    workflows.map((workflow) => {
      const name = short(workflow);
      return [workflow.id, (counts.get(name) ?? 0) > 1 ? `${slugOfName(workflow.name)}_${idPart(workflow.id)}` : name];
    }),
  );
}

function propertyOf(field: InputField): Record<string, unknown> {
  const property: Record<string, unknown> = {};
  switch (field.type) {
    case "string":
      property.type = "string";
      // The server refuses a blank required text, not only an empty one.
      if (field.required) property.pattern = "\\S";
      break;
    case "text":
      property.type = "string";
      if (field.required) property.pattern = "\\S";
      break;
    case "number":
      property.type = "number";
      break;
    case "boolean":
      property.type = "boolean";
      break;
    case "json":
      // Any JSON value: no `type`.
      break;
  }
  const description = [field.description.trim(), field.type === "text" ? "(multi-line text)" : "", field.type === "json" ? "(any JSON value)" : ""].filter(Boolean).join(" ");
  if (description !== "") property.description = description;
  const fallback = parseDefault(field);
  if (fallback.kind === "value") property.default = fallback.value;
  return property;
}

/**
 * The Trigger node's input fields as JSON Schema. Without fields a run takes any input: the
 * tool's arguments object is the input. Other keys are always allowed, as the REST trigger
 * keeps keys the fields do not name.
 */
export function inputSchemaOf(fields: readonly InputField[]): JsonSchemaObject {
  if (fields.length === 0) return { type: "object", additionalProperties: true };
  const properties: Record<string, Record<string, unknown>> = {};
  for (const field of fields) Object.defineProperty(properties, field.name, { value: propertyOf(field), enumerable: true, writable: true, configurable: true });
  const required = fields.filter((field) => field.required && parseDefault(field).kind !== "value").map((field) => field.name);
  return { type: "object", properties, ...(required.length > 0 ? { required } : {}), additionalProperties: true };
}

function inputFieldsOf(graph: unknown): InputField[] {
  const parsed = graphSchema.safeParse(graph);
  if (!parsed.success) return [];
  const trigger = parsed.data.nodes.find((node) => node.type === "trigger");
  return trigger?.type === "trigger" ? trigger.data.inputFields : [];
}

/** The workspace's published workflows as tools, by name. */
export async function listWorkflowTools(db: Db, workspaceId: string): Promise<WorkflowTool[]> {
  const workflows = await db.workflow.findMany({
    where: { workspaceId, versions: { some: { publishedAt: { not: null } } } },
    orderBy: [{ name: "asc" }, { id: "asc" }],
    take: MAX_WORKFLOW_TOOLS,
    select: {
      id: true,
      name: true,
      description: true,
      // The same version `latestPublishedVersion` picks, which is the one a call runs.
      versions: { where: { publishedAt: { not: null } }, orderBy: { publishedAt: "desc" }, take: 1, select: { graph: true } },
    },
  });
  const names = toolNames(workflows);
  return workflows.map((workflow) => ({
    name: names.get(workflow.id) ?? workflow.id,
    title: workflow.name,
    description: workflow.description.trim() !== "" ? workflow.description : `Runs the AgentFlow workflow “${workflow.name}”.`,
    inputSchema: inputSchemaOf(inputFieldsOf(workflow.versions[0]?.graph)),
    workflowId: workflow.id,
  }));
}

export async function findWorkflowTool(db: Db, workspaceId: string, name: string): Promise<WorkflowTool | null> {
  return (await listWorkflowTools(db, workspaceId)).find((tool) => tool.name === name) ?? null;
}
