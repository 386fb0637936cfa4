import { z } from "zod";

/**
 * Tools the engine itself understands. They are described to the model as JSON Schema
 * (generated from the same zod schema that validates the model's arguments), and a call
 * whose arguments do not validate goes back to the model as a compact error.
 */

export const COMPLETE_TASK = "complete_task";

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

export type ToolSpec<T = { result: string }> = {
  name: string;
  description: string;
  /** JSON Schema of the arguments object, sent to the model. */
  parameters: Record<string, unknown>;
  parse: (rawArguments: string) => ParseResult<T>;
};

function toolSpec<S extends z.ZodType>(name: string, description: string, schema: S): ToolSpec<z.infer<S>> {
  return {
    name,
    description,
    parameters: z.toJSONSchema(schema) as Record<string, unknown>,
    parse(rawArguments) {
      let json: unknown;
      try {
        json = JSON.parse(rawArguments === "" ? "{}" : rawArguments);
      } catch {
        return { ok: false, error: "arguments are not valid JSON" };
      }
      const result = schema.safeParse(json);
      if (result.success) return { ok: true, value: result.data };
      return { ok: false, error: compactIssues(result.error) };
    },
  };
}

/** One short line per problem: what the model needs to fix its call, nothing more. */
export function compactIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}

export const completeTaskTool = toolSpec(
  COMPLETE_TASK,
  "Finish your task. Call this exactly once with your final answer in `result`.",
  z.object({ result: z.string().min(1).describe("The final answer for this task") }).strict(),
);

export const BUILTIN_AGENT_TOOLS: readonly ToolSpec[] = [completeTaskTool];
