import { describe, expect, it } from "vitest";
import { buildGraph, TestRun } from "./test-helpers";
import { initialRunState, replay } from "./state";
import { step } from "./step";
import { starterGraph } from "./graph";
import { validateGraph } from "./validate";
import { renderTemplate } from "./template";
import type { Effect } from "./decide";

const approvalGraph = () =>
  buildGraph(
    [
      ["trigger", "trigger"],
      ["writer", "agent", { task: "Write about {{input.topic}}" }],
      ["review", "human", { message: "Check the draft" }],
      ["out", "output"],
    ],
    [
      ["trigger", "writer"],
      ["writer", "review"],
      ["review", "out", "approve"],
    ],
  );

function modelReply(nodeId: string, toolCalls: { id: string; name: string; arguments: string }[], content: string | null = null) {
  return {
    type: "llm_response" as const,
    nodeId,
    provider: "demo",
    model: "m",
    message: { role: "assistant" as const, content, toolCalls },
    usage: { promptTokens: 10, completionTokens: 5 },
    costUsd: 0.001,
    latencyMs: 3,
    sentMessages: 2,
  };
}

function only<K extends Effect["kind"]>(effects: Effect[], kind: K): Extract<Effect, { kind: K }> {
  expect(effects.map((e) => e.kind)).toEqual([kind]);
  return effects[0] as Extract<Effect, { kind: K }>;
}

describe("run engine", () => {
  it("runs trigger → agent → human(approve) → output and replays to the same state", () => {
    const run = new TestRun(approvalGraph());
    run.apply({ type: "run_started", input: { topic: "otters" } });

    const llm = only(run.settle(), "call_llm");
    expect(llm.nodeId).toBe("writer");
    expect(llm.request.messages[1]).toEqual({ role: "user", content: "Write about otters" });
    expect(llm.request.tools.map((t) => t.name)).toEqual(["complete_task"]);

    run.apply(modelReply("writer", [{ id: "c1", name: "complete_task", arguments: '{"result":"Otters are great"}' }]));
    const human = only(run.settle(), "request_human");
    expect(human).toMatchObject({ nodeId: "review", message: "Check the draft", context: "Otters are great" });

    run.apply({ type: "human_requested", nodeId: "review", taskId: "t1", message: "Check the draft", context: "Otters are great" });
    expect(run.state.status).toBe("waiting_for_human");
    expect(run.settle()).toEqual([]);

    run.apply({ type: "human_responded", nodeId: "review", taskId: "t1", decision: "approve" });
    expect(run.settle()).toEqual([]);
    expect(run.state.status).toBe("succeeded");
    expect(run.state.output).toBe("Otters are great");
    expect(run.state.usage).toMatchObject({ promptTokens: 10, completionTokens: 5, modelCalls: 1 });
    expect(replay(run.log, step)).toEqual(run.state);
  });

  it("ends rejected when the reviewer rejects and nothing follows the reject handle", () => {
    const run = new TestRun(approvalGraph());
    run.apply({ type: "run_started", input: { topic: "x" } });
    run.settle();
    run.apply(modelReply("writer", [{ id: "c1", name: "complete_task", arguments: '{"result":"draft"}' }]));
    run.settle();
    run.apply({ type: "human_requested", nodeId: "review", taskId: "t1", message: "m", context: "draft" });
    run.apply({ type: "human_responded", nodeId: "review", taskId: "t1", decision: "reject", comment: "no" });
    run.settle();
    expect(run.state.status).toBe("rejected");
    expect(run.state.nodes.out?.status).toBe("skipped");
  });

  it("sends invalid tool arguments back to the model as a compact error, never finishing the node", () => {
    const run = new TestRun(approvalGraph());
    run.apply({ type: "run_started", input: {} });
    run.settle();
    run.apply(modelReply("writer", [{ id: "c1", name: "complete_task", arguments: '{"answer":1}' }]));
    const effects = run.settle();
    expect(only(effects, "call_llm").nodeId).toBe("writer");
    const thread = run.state.threads.writer?.messages ?? [];
    const last = thread[thread.length - 1];
    expect(last).toMatchObject({ role: "tool", toolCallId: "c1" });
    expect(last?.role === "tool" && last.content).toMatch(/invalid arguments for complete_task/);
    expect(run.state.nodes.writer?.status).toBe("running");
  });

  it("finishes an agent with plain text when the model calls no tool", () => {
    const graph = buildGraph([["trigger", "trigger"], ["a", "agent"], ["out", "output", { template: "Result: {{nodes.a.output}}" }]], [["trigger", "a"], ["a", "out"]]);
    const run = new TestRun(graph);
    run.apply({ type: "run_started", input: {} });
    run.settle();
    run.apply(modelReply("a", [], "plain answer"));
    run.settle();
    expect(run.state.output).toBe("Result: plain answer");
  });

  it("runs parallel branches and joins them", () => {
    const graph = buildGraph(
      [["trigger", "trigger"], ["fork", "parallel"], ["a", "agent"], ["b", "agent"], ["join", "join"], ["out", "output"]],
      [["trigger", "fork"], ["fork", "a"], ["fork", "b"], ["a", "join"], ["b", "join"], ["join", "out"]],
    );
    const run = new TestRun(graph);
    run.apply({ type: "run_started", input: {} });
    const effects = run.settle();
    expect(effects.map((e) => e.kind === "call_llm" && e.nodeId)).toEqual(["a", "b"]);
    run.apply(modelReply("a", [{ id: "x", name: "complete_task", arguments: '{"result":"A"}' }]));
    expect(only(run.settle(), "call_llm").nodeId).toBe("b");
    expect(run.state.nodes.join?.status ?? "pending").toBe("pending");
    run.apply(modelReply("b", [{ id: "y", name: "complete_task", arguments: '{"result":"B"}' }]));
    run.settle();
    expect(run.state.output).toEqual({ a: "A", b: "B" });
  });
});

describe("validateGraph", () => {
  it("accepts the starter graph", () => {
    expect(validateGraph(starterGraph()).filter((p) => p.severity === "error")).toEqual([]);
  });

  it("reports each problem at its node or edge", () => {
    const graph = buildGraph(
      [["trigger", "trigger"], ["a", "agent", { task: " " }], ["b", "agent"], ["lonely", "output"], ["t2", "trigger"]],
      [["trigger", "a"], ["a", "b"], ["b", "a"], ["a", "ghost"], ["a", "b", "approve"]],
    );
    const problems = validateGraph(graph);
    const codes = problems.map((p) => `${p.code}@${p.edgeId ?? p.nodeId}`);
    expect(codes).toEqual(
      expect.arrayContaining([
        "missing_config@a",
        "unreachable@lonely",
        "extra_trigger@t2",
        "dangling_edge@a->ghost",
        "bad_handle@a->b:approve",
        "cycle@a",
      ]),
    );
  });
});

describe("references between nodes", () => {
  it("flags unknown nodes, fields read from text outputs, and unknown input keys", () => {
    const graph = buildGraph(
      [
        ["trigger", "trigger", { sampleInput: '{"topic":"x"}' }],
        ["writer", "agent", { task: "About {{input.topic}} and {{input.tone}}" }],
        ["fetch", "tool", { tool: "http_request", arguments: '{"url":"https://example.com/{{nodes.writer.output.slug}}"}' }],
        ["route", "condition", { expression: 'nodes.ghost.output == "x" && nodes.fetch.output.status == 200' }],
        ["out", "output", { template: "{{nodes.fetch.output.body}}" }],
      ],
      [["trigger", "writer"], ["writer", "fetch"], ["fetch", "route"], ["route", "out", "true"]],
    );
    const problems = validateGraph(graph).filter((p) => ["unknown_reference", "type_mismatch", "unknown_input"].includes(p.code));
    expect(problems.map((p) => [p.code, p.nodeId, p.severity])).toEqual([
      ["unknown_input", "writer", "warning"],
      ["type_mismatch", "fetch", "error"],
      ["unknown_reference", "route", "error"],
    ]);
    expect(problems[1]?.message).toMatch(/reads field "slug" but Agent "Agent" outputs plain text/);
  });
});

describe("templates", () => {
  it("renders paths and never reaches prototypes", () => {
    const scope = { input: { topic: "otters", n: { deep: 1 } }, previous: "prev", nodes: { a: { output: "A" } } };
    expect(renderTemplate("{{input.topic}} {{ previous }} {{nodes.a.output}} {{input.n}}", scope)).toBe('otters prev A {\n  "deep": 1\n}');
    expect(renderTemplate("[{{input.constructor}}][{{input.__proto__}}][{{missing.x}}]", scope)).toBe("[][][]");
  });

  it("folds from the initial state", () => {
    expect(initialRunState().status).toBe("queued");
  });
});
