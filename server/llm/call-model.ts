import type OpenAI from "openai";
import type { LlmRequest } from "../engine/decide";
import type { ChatMessage, RunEvent } from "../engine/events";
import { clientFor, costUsd, providerLimit, resolveProvider } from "./providers";
import { estimateTokens } from "../engine/agent";

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
};

export async function callModel(nodeId: string, request: LlmRequest, options: CallModelOptions = {}): Promise<RunEvent> {
  const { signal, now = Date.now } = options;
  const started = now();
  let providerId = request.provider;
  let model = request.model;
  try {
    const provider = resolveProvider(request.provider);
    providerId = provider.id;
    model = request.model || provider.defaultModel;
    const completion = await providerLimit(provider).run(signal, () => clientFor(provider).chat.completions.create({
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
    }, { signal }));
    const latencyMs = now() - started;
    const choice = completion.choices[0];
    if (!choice) throw new Error("the model returned no choices");
    const usage = {
      promptTokens: completion.usage?.prompt_tokens ?? 0,
      completionTokens: completion.usage?.completion_tokens ?? 0,
    };
    const toolCalls = (choice.message.tool_calls ?? []).flatMap((call) =>
      call.type === "function" ? [{ id: call.id, name: call.function.name, arguments: call.function.arguments }] : [],
    );
    return {
      type: "llm_response",
      nodeId,
      provider: provider.id,
      model,
      message: { role: "assistant", content: choice.message.content ?? null, ...(toolCalls.length > 0 ? { toolCalls } : {}) },
      usage,
      costUsd: costUsd(provider, model, usage, latencyMs),
      latencyMs,
      sentMessages: request.messages.length,
      sentTokens: estimateTokens(request.messages),
    };
  } catch (error) {
    return {
      type: "llm_error",
      nodeId,
      provider: providerId,
      model,
      error: compactError(error),
      latencyMs: now() - started,
    };
  }
}

/** One line, no stack: what an operator (and the agent) needs to know. */
export function compactError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, " ").slice(0, 500);
}
