import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callAnthropic, isRetryableAnthropicError, toAnthropicMessages } from "./anthropic";
import { startDemoModelServer, type DemoModelServer } from "./serve-demo-model";
import { toolSpecsFor } from "../engine/agent-tools";
import type { ChatMessage } from "../engine/events";

/** The Anthropic path: our thread in Messages API shape, and real SDK calls to the demo model's Anthropic wire. */

describe("toAnthropicMessages", () => {
  it("puts the system prompt apart, tool calls in tool_use blocks and results in one user turn", () => {
    const thread: ChatMessage[] = [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Find two prices" },
      { role: "assistant", content: "Looking both up", toolCalls: [
        { id: "c1", name: "http_request", arguments: '{"url":"https://a.example"}' },
        { id: "c2", name: "http_request", arguments: "not json" },
      ] },
      { role: "tool", toolCallId: "c1", content: "$3" },
      { role: "tool", toolCallId: "c2", content: "$4" },
      { role: "user", content: "[Context compacted]" },
    ];
    const { system, messages } = toAnthropicMessages(thread);
    expect(system).toBe("Be brief.");
    expect(messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Find two prices" }] },
      { role: "assistant", content: [
        { type: "text", text: "Looking both up" },
        { type: "tool_use", id: "c1", name: "http_request", input: { url: "https://a.example" } },
        { type: "tool_use", id: "c2", name: "http_request", input: {} },
      ] },
      { role: "user", content: [
        { type: "tool_result", tool_use_id: "c1", content: "$3" },
        { type: "tool_result", tool_use_id: "c2", content: "$4" },
        { type: "text", text: "[Context compacted]" },
      ] },
    ]);
  });
});

describe("the Anthropic SDK against the demo model's Messages API", () => {
  let demo: DemoModelServer;
  let provider: { baseURL: string; apiKey: string; timeoutMs: number; maxRetries: number };
  beforeAll(async () => {
    demo = await startDemoModelServer();
    // The SDK adds /v1/messages itself.
    provider = { baseURL: demo.baseUrl.replace(/\/v1$/, ""), apiKey: "demo", timeoutMs: 10_000, maxRetries: 0 };
  });
  afterAll(() => demo.close());

  it("answers with a tool call, then finishes from the tool's result, with usage", async () => {
    const tools = toolSpecsFor([]);
    const first = await callAnthropic(provider, "agentflow-demo-1", { provider: "anthropic", model: "agentflow-demo-1", temperature: 0, tools, messages: [
      { role: "system", content: "You are helpful." },
      { role: "user", content: "Summarise the plan for the otters" },
    ] }, undefined);
    const call = first.message.toolCalls?.[0];
    expect(call?.name).toBe("complete_task");
    expect(JSON.parse(call?.arguments ?? "{}")).toMatchObject({ result: expect.stringContaining("Summarise the plan for the otters") });
    expect(first.usage.promptTokens).toBeGreaterThan(0);
    expect(first.usage.completionTokens).toBeGreaterThan(0);
  });

  it("reports a provider error the way the caller classifies it", async () => {
    const error = await callAnthropic(provider, "m", { provider: "anthropic", model: "m", temperature: 0, tools: [], messages: [
      { role: "user", content: "Fail please #demo:500:1" },
    ] }, undefined).then(() => null, (caught: unknown) => caught);
    expect(isRetryableAnthropicError(error)).toBe(true);
    expect(isRetryableAnthropicError(new Error("plain"))).toBeNull();
  });
});
