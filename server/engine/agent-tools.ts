import { z } from "zod";
import { parseToolArgs, TOOL_NAMES, toolCatalogEntry, toolJsonSchema } from "./tools/catalog";
import { MODEL_TOOL_NAME_PATTERN, type mcpToolRefSchema } from "./graph";

/** An MCP server's tool as an agent node holds it. */
export type McpToolRef = z.infer<typeof mcpToolRefSchema>;

/**
 * The tools an agent can be given, described to the model as JSON Schema generated from the
 * same zod schemas that validate the model's arguments. A call whose arguments do not
 * validate goes back to the model as a compact error and never reaches the tool.
 */

export const COMPLETE_TASK = "complete_task";
export const REQUEST_HUMAN_INPUT = "request_human_input";

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

export type ToolSpec = {
  name: string;
  description: string;
  /** JSON Schema of the arguments object, sent to the model. */
  parameters: Record<string, unknown>;
};

/** One short line per problem: what the model needs to fix its call, nothing more. */
export function compactIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}

function parseWith<S extends z.ZodType>(schema: S, rawArguments: string): ParseResult<z.infer<S>> {
  let json: unknown;
  try {
    json = JSON.parse(rawArguments.trim() === "" ? "{}" : rawArguments);
  } catch {
    return { ok: false, error: "arguments are not valid JSON" };
  }
  const result = schema.safeParse(json);
  return result.success ? { ok: true, value: result.data } : { ok: false, error: compactIssues(result.error) };
}

const completeTaskArgs = z.strictObject({ result: z.string().min(1).describe("The final answer for this task") });
const requestHumanInputArgs = z.strictObject({ question: z.string().min(1).max(5_000).describe("What you need a person to tell you") });

export const parseCompleteTask = (raw: string) => parseWith(completeTaskArgs, raw);
export const parseRequestHumanInput = (raw: string) => parseWith(requestHumanInputArgs, raw);

const ENGINE_TOOLS: Record<string, ToolSpec> = {
  [COMPLETE_TASK]: {
    name: COMPLETE_TASK,
    description: "Finish your task. Call this exactly once with your final answer in `result`.",
    parameters: z.toJSONSchema(completeTaskArgs) as Record<string, unknown>,
  },
  [REQUEST_HUMAN_INPUT]: {
    name: REQUEST_HUMAN_INPUT,
    description: "Ask a person a question and wait for the answer. Use when you lack information only a person has.",
    parameters: z.toJSONSchema(requestHumanInputArgs) as Record<string, unknown>,
  },
};

/** Every tool name a builder may allow an agent (complete_task is always on). */
export const ALLOWABLE_TOOL_NAMES: readonly string[] = [REQUEST_HUMAN_INPUT, ...TOOL_NAMES];

export function isKnownTool(name: string): boolean {
  return name === COMPLETE_TASK || ALLOWABLE_TOOL_NAMES.includes(name);
}

/** The specs sent to the model for an agent with this allowlist (and these picked MCP tools). */
export function toolSpecsFor(allowedTools: readonly string[], mcpTools: readonly McpToolRef[] = []): ToolSpec[] {
  const specs: ToolSpec[] = [ENGINE_TOOLS[COMPLETE_TASK] as ToolSpec];
  for (const name of allowedTools) {
    const engineTool = ENGINE_TOOLS[name];
    if (engineTool && name !== COMPLETE_TASK) specs.push(engineTool);
    const entry = toolCatalogEntry(name);
    const parameters = toolJsonSchema(name);
    if (entry && parameters) specs.push({ name, description: entry.description, parameters });
  }
  for (const tool of mcpTools) {
    const description = tool.description || `${tool.tool} (MCP server ${tool.serverName})`;
    specs.push({ name: tool.name, description, parameters: tool.inputSchema });
  }
  return specs;
}

/**
 * Whether a call waits for a person, given the node's overrides: a catalog tool by its own
 * rule, an MCP tool when its server marks it destructive.
 */
export function needsApproval(name: string, autoApproveTools: readonly string[], mcpTools: readonly McpToolRef[] = []): boolean {
  if (autoApproveTools.includes(name)) return false;
  const mcpTool = mcpTools.find((tool) => tool.name === name);
  if (mcpTool) return mcpTool.destructive;
  return Boolean(toolCatalogEntry(name)?.requiresApproval);
}

// ── MCP server tools ─────────────────────────────────────────────────────────────────────

/** The picked MCP tool an agent's call names, if any. */
export function mcpToolNamed(name: string, mcpTools: readonly McpToolRef[]): McpToolRef | undefined {
  return mcpTools.find((tool) => tool.name === name);
}

const MAX_TOOL_NAME = 64;

/**
 * The name the model calls an MCP tool by: `<server>__<tool>` in lower case, every character
 * outside [a-z0-9_] replaced by `_`, at most 64 characters, and different from every name in
 * `taken` (built-in tools and the agent's other MCP tools) by a numeric suffix.
 */
export function mcpToolName(serverName: string, toolName: string, taken: Iterable<string> = []): string {
  const used = new Set([COMPLETE_TASK, ...ALLOWABLE_TOOL_NAMES, ...taken]);
  // Lower case with `_` only: one spelling per tool, whatever the server's casing.
  const clean = (text: string) => text.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  const server = clean(serverName).slice(0, 24) || "mcp";
  const base = `${server}__${clean(toolName)}`.slice(0, MAX_TOOL_NAME) || "mcp_tool";
  if (!used.has(base)) return base;
  for (let n = 2; ; n += 1) {
    const suffix = `_${n}`;
    const candidate = `${base.slice(0, MAX_TOOL_NAME - suffix.length)}${suffix}`;
    if (!used.has(candidate)) return candidate;
  }
}

export function isModelToolName(name: string): boolean {
  return MODEL_TOOL_NAME_PATTERN.test(name);
}

const JSON_SCHEMA_TYPES = new Set(["object", "array", "string", "number", "integer", "boolean", "null"]);
const MAX_SCHEMA_CHARS = 50_000;

/**
 * Why an MCP tool's inputSchema cannot be sent to a model, or null when it can: it must be a
 * JSON Schema of an object (`type: "object"`), with `properties` an object of schemas and
 * `required` a list of property names. The nested schemas are checked for the same structural
 * rules (known `type` names, schema-shaped `properties` and `items`); the server itself
 * validates the values a call sends.
 */
export function inputSchemaProblem(schema: unknown): string | null {
  if (!isPlainObject(schema)) return "the input schema is not a JSON object";
  let size: number;
  try {
    size = JSON.stringify(schema).length;
  } catch {
    return "the input schema cannot be serialised as JSON";
  }
  if (size > MAX_SCHEMA_CHARS) return `the input schema is too large (${size} characters, at most ${MAX_SCHEMA_CHARS})`;
  if (schema.type !== "object") return `the input schema's type must be "object" (got ${JSON.stringify(schema.type) ?? "nothing"})`;
  return subschemaProblem(schema, "(root)", 0);
}

function subschemaProblem(schema: unknown, path: string, depth: number): string | null {
  if (typeof schema === "boolean") return null;
  if (!isPlainObject(schema)) return `${path} is not a schema (an object or a boolean)`;
  if (depth > 32) return `${path} is nested too deeply`;
  const { type, properties, required, items } = schema;
  if (type !== undefined) {
    const types = Array.isArray(type) ? type : [type];
    const unknown = types.find((name) => typeof name !== "string" || !JSON_SCHEMA_TYPES.has(name));
    if (types.length === 0 || unknown !== undefined) return `${path}: ${JSON.stringify(unknown ?? type)} is not a JSON Schema type`;
  }
  if (properties !== undefined) {
    if (!isPlainObject(properties)) return `${path}.properties is not an object`;
    for (const [key, value] of Object.entries(properties)) {
      const problem = subschemaProblem(value, `${path === "(root)" ? "" : `${path}.`}${key}`, depth + 1);
      if (problem) return problem;
    }
  }
  if (required !== undefined && (!Array.isArray(required) || required.some((name) => typeof name !== "string"))) {
    return `${path}.required is not a list of property names`;
  }
  if (items !== undefined) {
    const list = Array.isArray(items) ? items : [items];
    for (const item of list) {
      const problem = subschemaProblem(item, `${path}[]`, depth + 1);
      if (problem) return problem;
    }
  }
  return null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * A model's arguments for an MCP tool: a JSON object carrying the schema's required
 * properties. The rest of the schema is the server's to enforce (its answer goes back to the
 * model as a tool error).
 */
export function parseMcpToolArgs(tool: McpToolRef, rawArguments: unknown): ParseResult<Record<string, unknown>> {
  let value = rawArguments;
  if (typeof rawArguments === "string") {
    try {
      value = JSON.parse(rawArguments.trim() === "" ? "{}" : rawArguments);
    } catch {
      return { ok: false, error: "arguments are not valid JSON" };
    }
  }
  if (value === undefined || value === null) value = {};
  if (!isPlainObject(value)) return { ok: false, error: "(root): the arguments must be a JSON object" };
  const required = Array.isArray(tool.inputSchema.required) ? tool.inputSchema.required.filter((name): name is string => typeof name === "string") : [];
  const missing = required.filter((name) => !Object.hasOwn(value as Record<string, unknown>, name));
  if (missing.length > 0) return { ok: false, error: missing.slice(0, 5).map((name) => `${name}: required`).join("; ") };
  return { ok: true, value };
}

/**
 * Parses an agent's call of a catalog tool or one of its MCP tools, in the shape the
 * call_tool effect carries.
 */
export function parseAgentToolArgs(name: string, rawArguments: unknown, mcpTools: readonly McpToolRef[]): { ok: true; args: unknown } | { ok: false; error: string } {
  const mcpTool = mcpToolNamed(name, mcpTools);
  if (mcpTool) {
    const parsed = parseMcpToolArgs(mcpTool, rawArguments);
    return parsed.ok ? { ok: true, args: parsed.value } : parsed;
  }
  const parsed = parseToolArgs(name, rawArguments);
  return parsed.ok ? { ok: true, args: parsed.args } : parsed;
}

export { parseToolArgs };
