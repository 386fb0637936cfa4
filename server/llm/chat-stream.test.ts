import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatStreamAccumulator } from "./chat-stream";
import { callAnthropic } from "./anthropic";
import { startDemoModelServer, type DemoModelServer } from "./serve-demo-model";
import { toolSpecsFor } from "../engine/agent-tools";

type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;

const chunk = (delta: Chunk["choices"][number]["delta"], extra: Partial<Chunk> = {}): Chunk => ({
  id: "c",
  object: "chat.completion.chunk",
  created: 0,
  model: "m",
  choices: [{ index: 0, delta, finish_reason: null }],
  ...extra,
});

describe("ChatStreamAccumulator", () => {
  it("assembles interleaved tool call fragments by index, keeps the text and takes usage from the last chunk", () => {
    const reply = new ChatStreamAccumulator();
    const chunks: Chunk[] = [
      chunk({ role: "assistant", content: "" }),
      chunk({ content: "Checking " }),
      chunk({ content: "both." }),
      chunk({ tool_calls: [{ index: 1, id: "call_b", type: "function", function: { name: "http_request", arguments: "" } }] }),
      chunk({ tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "read_file", arguments: '{"pa' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: '{"url":"https://a.example"' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: 'th":"x.txt"}' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: "}" } }] }),
      { ...chunk({}), choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] },
      { ...chunk({}), choices: [], usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 } },
    ];
    const added = chunks.map((c) => reply.add(c));
    expect(added.map((delta) => delta.text).join("")).toBe("Checking both.");
    expect(added[4]?.toolFragments).toEqual([{ index: 0, name: "read_file", arguments: '{"pa' }]);
    expect(added[5]?.toolFragments).toEqual([{ index: 1, name: "http_request", arguments: '{"url":"https://a.example"' }]);
    expect(reply.result()).toEqual({
      message: {
        role: "assistant",
        content: "Checking both.",
        toolCalls: [
          { id: "call_a", name: "read_file", arguments: '{"path":"x.txt"}' },
          { id: "call_b", name: "http_request", arguments: '{"url":"https://a.example"}' },
        ],
      },
      usage: { promptTokens: 12, completionTokens: 7 },
    });
  });

  it("says null content for a tool call alone (even after an empty opening), \"\" for an empty answer, and no usage as zeros", () => {
    const toolOnly = new ChatStreamAccumulator();
    toolOnly.add(chunk({ role: "assistant", content: "" }));
    expect(toolOnly.add(chunk({ tool_calls: [{ index: 0, id: "x", type: "function", function: { name: "complete_task", arguments: "{}" } }] }))).toEqual({
      text: "",
      toolFragments: [{ index: 0, name: "complete_task", arguments: "{}" }],
    });
    expect(toolOnly.result().message).toEqual({ role: "assistant", content: null, toolCalls: [{ id: "x", name: "complete_task", arguments: "{}" }] });
    expect(toolOnly.result().usage).toEqual({ promptTokens: 0, completionTokens: 0 });

    const empty = new ChatStreamAccumulator();
    empty.add(chunk({ role: "assistant", content: "" }));
    expect(empty.result().message).toEqual({ role: "assistant", content: "" });
  });

  it("does not double a tool name a server repeats whole, and refuses a stream without choices", () => {
    const reply = new ChatStreamAccumulator();
    reply.add(chunk({ tool_calls: [{ index: 0, id: "x", function: { name: "complete_task", arguments: '{"a":' } }] }));
    reply.add(chunk({ tool_calls: [{ index: 0, function: { name: "complete_task", arguments: "1}" } }] }));
    expect(reply.result().message.toolCalls).toEqual([{ id: "x", name: "complete_task", arguments: '{"a":1}' }]);

    const nothing = new ChatStreamAccumulator();
    nothing.add({ ...chunk({}), choices: [], usage: { prompt_tokens: 1, completion_tokens: 0, total_tokens: 1 } });
    expect(() => nothing.result()).toThrow("the model returned no choices");
  });
});

describe("the demo model's streamed answers over HTTP", () => {
  let demo: DemoModelServer;
  beforeAll(async () => {
    demo = await startDemoModelServer();
  });
  afterAll(() => demo.close());

  const messages = (task: string) => [
    { role: "system" as const, content: "You are helpful." },
    { role: "user" as const, content: task },
  ];

  it("OpenAI wire: the streamed chunks fold into the non-streamed reply, usage included, word by word with #demo:drip", async () => {
    const client = new OpenAI({ baseURL: demo.baseUrl, apiKey: "demo", maxRetries: 0 });
    const task = "Explain the migration of otters across rivers #demo:drip:20";
    const whole = await client.chat.completions.create({ model: "agentflow-demo-1", messages: messages(task) });
    const started = performance.now();
    const stream = await client.chat.completions.create({ model: "agentflow-demo-1", messages: messages(task), stream: true, stream_options: { include_usage: true } });
    const reply = new ChatStreamAccumulator();
    const arrivals: number[] = [];
    const pieces: string[] = [];
    for await (const c of stream) {
      const { text } = reply.add(c);
      if (text !== "") {
        pieces.push(text);
        arrivals.push(performance.now() - started);
      }
    }
    const result = reply.result();
    expect(result.message.content).toBe(whole.choices[0]?.message.content);
    expect(result.usage).toEqual({ promptTokens: whole.usage?.prompt_tokens, completionTokens: whole.usage?.completion_tokens });
    // Word by word, paced: the last word comes well after the first.
    expect(pieces.length).toBeGreaterThan(10);
    expect(pieces.every((piece) => piece.trim().split(/\s+/).length === 1)).toBe(true);
    expect((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThan(20 * (pieces.length - 1) * 0.8);
  });

  it("OpenAI wire: a streamed tool call has the same name and arguments as the non-streamed one", async () => {
    const client = new OpenAI({ baseURL: demo.baseUrl, apiKey: "demo", maxRetries: 0 });
    const tools = toolSpecsFor([]).map((tool) => ({ type: "function" as const, function: { name: tool.name, description: tool.description, parameters: tool.parameters } }));
    const whole = await client.chat.completions.create({ model: "agentflow-demo-1", messages: messages("Plan the picnic"), tools });
    const stream = await client.chat.completions.create({ model: "agentflow-demo-1", messages: messages("Plan the picnic"), tools, stream: true, stream_options: { include_usage: true } });
    const reply = new ChatStreamAccumulator();
    for await (const c of stream) reply.add(c);
    const wholeCall = whole.choices[0]?.message.tool_calls?.[0];
    expect(wholeCall?.type === "function" && { name: wholeCall.function.name, arguments: wholeCall.function.arguments }).toEqual({
      name: reply.result().message.toolCalls?.[0]?.name,
      arguments: reply.result().message.toolCalls?.[0]?.arguments,
    });
    expect(reply.result().message.content).toBeNull();
  });

  it("Anthropic wire: the SDK's stream hands over the text piece by piece and ends with the same message", async () => {
    const provider = { baseURL: demo.baseUrl.replace(/\/v1$/, ""), apiKey: "demo", timeoutMs: 10_000, maxRetries: 0 };
    const request = { provider: "anthropic", model: "agentflow-demo-1", temperature: 0, tools: [], messages: messages("Describe the harbour at dawn #demo:drip:5") };
    const whole = await callAnthropic(provider, "agentflow-demo-1", request, undefined);
    const pieces: string[] = [];
    const streamed = await callAnthropic(provider, "agentflow-demo-1", request, undefined, (text) => pieces.push(text));
    expect(pieces.length).toBeGreaterThan(5);
    expect(pieces.join("")).toBe(whole.message.content);
    expect(streamed.message).toEqual(whole.message);
    expect(streamed.usage).toEqual(whole.usage);
    expect(streamed.ttftMs).toBeGreaterThan(0);
  });
});
