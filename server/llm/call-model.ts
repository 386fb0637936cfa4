import type OpenAI from "openai";
import type { Db } from "../db";
import type { LlmRequest } from "../engine/decide";
import type { ChatMessage, RunEvent, ToolCall } from "../engine/events";
import { callAnthropic, isAnthropicApiError, isRetryableAnthropicError, type AnthropicProvider } from "./anthropic";
import { getEnv } from "../env";
import { clientFor, isOpenAiApiError, providerLimit, resolveProvider, type ProviderConfig } from "./providers";
import { priceModelCall } from "./model-prices";
import { checkProviderAddress, ProviderUnavailableError, resolveWorkspaceProvider } from "./workspace-providers";
import { estimateTokens } from "../engine/agent";
import { ChatStreamAccumulator } from "./chat-stream";
import { LiveAnswerText } from "./live-answer";

type ChatParams = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;

function toWireMessage(message: ChatMessage): ChatParams["messages"][number] {
  switch (message.role) {
    case "system":
    case "user":
      return { role: message.role, content: message.content };
    case "tool":
      return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
    case "assistant":
      return {
        role: "assistant",
        content: message.content,
        ...(message.toolCalls && message.toolCalls.length > 0
          ? {
              tool_calls: message.toolCalls.map((call) => ({
                id: call.id,
                type: "function" as const,
                function: { name: call.name, arguments: call.arguments },
              })),
            }
          : {}),
      };
  }
}

/**
 * Performs one model call and turns its outcome into an event: `llm_response` with usage
 * and cost, or `llm_error` whose short message goes back into the agent's context.
 */
export type CallModelOptions = {
  /** Aborts the request (and a wait for a free provider slot), e.g. when the run is cancelled. */
  signal?: AbortSignal;
  now?: () => number;
  /**
   * The run's workspace: its providers (Settings → Model providers) come before the
   * environment's. Without it only the environment's providers are known.
   */
  workspace?: { db: Db; workspaceId: () => Promise<string> };
  /**
   * Streams the reply: called with each piece of the answer's readable text as it arrives
   * (server/llm/live-answer.ts: the model's words, then what its tool calls write — ephemeral,
   * the committed event still carries the whole message once). Without it the call is not streamed.
   */
  onTextDelta?: (text: string) => void;
  /** Called as a streamed call starts: text handed over before (by an earlier provider of a fallback chain) no longer counts. */
  onTextReset?: () => void;
};

async function providerFor(request: LlmRequest, workspace: CallModelOptions["workspace"]): Promise<ProviderConfig> {
  if (!workspace) return resolveProvider(request.provider);
  const provider = await resolveWorkspaceProvider(workspace.db, await workspace.workspaceId(), request.provider);
  await checkProviderAddress(provider);
  return provider;
}

type ModelReply = {
  message: { role: "assistant"; content: string | null; toolCalls?: ToolCall[] };
  usage: { promptTokens: number; completionTokens: number };
  ttftMs?: number;
};

function chatParams(model: string, request: LlmRequest): ChatParams {
  return {
    model,
    temperature: request.temperature,
    messages: request.messages.map(toWireMessage),
    ...(request.tools.length > 0
      ? {
          tools: request.tools.map((tool) => ({
            type: "function" as const,
            function: { name: tool.name, description: tool.description, parameters: tool.parameters },
          })),
        }
      : {}),
  };
}

/**
 * A server that refuses streaming itself (not the request's content): a 400/422 naming
 * `stream` or `stream_options`. Such a call is made again without streaming.
 */
function refusesStreaming(error: unknown): boolean {
  return isOpenAiApiError(error) && (error.status === 400 || error.status === 422) && /stream/i.test(error.message);
}

/**
 * The streamed call: `stream: true` with usage in the last chunk, folded into the same reply.
 * The client's retries cover the request up to the first byte of the answer; an error in the
 * middle of the stream is classified like any other.
 */
async function streamOpenAiWire(provider: ProviderConfig, model: string, request: LlmRequest, signal: AbortSignal | undefined, onTextDelta: (text: string) => void): Promise<ModelReply> {
  const started = performance.now();
  const stream = await (await clientFor(provider)).chat.completions.create(
    { ...chatParams(model, request), stream: true, stream_options: { include_usage: true } },
    { signal },
  );
  const reply = new ChatStreamAccumulator();
  const live = new LiveAnswerText(onTextDelta);
  let ttftMs: number | undefined;
  for await (const chunk of stream) {
    const { text, toolFragments } = reply.add(chunk);
    if (ttftMs === undefined && (text !== "" || toolFragments.length > 0)) ttftMs = performance.now() - started;
    live.content(text);
    for (const fragment of toolFragments) live.toolCall(fragment.index, fragment.name, fragment.arguments);
  }
  return { ...reply.result(), ...(ttftMs === undefined ? {} : { ttftMs }) };
}

/** OpenAI, RunPod, Ollama, any OpenAI-compatible server and the demo model: the official `openai` client. */
async function callOpenAiWire(provider: ProviderConfig, model: string, request: LlmRequest, signal: AbortSignal | undefined, onTextDelta?: (text: string) => void): Promise<ModelReply> {
  if (onTextDelta) {
    try {
      return await streamOpenAiWire(provider, model, request, signal, onTextDelta);
    } catch (error) {
      if (!refusesStreaming(error)) throw error;
    }
  }
  const completion = await (await clientFor(provider)).chat.completions.create(chatParams(model, request), { signal });
  const choice = completion.choices[0];
  if (!choice) throw new Error("the model returned no choices");
  const toolCalls = (choice.message.tool_calls ?? []).flatMap((call) =>
    call.type === "function" ? [{ id: call.id, name: call.function.name, arguments: call.function.arguments }] : [],
  );
  return {
    message: { role: "assistant", content: choice.message.content ?? null, ...(toolCalls.length > 0 ? { toolCalls } : {}) },
    usage: { promptTokens: completion.usage?.prompt_tokens ?? 0, completionTokens: completion.usage?.completion_tokens ?? 0 },
  };
}

/** The Anthropic SDK wants the server's root (it adds /v1/messages); providers store the API root (…/v1). */
function anthropicProviderOf(provider: ProviderConfig): AnthropicProvider {
  return { baseURL: provider.baseURL.replace(/\/v1\/?$/, ""), apiKey: provider.apiKey, timeoutMs: provider.timeoutMs, maxRetries: getEnv().LLM_MAX_RETRIES };
}

export async function callModel(nodeId: string, request: LlmRequest, options: CallModelOptions = {}): Promise<RunEvent> {
  const { signal, now = Date.now, workspace, onTextDelta, onTextReset } = options;
  if (onTextDelta) onTextReset?.();
  const started = now();
  let providerId = request.provider;
  let model = request.model;
  try {
    const provider = await providerFor(request, workspace);
    providerId = provider.id;
    model = request.model || provider.defaultModel;
    const { message, usage, ttftMs } = await providerLimit(provider).run(signal, () =>
      provider.kind === "anthropic"
        ? callAnthropic(anthropicProviderOf(provider), model, request, signal, onTextDelta)
        : callOpenAiWire(provider, model, request, signal, onTextDelta),
    );
    const latencyMs = now() - started;
    return {
      type: "llm_response",
      nodeId,
      provider: provider.id,
      model,
      message,
      usage,
      // null when the price is unknown (never a silent $0); the workspace's own price wins (model-prices.ts).
      costUsd: await priceModelCall(provider, model, usage, latencyMs, workspace),
      latencyMs,
      sentMessages: request.messages.length,
      sentTokens: estimateTokens(request.messages),
      ...(ttftMs === undefined ? {} : { ttftMs: Math.round(ttftMs) }),
    };
  } catch (error) {
    return {
      type: "llm_error",
      nodeId,
      provider: providerId,
      model,
      error: describeModelError(error, model),
      retryable: isRetryable(error),
      latencyMs: now() - started,
    };
  }
}

/**
 * Whether trying again can help. The openai client has already retried what can pass
 * (429, 5xx, timeouts, dropped connections); a refused key, a wrong URL or model, a request
 * the provider rejects or a provider that is not configured fail the same way every time.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ProviderUnavailableError) return false;
  if (error instanceof Error && error.message.startsWith("Provider \"") && error.message.includes("is not configured")) return false;
  if (isOpenAiApiError(error)) {
    return !(error.status === 400 || error.status === 401 || error.status === 403 || error.status === 404 || error.status === 422);
  }
  return isRetryableAnthropicError(error) ?? true;
}

/** The error in plain words: what the person fixing it (and the agent) needs. */
function describeModelError(error: unknown, model: string): string {
  if (isOpenAiApiError(error) || isAnthropicApiError(error)) {
    const detail = compactError(error);
    if (error.status === 401 || error.status === 403) return compactError(`The key was refused (${error.status}): ${detail}`);
    if (error.status === 404) return compactError(`Not found (404) — check the model "${model}" and the base URL: ${detail}`);
    if (error.status === 400 || error.status === 422) return compactError(`The provider refused the request (${error.status}): ${detail}`);
  }
  return compactError(error);
}

/** One line, no stack: what an operator (and the agent) needs to know. */
export function compactError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, " ").slice(0, 500);
}
