import { describe, expect, it } from "vitest";
import { buildGraph, TestRun } from "./test-helpers";
import { replay } from "./state";
import { step } from "./step";
import type { Effect } from "./decide";
import type { ChatMessage } from "./events";
import { planCompaction, estimateTokens } from "./agent";

function reply(nodeId: string, calls: { id: string; name: string; arguments: string }[], content: string | null = null) {
  return {
    type: "llm_response" as const,
    nodeId,
    provider: "demo",
    model: "m",
    message: { role: "assistant" as const, content, toolCalls: calls },
    usage: { promptTokens: 100, completionTokens: 50 },
    costUsd: 0.01,
    latencyMs: 1,
    sentMessages: 2,
  };
}

function single<K extends Effect["kind"]>(effects: Effect[], kind: K): Extract<Effect, { kind: K }> {
  expect(effects.map((e) => e.kind)).toEqual([kind]);
  return effects[0] as Extract<Effect, { kind: K }>;
}

const agentGraph = (agent: Record<string, unknown>, trigger: Record<string, unknown> = {}) =>
  buildGraph([["trigger", "trigger", trigger], ["a", "agent", agent], ["out", "output"]], [["trigger", "a"], ["a", "out"]]);

function askHuman(run: TestRun, taskId: string) {
  const request = single(run.settle(), "request_human");
  run.apply({
    type: "human_requested",
    nodeId: request.nodeId,
    taskId,
    kind: request.humanKind,
    message: request.message,
    context: request.context,
    ...(request.toolCallId ? { toolCallId: request.toolCallId } : {}),
  });
  return request;
}

describe("agent tools", () => {
  it("offers only allowed tools and runs a safe tool without asking", () => {
    const run = new TestRun(agentGraph({ allowedTools: ["run_code"] }));
    run.apply({ type: "run_started", input: {} });
    const llm = single(run.settle(), "call_llm");
    expect(llm.request.tools.map((t) => t.name)).toEqual(["complete_task", "run_code"]);
    run.apply(reply("a", [{ id: "c1", name: "run_code", arguments: '{"code":"1+1"}' }]));
    const tool = single(run.settle(), "call_tool");
    expect(tool).toMatchObject({ name: "run_code", args: { code: "1+1" }, toolCallId: "c1" });
    expect(tool.idempotencyKey).toMatch(/^\d+:c1$/);
  });

  it("asks a person before a risky tool runs; edited arguments are what runs", () => {
    const run = new TestRun(agentGraph({ allowedTools: ["http_request"] }));
    run.apply({ type: "run_started", input: {} });
    run.settle();
    run.apply(reply("a", [{ id: "c1", name: "http_request", arguments: '{"url":"https://example.com/a","method":"POST"}' }]));
    const request = askHuman(run, "t1");
    expect(request).toMatchObject({ humanKind: "tool_approval", toolCallId: "c1" });
    expect(run.state.status).toBe("waiting_for_human");
    run.apply({ type: "human_responded", nodeId: "a", taskId: "t1", decision: "approve", editedArguments: '{"url":"https://example.com/b"}' });
    const tool = single(run.settle(), "call_tool");
    expect(tool.args).toEqual({ url: "https://example.com/b", method: "GET" });
    run.apply({ type: "tool_result", nodeId: "a", toolCallId: "c1", name: "http_request", ok: true, content: "200" });
    expect(run.state.humans.a).toBeUndefined();
    expect(single(run.settle(), "call_llm").nodeId).toBe("a");
  });

  it("tells the model when a person rejects its tool call", () => {
    const run = new TestRun(agentGraph({ allowedTools: ["http_request"] }));
    run.apply({ type: "run_started", input: {} });
    run.settle();
    run.apply(reply("a", [{ id: "c1", name: "http_request", arguments: '{"url":"https://example.com"}' }]));
    askHuman(run, "t1");
    run.apply({ type: "human_responded", nodeId: "a", taskId: "t1", decision: "reject", comment: "not that site" });
    single(run.settle(), "call_llm");
    const last = run.state.threads.a?.messages.at(-1);
    expect(last).toEqual({ role: "tool", toolCallId: "c1", content: "The reviewer rejected this call: not that site" });
  });

  it("waits for a person's answer to request_human_input and gives it to the model", () => {
    const run = new TestRun(agentGraph({ allowedTools: ["request_human_input"] }));
    run.apply({ type: "run_started", input: {} });
    run.settle();
    run.apply(reply("a", [{ id: "q1", name: "request_human_input", arguments: '{"question":"Which region?"}' }]));
    const request = askHuman(run, "t1");
    expect(request).toMatchObject({ humanKind: "question", message: "Which region?" });
    run.apply({ type: "human_responded", nodeId: "a", taskId: "t1", decision: "approve", answer: "eu-west-1" });
    single(run.settle(), "call_llm");
    expect(run.state.threads.a?.messages.at(-1)).toEqual({ role: "tool", toolCallId: "q1", content: "eu-west-1" });
    expect(replay(run.log, step)).toEqual(run.state);
  });

  it("refuses a tool that is not on the allowlist, without running it", () => {
    const run = new TestRun(agentGraph({ allowedTools: [] }));
    run.apply({ type: "run_started", input: {} });
    run.settle();
    run.apply(reply("a", [{ id: "c1", name: "run_code", arguments: '{"code":"1"}' }]));
    single(run.settle(), "call_llm");
    expect(run.state.threads.a?.messages.at(-1)).toMatchObject({ role: "tool", content: expect.stringMatching(/unknown tool "run_code"/) });
  });
});

describe("agent limits escalate to a person", () => {
  it("asks to continue at max steps; approve grants another maxSteps", () => {
    const run = new TestRun(agentGraph({ maxSteps: 1, allowedTools: ["run_code"] }));
    run.apply({ type: "run_started", input: {} });
    run.settle();
    run.apply(reply("a", [{ id: "c1", name: "nope", arguments: "{}" }]));
    const request = askHuman(run, "t1");
    expect(request.humanKind).toBe("continue");
    run.apply({ type: "human_responded", nodeId: "a", taskId: "t1", decision: "approve" });
    expect(single(run.settle(), "call_llm").nodeId).toBe("a");
  });

  it("asks after repeated errors; reject fails the node", () => {
    const run = new TestRun(agentGraph({}));
    run.apply({ type: "run_started", input: {} });
    run.settle();
    for (let i = 0; i < 3; i += 1) run.apply({ type: "llm_error", nodeId: "a", provider: "demo", model: "m", error: "HTTP 500", latencyMs: 1 });
    const request = askHuman(run, "t1");
    expect(request).toMatchObject({ humanKind: "errors", context: { lastError: "HTTP 500" } });
    run.apply({ type: "human_responded", nodeId: "a", taskId: "t1", decision: "reject" });
    run.settle();
    expect(run.state.status).toBe("failed");
    expect(run.state.error).toMatch(/stopped by a reviewer after repeated errors/);
  });

  it("pauses for approval when the run's token budget is reached, and raising it continues", () => {
    const run = new TestRun(agentGraph({ allowedTools: ["run_code"] }, { budgetTokens: 100 }));
    run.apply({ type: "run_started", input: {} });
    run.settle();
    run.apply(reply("a", [{ id: "c1", name: "run_code", arguments: '{"code":"1"}' }]));
    run.settle();
    run.apply({ type: "tool_result", nodeId: "a", toolCallId: "c1", name: "run_code", ok: true, content: "1" });
    const request = askHuman(run, "t1");
    expect(request.humanKind).toBe("budget");
    run.apply({ type: "human_responded", nodeId: "a", taskId: "t1", decision: "approve" });
    run.settle();
    expect(run.state.budgetRaise.tokens).toBe(150);
    expect(run.state.nodes.a?.status).toBe("running");
  });

  it("under a USD budget, a call of unknown price asks a person once (it cannot be counted), and approval lets the run go on", () => {
    const run = new TestRun(agentGraph({ allowedTools: ["run_code"] }, { budgetUsd: 5 }));
    run.apply({ type: "run_started", input: {} });
    run.settle();
    run.apply({ ...reply("a", [{ id: "c1", name: "run_code", arguments: '{"code":"1"}' }]), costUsd: null });
    run.settle();
    run.apply({ type: "tool_result", nodeId: "a", toolCallId: "c1", name: "run_code", ok: true, content: "1" });
    const request = askHuman(run, "t1");
    expect(request.humanKind).toBe("budget");
    expect(request.message).toBe(
      "The run has a $5 budget, but 1 model call has no known price, so the budget cannot count what they cost (set prices in Settings → Model prices). Continue without counting them?",
    );
    run.apply({ type: "human_responded", nodeId: "a", taskId: "t1", decision: "approve" });
    // Approval raises nothing: it lets the uncounted calls go on, for the rest of the run.
    expect(single(run.settle(), "call_llm").nodeId).toBe("a");
    expect(run.state.budgetRaise).toEqual({ tokens: 0, usd: 0, acceptUnpriced: true });
    run.apply({ ...reply("a", [{ id: "c2", name: "run_code", arguments: '{"code":"2"}' }]), costUsd: null });
    run.settle();
    run.apply({ type: "tool_result", nodeId: "a", toolCallId: "c2", name: "run_code", ok: true, content: "2" });
    expect(single(run.settle(), "call_llm").nodeId).toBe("a");
  });

  it("without a USD budget, calls of unknown price ask nobody", () => {
    const run = new TestRun(agentGraph({ allowedTools: ["run_code"] }, { budgetTokens: 100_000 }));
    run.apply({ type: "run_started", input: {} });
    run.settle();
    run.apply({ ...reply("a", [{ id: "c1", name: "run_code", arguments: '{"code":"1"}' }]), costUsd: null });
    run.settle();
    run.apply({ type: "tool_result", nodeId: "a", toolCallId: "c1", name: "run_code", ok: true, content: "1" });
    expect(single(run.settle(), "call_llm").nodeId).toBe("a");
  });
});

describe("context budget", () => {
  it("compacts old turns into a summary and keeps tool results with their calls", () => {
    const run = new TestRun(agentGraph({ allowedTools: ["run_code"], contextBudgetTokens: 400 }));
    run.apply({ type: "run_started", input: {} });
    run.settle();
    for (let i = 0; i < 6; i += 1) {
      run.apply(reply("a", [{ id: `c${i}`, name: "run_code", arguments: JSON.stringify({ code: `"${"x".repeat(200)}"` }) }]));
      const effects = run.settle();
      expect(effects.map((e) => e.kind)).toEqual(["call_tool"]);
      run.apply({ type: "tool_result", nodeId: "a", toolCallId: `c${i}`, name: "run_code", ok: true, content: "y".repeat(300) });
      run.settle();
    }
    const compactions = run.log.filter((e) => e.type === "context_compacted");
    expect(compactions.length).toBeGreaterThan(0);
    const thread = run.state.threads.a;
    expect(thread).toBeDefined();
    const messages = thread?.messages ?? [];
    expect(estimateTokens(messages)).toBeLessThanOrEqual(400);
    expect(messages[2]).toMatchObject({ role: "user", content: expect.stringMatching(/^\[Context compacted: \d+ earlier messages/) });
    // No tool message is left without the assistant call before it.
    messages.forEach((m, i) => {
      if (m.role === "tool") expect(["assistant", "tool"]).toContain(messages[i - 1]?.role);
    });
    expect(replay(run.log, step)).toEqual(run.state);
  });

  it("measures the thread with the real tokenizer, not ~4 characters per token", () => {
    const messages: ChatMessage[] = [{ role: "system", content: "s" }, { role: "user", content: "t" }];
    for (let i = 0; i < 4; i += 1) {
      messages.push({ role: "assistant", content: null, toolCalls: [{ id: `c${i}`, name: "run_code", arguments: "{}" }] });
      // 2,000 x's are 250 tokens in o200k_base; the old estimate said 500.
      messages.push({ role: "tool", toolCallId: `c${i}`, content: "x".repeat(2_000) });
    }
    const thread = { messages, modelCalls: 4, consecutiveErrors: 0, extraSteps: 0, assistantSeqs: {}, compactedMessages: 0 };
    expect(estimateTokens(messages)).toBeLessThan(1_200);
    expect(planCompaction(thread, 1_200)).toBeNull();
    const plan = planCompaction(thread, 800);
    expect(plan?.tokensBefore).toBe(estimateTokens(messages));
    expect(plan?.tokensAfter).toBeLessThanOrEqual(800);
  });

  it("does nothing while the thread fits", () => {
    const thread = { messages: [{ role: "system" as const, content: "s" }, { role: "user" as const, content: "t" }], modelCalls: 0, consecutiveErrors: 0, extraSteps: 0, assistantSeqs: {}, compactedMessages: 0 };
    expect(planCompaction(thread, 1000)).toBeNull();
  });
});

describe("tool node", () => {
  it("renders templated arguments, runs once and outputs the tool's data", () => {
    const graph = buildGraph(
      [["trigger", "trigger"], ["calc", "tool", { tool: "run_code", arguments: '{"code":"input.n * 2","input":"{{input}}"}' }], ["out", "output"]],
      [["trigger", "calc"], ["calc", "out"]],
    );
    const run = new TestRun(graph);
    run.apply({ type: "run_started", input: { n: 21 } });
    const call = single(run.settle(), "call_tool");
    expect(call).toMatchObject({ toolCallId: null, name: "run_code", args: { code: "input.n * 2", input: { n: 21 } } });
    run.apply({ type: "tool_result", nodeId: "calc", toolCallId: null, name: "run_code", ok: true, content: "42", data: 42 });
    run.settle();
    expect(run.state.output).toBe(42);
  });
});

describe("agent fallback chain", () => {
  it("puts the agent's fallbacks and their deadline on the model request, and nothing when there are none", () => {
    const run = new TestRun(agentGraph({ provider: "runpod", fallbacks: [{ provider: "openai", model: "gpt-4o-mini" }], fallbackAfterSeconds: 20 }));
    run.apply({ type: "run_started", input: {} });
    const llm = single(run.settle(), "call_llm");
    expect(llm.request).toMatchObject({ provider: "runpod", fallbacks: [{ provider: "openai", model: "gpt-4o-mini" }], fallbackAfterMs: 20_000 });

    const plain = new TestRun(agentGraph({ provider: "runpod" }));
    plain.apply({ type: "run_started", input: {} });
    const request = single(plain.settle(), "call_llm").request;
    expect(request).not.toHaveProperty("fallbacks");
    expect(request).not.toHaveProperty("fallbackAfterMs");
  });

  it("replays an answer that came from a fallback like any other (the chain is I/O, not state)", () => {
    const run = new TestRun(agentGraph({ provider: "runpod", fallbacks: [{ provider: "openai", model: "" }] }));
    run.apply({ type: "run_started", input: {} });
    single(run.settle(), "call_llm");
    run.apply({
      ...reply("a", [{ id: "c1", name: "complete_task", arguments: '{"result":"done"}' }]),
      provider: "openai",
      fallbackFrom: [{ provider: "runpod", model: "", reason: "timeout", error: "No answer within 20 s", latencyMs: 20_000 }],
    });
    run.settle();
    expect(run.state.status).toBe("succeeded");
    expect(replay(run.log, step)).toEqual(run.state);
    expect(run.log.find((event) => event.type === "llm_response")).toMatchObject({ provider: "openai", fallbackFrom: [{ provider: "runpod", reason: "timeout" }] });
  });
});
