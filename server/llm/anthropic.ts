import type Anthropic from "@anthropic-ai/sdk";
import type { LlmRequest } from "../engine/decide";
import type { ChatMessage, ToolCall } from "../engine/events";
import { LiveAnswerText } from "./live-answer";
import { loadOnFirstUse } from "./load-on-first-use";

/**
 * Anthropic through its official SDK. Our thread (OpenAI-shaped chat messages, the engine's
 * own format) becomes a Messages API request: the system prompt apart, tool calls as
 * `tool_use` blocks, tool results as `tool_result` blocks in the next user turn; the reply
 * becomes the same assistant message the OpenAI path produces, so the reducer, the events and
 * the crash-safety rules are the same for both.
 */

/** Anthropic requires an output cap; enough for any agent step, small enough to bound a runaway reply. */
export const ANTHROPIC_MAX_TOKENS = 4_096;

type MessageParam = Anthropic.Messages.MessageParam;
type ContentBlockParam = Anthropic.Messages.ContentBlockParam;

/** Tool arguments as Anthropic wants them (an object); text the model wrote that is not JSON goes as `{}`. */
function toolInput(argumentsText: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(argumentsText);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * The thread in Anthropic's shape. Consecutive turns of the same role are merged (the API
 * wants them alternating): several tool results, or a tool result followed by a user message
 * (a compaction summary), become one user turn.
 */
export function toAnthropicMessages(messages: readonly ChatMessage[]): { system: string; messages: MessageParam[] } {
  const system: string[] = [];
  const turns: MessageParam[] = [];
  const push = (role: "user" | "assistant", blocks: ContentBlockParam[]) => {
    if (blocks.length === 0) return;
    const last = turns.at(-1);
    if (last && last.role === role && Array.isArray(last.content)) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  };
  for (const message of messages) {
    switch (message.role) {
      case "system":
        system.push(message.content);
        break;
      case "user":
        push("user", [{ type: "text", text: message.content }]);
        break;
      case "tool":
        push("user", [{ type: "tool_result", tool_use_id: message.toolCallId, content: message.content }]);
        break;
      case "assistant":
        push("assistant", [
          ...(message.content ? [{ type: "text" as const, text: message.content }] : []),
          ...(message.toolCalls ?? []).map((call) => ({ type: "tool_use" as const, id: call.id, name: call.name, input: toolInput(call.arguments) })),
        ]);
        break;
    }
  }
  return { system: system.join("\n\n"), messages: turns };
}

export type AnthropicProvider = { baseURL: string; apiKey: string; timeoutMs: number; maxRetries: number };

export type AnthropicReply = {
  message: { role: "assistant"; content: string | null; toolCalls?: ToolCall[] };
  usage: { promptTokens: number; completionTokens: number };
  /** Milliseconds from the request to the first streamed delta (streamed calls only). */
  ttftMs?: number;
};

/** The SDK, loaded with the first Anthropic call (see loadOnFirstUse; ~20 MiB of a process's memory). */
const anthropicSdk = loadOnFirstUse(async () => (await import("@anthropic-ai/sdk")).default);

/** An error of the Anthropic SDK with an HTTP status. Without the SDK loaded no call was made, so none can be. */
export function isAnthropicApiError(error: unknown): error is InstanceType<typeof Anthropic.APIError> & { status: number } {
  const sdk = anthropicSdk.loaded();
  return sdk !== undefined && error instanceof sdk.APIError && typeof error.status === "number";
}

/**
 * One Messages API call; throws the SDK's errors (the caller classifies them). With
 * `onTextDelta` the reply is streamed (the SDK's `messages.stream`, Anthropic's SSE) and each
 * piece of text is handed over as it arrives; the result is the same final message.
 */
export async function callAnthropic(
  provider: AnthropicProvider,
  model: string,
  request: LlmRequest,
  signal: AbortSignal | undefined,
  onTextDelta?: (text: string) => void,
): Promise<AnthropicReply> {
  const Anthropic = await anthropicSdk.load();
  const client = new Anthropic({ apiKey: provider.apiKey, baseURL: provider.baseURL, timeout: provider.timeoutMs, maxRetries: provider.maxRetries });
  const { system, messages } = toAnthropicMessages(request.messages);
  const params = {
    model,
    // No temperature: this SDK's Messages API no longer takes sampling settings.
    max_tokens: ANTHROPIC_MAX_TOKENS,
    ...(system ? { system } : {}),
    messages,
    ...(request.tools.length > 0
      ? { tools: request.tools.map((tool) => ({ name: tool.name, description: tool.description, input_schema: tool.parameters as Anthropic.Messages.Tool.InputSchema })) }
      : {}),
  };
  if (!onTextDelta) return replyOf(await client.messages.create(params, { signal }));
  const started = performance.now();
  let ttftMs: number | undefined;
  const stream = client.messages.stream(params, { signal });
  const live = new LiveAnswerText(onTextDelta);
  stream.on("streamEvent", (event) => {
    if (event.type === "content_block_start" && event.content_block.type === "tool_use") live.toolCall(event.index, event.content_block.name, "");
    if (event.type !== "content_block_delta") return;
    ttftMs ??= performance.now() - started;
    if (event.delta.type === "text_delta") live.content(event.delta.text);
    if (event.delta.type === "input_json_delta") live.toolCall(event.index, undefined, event.delta.partial_json);
  });
  const reply = replyOf(await stream.finalMessage());
  return ttftMs === undefined ? reply : { ...reply, ttftMs };
}

function replyOf(reply: Anthropic.Messages.Message): AnthropicReply {
  const text = reply.content.flatMap((part) => (part.type === "text" ? [part.text] : [])).join("");
  const toolCalls = reply.content.flatMap((part) => (part.type === "tool_use" ? [{ id: part.id, name: part.name, arguments: JSON.stringify(part.input ?? {}) }] : []));
  return {
    message: { role: "assistant", content: text === "" ? null : text, ...(toolCalls.length > 0 ? { toolCalls } : {}) },
    usage: { promptTokens: reply.usage.input_tokens, completionTokens: reply.usage.output_tokens },
  };
}

/** Whether an Anthropic error can pass on another try (the SDK already retried those). */
export function isRetryableAnthropicError(error: unknown): boolean | null {
  if (!isAnthropicApiError(error)) return null;
  return !(error.status === 400 || error.status === 401 || error.status === 403 || error.status === 404 || error.status === 422);
}
