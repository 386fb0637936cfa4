import type OpenAI from "openai";
import type { ToolCall } from "../engine/events";

type ChatChunk = OpenAI.Chat.Completions.ChatCompletionChunk;

export type StreamedReply = {
  message: { role: "assistant"; content: string | null; toolCalls?: ToolCall[] };
  usage: { promptTokens: number; completionTokens: number };
};

/** What one chunk adds: answer text, and per tool call (by index) its name so far and a piece of its arguments. */
export type ChunkDelta = { text: string; toolFragments: { index: number; name: string | undefined; arguments: string }[] };

/**
 * Folds OpenAI-wire `chat.completion.chunk`s into the reply the non-streaming call returns:
 * content deltas concatenated, tool calls assembled from their fragments by `index` (the id
 * and name come once, the arguments in pieces), usage from whichever chunk carries it (the
 * final `choices: []` chunk with `stream_options.include_usage`). Content is `null` when the
 * model never sent any (a tool call alone), as the non-streaming wire says it.
 */
export class ChatStreamAccumulator {
  private text = "";
  private sawContent = false;
  private sawChoice = false;
  private readonly calls = new Map<number, { id: string; name: string; arguments: string }>();
  private usage: StreamedReply["usage"] | null = null;

  /** Adds one chunk; returns what it adds: text of the answer ("" when none) and tool call fragments. */
  add(chunk: ChatChunk): ChunkDelta {
    if (chunk.usage) this.usage = { promptTokens: chunk.usage.prompt_tokens ?? 0, completionTokens: chunk.usage.completion_tokens ?? 0 };
    let added = "";
    const toolFragments: ChunkDelta["toolFragments"] = [];
    for (const choice of chunk.choices ?? []) {
      if (choice.index !== 0) continue;
      this.sawChoice = true;
      const delta = choice.delta ?? {};
      if (typeof delta.content === "string") {
        this.sawContent = true;
        this.text += delta.content;
        added += delta.content;
      }
      for (const fragment of delta.tool_calls ?? []) {
        const call = this.calls.get(fragment.index) ?? { id: "", name: "", arguments: "" };
        if (fragment.id) call.id = fragment.id;
        const name = fragment.function?.name;
        // Servers send the name once; one that repeats it whole must not double it.
        if (name && name !== call.name) call.name = call.name === "" ? name : call.name + name;
        if (fragment.function?.arguments) call.arguments += fragment.function.arguments;
        this.calls.set(fragment.index, call);
        toolFragments.push({ index: fragment.index, name: call.name || undefined, arguments: fragment.function?.arguments ?? "" });
      }
    }
    return { text: added, toolFragments };
  }

  result(): StreamedReply {
    if (!this.sawChoice) throw new Error("the model returned no choices");
    const toolCalls = [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, call]) => ({ id: call.id || `call_${index}`, name: call.name, arguments: call.arguments }));
    return {
      // A tool call alone has no content (null), even from servers that open with `content: ""`.
      message: { role: "assistant", content: this.text !== "" || (this.sawContent && toolCalls.length === 0) ? this.text : null, ...(toolCalls.length > 0 ? { toolCalls } : {}) },
      usage: this.usage ?? { promptTokens: 0, completionTokens: 0 },
    };
  }
}
