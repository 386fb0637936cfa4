import { describe, expect, it } from "vitest";
import { encodeChat } from "gpt-tokenizer/model/gpt-4o";
import { countTokens as referenceCount } from "gpt-tokenizer/encoding/o200k_base";
import type { ChatMessage } from "./events";
import { countMessageTokens, countTextTokens, countTokens } from "./tokens";

describe("countTextTokens", () => {
  // Reference counts of OpenAI's tiktoken for o200k_base (gpt-tokenizer's data/TestPlans.txt).
  it.each([
    ["hello", 1],
    ["a a", 2],
    ["Hello, World! How are you today? 🌍", 11],
    ["The quick brown fox jumps over 13 lazy dogs. 😺", 13],
    ["こんにちは、世界！お元気ですか？", 10],
    ["Привет, мир! Как дела?", 8],
    ["Python vs Java: Which programming language should you learn first?", 12],
  ])("counts %j as %i tokens, like tiktoken", (text, tokens) => {
    expect(countTextTokens(text)).toBe(tokens);
  });

  it("counts control-token text in user content as characters instead of failing", () => {
    expect(countTextTokens("<|endoftext|>")).toBeGreaterThan(1);
    expect(countTextTokens("please ignore <|im_start|>system")).toBeGreaterThan(4);
  });

  it("stays exact for ordinary long text cut into segments", () => {
    const prose = "The agent read the report, called two tools and wrote a summary of what it found.\n";
    const code = 'function total(items) {\n  return items.reduce((sum, item) => sum + item.price * item.qty, 0);\n}\n';
    const json = JSON.stringify({ rows: [{ id: 1, name: "Ada", tags: ["x", "y"] }], next: null }, null, 2);
    const text = `${prose}${code}${json}\n`.repeat(60);
    expect(text.length).toBeGreaterThan(10_000);
    // The library's count of the whole text in one piece (no segments).
    expect(countTextTokens(text)).toBe(referenceCount(text, { disallowedSpecial: new Set() }));
  });

  it("counts a long run without spaces quickly (BPE would be quadratic in it)", () => {
    const started = performance.now();
    const tokens = countTextTokens("x".repeat(200_000));
    const elapsedMs = performance.now() - started;
    // o200k_base merges eight x's into one token.
    expect(tokens).toBe(25_000);
    expect(elapsedMs).toBeLessThan(1_000);
  });
});

describe("countTokens (chat framing)", () => {
  const chat: ChatMessage[] = [
    { role: "system", content: "You are a careful research assistant." },
    { role: "user", content: "Summarise the quarterly report in three bullet points." },
    { role: "assistant", content: "Here is the summary:\n- Revenue grew 12%\n- Costs fell\n- Hiring paused" },
  ];

  it("matches the ChatML framing of gpt-tokenizer's encodeChat for gpt-4o", () => {
    const reference = encodeChat(
      chat.map((m) => ({ role: m.role as "system" | "user" | "assistant", content: m.content ?? "" })),
      "gpt-4o",
    ).length;
    expect(countTokens(chat)).toBe(reference);
  });

  it("adds 3 tokens per message and 3 for the reply priming", () => {
    expect(countTokens([])).toBe(3);
    const user: ChatMessage = { role: "user", content: "hello" };
    // <|im_start|> user <|im_sep|> hello <|im_end|>
    expect(countMessageTokens(user)).toBe(3 + 1 + 1);
    expect(countTokens([user])).toBe(3 + 5);
  });

  it("counts tool calls' names and arguments and tool results", () => {
    const call = { id: "c1", name: "http_request", arguments: '{"url":"https://example.com/report.json","method":"GET"}' };
    const withCall: ChatMessage = { role: "assistant", content: null, toolCalls: [call] };
    const without: ChatMessage = { role: "assistant", content: null };
    expect(countMessageTokens(withCall) - countMessageTokens(without)).toBe(3 + countTextTokens(call.name) + countTextTokens(call.arguments));
    const result: ChatMessage = { role: "tool", toolCallId: "c1", content: '{"status":200}' };
    expect(countMessageTokens(result)).toBe(3 + countTextTokens("tool") + countTextTokens('{"status":200}'));
  });

  it("is cheap on a 16k-token thread checked every step", () => {
    const paragraph =
      "The worker committed the tool result, the reducer folded it into the thread, and the agent decided to call the model again with the new context. ";
    const thread: ChatMessage[] = [{ role: "system", content: "You are an agent." }, { role: "user", content: "Work through the backlog." }];
    for (let i = 0; i < 40; i += 1) {
      thread.push({ role: "assistant", content: null, toolCalls: [{ id: `c${i}`, name: "run_code", arguments: JSON.stringify({ code: `step(${i})` }) }] });
      thread.push({ role: "tool", toolCallId: `c${i}`, content: `${i}: ${paragraph.repeat(13)}` });
    }
    let started = performance.now();
    const tokens = countTokens(thread);
    const firstMs = performance.now() - started;
    expect(tokens).toBeGreaterThan(15_000);
    expect(tokens).toBeLessThan(20_000);

    // A new step: the same message objects plus one more, as the reducer builds them.
    const next = [...thread, { role: "assistant" as const, content: "Done." }];
    started = performance.now();
    for (let i = 0; i < 100; i += 1) countTokens(next);
    const repeatMs = (performance.now() - started) / 100;
    expect(countTokens(next)).toBe(tokens + countMessageTokens({ role: "assistant", content: "Done." }));
    console.info(`16k-token thread (${tokens} tokens, ${thread.length} messages): first count ${firstMs.toFixed(1)} ms, later steps ${(repeatMs * 1000).toFixed(0)} µs`);
    expect(repeatMs).toBeLessThan(1);
  });
});
