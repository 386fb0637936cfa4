import { z } from "zod";
import { parseToolArgs, TOOL_NAMES, toolCatalogEntry, toolJsonSchema } from "./tools/catalog";

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

/** The specs sent to the model for an agent with this allowlist. */
export function toolSpecsFor(allowedTools: readonly string[]): ToolSpec[] {
  const specs: ToolSpec[] = [ENGINE_TOOLS[COMPLETE_TASK] as ToolSpec];
  for (const name of allowedTools) {
    const engineTool = ENGINE_TOOLS[name];
    if (engineTool && name !== COMPLETE_TASK) specs.push(engineTool);
    const entry = toolCatalogEntry(name);
    const parameters = toolJsonSchema(name);
    if (entry && parameters) specs.push({ name, description: entry.description, parameters });
  }
  return specs;
}

/** Whether a call of this catalog tool waits for a person, given the node's overrides. */
export function needsApproval(name: string, autoApproveTools: readonly string[]): boolean {
  const entry = toolCatalogEntry(name);
  return Boolean(entry?.requiresApproval) && !autoApproveTools.includes(name);
}

export { parseToolArgs };
