/**
 * Pure helpers for a tool approval: reading the call the engine asks about and checking
 * the arguments a person edited. Shared by the canvas panel and the Inbox.
 */

export type PendingToolCall = { tool: string; arguments: string };

/** A tool approval's context as the engine writes it: `{ tool, arguments: <JSON text> }`. */
export function toolCallOf(context: unknown): PendingToolCall | null {
  if (context === null || typeof context !== "object") return null;
  const tool = "tool" in context ? context.tool : undefined;
  const args = "arguments" in context ? context.arguments : undefined;
  return typeof tool === "string" && typeof args === "string" ? { tool, arguments: args } : null;
}

export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export function compactJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

/** Why edited arguments cannot be sent, or null when they are a JSON object. */
export function jsonObjectError(text: string): string | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? null : "Arguments must be a JSON object";
  } catch {
    return "Not valid JSON";
  }
}

/**
 * The `editedArguments` to send with an approval: the edit as compact JSON, or undefined when
 * nothing was edited or the edit only changed whitespace (the model's call runs as it was).
 */
export function editedArgumentsToSend(toolCall: PendingToolCall, edited: string | null): string | undefined {
  if (edited === null) return undefined;
  const compact = compactJson(edited);
  return compact === compactJson(toolCall.arguments) ? undefined : compact;
}
