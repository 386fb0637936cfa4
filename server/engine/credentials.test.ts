import { describe, expect, it } from "vitest";
import { agentDataSchema, graphSchema } from "./graph";
import { renderTemplate, renderTemplateValue, renderToolArguments, type TemplateScope } from "./template";
import { validateGraph } from "./validate";
import { buildGraph, TestRun } from "./test-helpers";
import type { Effect } from "./decide";

/**
 * `{{credentials.<name>}}` is a reference the engine never resolves: it stays as written in
 * everything the engine renders, and for a tool node's own arguments the engine says exactly
 * where the builder wrote it (the only places the worker may put a value).
 */

const scope: TemplateScope = {
  input: { topic: "otters", injected: "{{credentials.github}}", credentials: { github: "from input" } },
  previous: "prev {{ credentials.stripe }}",
  nodes: { a: { output: { token: "{{credentials.github}}" } } },
};

function single<K extends Effect["kind"]>(effects: Effect[], kind: K): Extract<Effect, { kind: K }> {
  expect(effects.map((e) => e.kind)).toEqual([kind]);
  return effects[0] as Extract<Effect, { kind: K }>;
}

describe("templates keep credential references", () => {
  it("leaves {{credentials.x}} exactly as written in text, instead of rendering it empty", () => {
    expect(renderTemplate("Bearer {{credentials.github}} / {{ credentials.open-ai_2 }} about {{input.topic}}", scope)).toBe(
      "Bearer {{credentials.github}} / {{ credentials.open-ai_2 }} about otters",
    );
    // Never looked up as data, even where the scope happens to have such a path.
    expect(renderTemplate("{{credentials}} {{credentials.a.b}}", scope)).toBe("{{credentials}} {{credentials.a.b}}");
  });

  it("leaves a whole-string reference in JSON arguments as the reference, not undefined", () => {
    expect(renderTemplateValue({ a: "{{credentials.github}}", b: ["{{ credentials.x }}"], c: "{{input.topic}}" }, scope)).toEqual({
      a: "{{credentials.github}}",
      b: ["{{ credentials.x }}"],
      c: "otters",
    });
  });

  it("marks where the builder wrote references, and never where run data brought one in", () => {
    const raw = {
      url: "https://api.example.com/q?key={{credentials.search}}&topic={{input.topic}}",
      headers: { Authorization: "Bearer {{credentials.github}}", "X-Data": "{{input.injected}}" },
      body: "{{previous}} and {{nodes.a.output.token}}",
      list: ["{{credentials.github}}"],
    };
    const { args, credentialSlots } = renderToolArguments(raw, scope);
    expect(args).toEqual({
      url: "https://api.example.com/q?key={{credentials.search}}&topic=otters",
      headers: { Authorization: "Bearer {{credentials.github}}", "X-Data": "{{credentials.github}}" },
      body: "prev {{ credentials.stripe }} and {{credentials.github}}",
      list: ["{{credentials.github}}"],
    });
    // In any order: the worker fills each slot by its path.
    expect(credentialSlots).toEqual(
      expect.arrayContaining([
        { path: ["list", 0], parts: [{ credential: "github", text: "{{credentials.github}}" }] },
        { path: ["url"], parts: ["https://api.example.com/q?key=", { credential: "search", text: "{{credentials.search}}" }, "&topic=otters"] },
        { path: ["headers", "Authorization"], parts: ["Bearer ", { credential: "github", text: "{{credentials.github}}" }] },
      ]),
    );
    expect(credentialSlots).toHaveLength(3);
    // Data that spliced in "{{credentials.github}}" (X-Data, body) has no slot.
    expect(credentialSlots.some((slot) => slot.path.includes("X-Data") || slot.path.includes("body"))).toBe(false);
  });

  it("keeps a malformed credential reference as plain text, without a slot", () => {
    const { args, credentialSlots } = renderToolArguments({ a: "{{credentials.1password}} {{credentials}}" }, scope);
    expect(args).toEqual({ a: "{{credentials.1password}} {{credentials}}" });
    expect(credentialSlots).toEqual([]);
  });
});

describe("validation of credential references", () => {
  const problemsOf = (nodes: Parameters<typeof buildGraph>[0]) =>
    validateGraph(buildGraph([["trigger", "trigger"], ...nodes, ["out", "output"]], [["trigger", nodes[0]?.[0] ?? "out"], [nodes[0]?.[0] ?? "out", "out"]]));

  it("warns that a reference in an agent's prompt is never resolved, and reports no unknown reference", () => {
    const problems = problemsOf([["a", "agent", { task: "Use {{credentials.github}} for {{input.topic}}", systemPrompt: "Key: {{ credentials.github }}" }]]);
    const credentialProblems = problems.filter((p) => p.code === "credential_outside_tool");
    expect(credentialProblems.map((p) => [p.severity, p.message])).toEqual([
      ["warning", "Agent \"Agent\" (task): {{credentials.…}} stays as written here: credentials are only resolved in tool arguments"],
      ["warning", "Agent \"Agent\" (system prompt): {{credentials.…}} stays as written here: credentials are only resolved in tool arguments"],
    ]);
    expect(problems.some((p) => p.code === "unknown_reference")).toBe(false);
  });

  it("accepts references in http_request arguments, warns in other tools' and in outputs", () => {
    const http = problemsOf([["t", "tool", { tool: "http_request", arguments: '{"url":"https://x.dev","headers":{"A":"Bearer {{credentials.github}}"}}' }]]);
    expect(http.filter((p) => p.nodeId === "t")).toEqual([]);
    const code = problemsOf([["t", "tool", { tool: "run_code", arguments: '{"code":"\\"{{credentials.github}}\\""}' }]]);
    expect(code.find((p) => p.nodeId === "t")?.message).toBe(`Tool "Tool" (arguments): credentials are only resolved in http_request arguments, not in run_code's`);
    const output = validateGraph(buildGraph([["trigger", "trigger"], ["out", "output", { template: "{{credentials.github}}" }]], [["trigger", "out"]]));
    expect(output.find((p) => p.nodeId === "out")?.code).toBe("credential_outside_tool");
  });

  it("refuses a malformed reference with an error naming the rule", () => {
    const problems = problemsOf([["t", "tool", { tool: "http_request", arguments: '{"url":"https://x.dev","body":"{{credentials.1password}}"}' }]]);
    const problem = problems.find((p) => p.code === "invalid_credential_reference");
    expect(problem?.severity).toBe("error");
    expect(problem?.message).toContain("{{credentials.1password}} is not a credential reference");
  });

  it("warns when an agent has credentials but not the tool that sends them", () => {
    const problems = problemsOf([["a", "agent", { credentials: ["github"], allowedTools: ["run_code"] }]]);
    expect(problems.find((p) => p.code === "unused_credentials")?.severity).toBe("warning");
    expect(problemsOf([["a", "agent", { credentials: ["github"], allowedTools: ["http_request"] }]]).some((p) => p.code === "unused_credentials")).toBe(false);
  });
});

describe("the agent's credential allowlist", () => {
  it("defaults to none, so existing workflows stay closed", () => {
    expect(agentDataSchema.parse({}).credentials).toEqual([]);
    const old = graphSchema.parse({ nodes: [{ id: "a", type: "agent", position: { x: 0, y: 0 }, data: { label: "Old agent" } }], edges: [] });
    expect(old.nodes[0]?.type === "agent" && old.nodes[0].data.credentials).toEqual([]);
  });

  it("holds at most 20 names, each a valid credential name", () => {
    expect(agentDataSchema.safeParse({ credentials: ["github", "open-ai_2"] }).success).toBe(true);
    expect(agentDataSchema.safeParse({ credentials: Array.from({ length: 20 }, (_, i) => `c${i}`) }).success).toBe(true);
    expect(agentDataSchema.safeParse({ credentials: Array.from({ length: 21 }, (_, i) => `c${i}`) }).success).toBe(false);
    for (const bad of ["", "1password", "a b", "{{credentials.github}}", "a".repeat(65), "github.token"]) {
      expect(agentDataSchema.safeParse({ credentials: [bad] }).success, bad).toBe(false);
    }
  });

  it("is told to the model in the http_request tool, by name only", () => {
    const run = new TestRun(buildGraph([["trigger", "trigger"], ["a", "agent", { allowedTools: ["http_request", "run_code"], credentials: ["github", "stripe"] }], ["out", "output"]], [["trigger", "a"], ["a", "out"]]));
    run.apply({ type: "run_started", input: {} });
    const llm = single(run.settle(), "call_llm");
    const http = llm.request.tools.find((tool) => tool.name === "http_request");
    expect(http?.description).toContain('Credentials you may use: "github", "stripe".');
    expect(http?.description).toContain("{{credentials.<name>}}");
    expect(llm.request.tools.find((tool) => tool.name === "run_code")?.description).not.toContain("Credentials");
    // The prompt itself keeps a reference literal: nothing is substituted before the model.
    const none = new TestRun(buildGraph([["trigger", "trigger"], ["a", "agent", { task: "use {{credentials.github}}", allowedTools: ["http_request"] }], ["out", "output"]], [["trigger", "a"], ["a", "out"]]));
    none.apply({ type: "run_started", input: {} });
    const first = single(none.settle(), "call_llm");
    expect(first.request.messages[1]?.content).toBe("use {{credentials.github}}");
    expect(first.request.tools.find((tool) => tool.name === "http_request")?.description).not.toContain("Credentials you may use");
  });
});

describe("an agent's call naming a credential outside its list", () => {
  it("gets a tool error at once, before anyone is asked to approve it", () => {
    const run = new TestRun(buildGraph([["trigger", "trigger"], ["a", "agent", { allowedTools: ["http_request"], credentials: ["github"] }], ["out", "output"]], [["trigger", "a"], ["a", "out"]]));
    run.apply({ type: "run_started", input: {} });
    run.settle();
    const calls = [
      { id: "c1", name: "http_request", arguments: '{"url":"https://x.dev","credential":"stripe"}' },
      { id: "c2", name: "http_request", arguments: '{"url":"https://x.dev","headers":{"A":"{{credentials.stripe}}"}}' },
      { id: "c3", name: "http_request", arguments: '{"url":"https://x.dev","credential":"github"}' },
    ];
    run.apply({
      type: "llm_response",
      nodeId: "a",
      provider: "demo",
      model: "m",
      message: { role: "assistant", content: null, toolCalls: calls },
      usage: { promptTokens: 1, completionTokens: 1 },
      costUsd: 0,
      latencyMs: 1,
      sentMessages: 2,
    });
    const request = single(run.settle(), "request_human");
    expect(request.toolCallId).toBe("c3");
    const errors = run.log.filter((event) => event.type === "tool_result");
    expect(errors.map((event) => event.type === "tool_result" && [event.toolCallId, event.ok, event.content])).toEqual([
      ["c1", false, 'Error: credential "stripe" is not allowed for this agent; the builder can add it to the agent\'s credentials'],
      ["c2", false, 'Error: credential "stripe" is not allowed for this agent; the builder can add it to the agent\'s credentials'],
    ]);
  });
});

describe("tool node calls carry the builder's credential slots", () => {
  const toolGraph = (args: string, approval = "never") =>
    buildGraph([["trigger", "trigger"], ["t", "tool", { tool: "http_request", arguments: args, approval }], ["out", "output"]], [["trigger", "t"], ["t", "out"]]);

  it("passes the slots with the rendered arguments", () => {
    const run = new TestRun(toolGraph('{"url":"https://x.dev/{{input.path}}","headers":{"Authorization":"Bearer {{credentials.github}}"},"body":"{{input.text}}"}'));
    run.apply({ type: "run_started", input: { path: "p", text: "{{credentials.github}}" } });
    const call = single(run.settle(), "call_tool");
    expect(call.args).toEqual({ url: "https://x.dev/p", method: "GET", headers: { Authorization: "Bearer {{credentials.github}}" }, body: "{{credentials.github}}" });
    expect(call.credentialSlots).toEqual([{ path: ["headers", "Authorization"], parts: ["Bearer ", { credential: "github", text: "{{credentials.github}}" }] }]);
  });

  it("drops the slots when a reviewer edited the arguments: they are data, checked against the node's allowlist", () => {
    const run = new TestRun(toolGraph('{"url":"https://x.dev","headers":{"Authorization":"Bearer {{credentials.github}}"}}', "always"));
    run.apply({ type: "run_started", input: {} });
    const request = single(run.settle(), "request_human");
    expect(JSON.stringify(request.context)).toContain("{{credentials.github}}");
    run.apply({ type: "human_requested", nodeId: "t", taskId: "t1", kind: "tool_approval", message: request.message, context: request.context });
    run.apply({ type: "human_responded", nodeId: "t", taskId: "t1", decision: "approve", editedArguments: '{"url":"https://x.dev/edited","headers":{"Authorization":"Bearer {{credentials.github}}"}}' });
    const call = single(run.settle(), "call_tool");
    expect(call.args).toMatchObject({ url: "https://x.dev/edited" });
    expect(call.credentialSlots).toBeUndefined();
  });

  it("an approved but unedited call keeps its slots", () => {
    const run = new TestRun(toolGraph('{"url":"https://x.dev","credential":"github"}', "always"));
    run.apply({ type: "run_started", input: {} });
    const request = single(run.settle(), "request_human");
    run.apply({ type: "human_requested", nodeId: "t", taskId: "t1", kind: "tool_approval", message: request.message, context: request.context });
    run.apply({ type: "human_responded", nodeId: "t", taskId: "t1", decision: "approve" });
    const call = single(run.settle(), "call_tool");
    expect(call.args).toMatchObject({ credential: "github" });
    expect(call.credentialSlots).toEqual([]);
  });
});
