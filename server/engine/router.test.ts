import { describe, expect, it } from "vitest";
import { buildGraph, TestRun } from "./test-helpers";
import { replay } from "./state";
import { step } from "./step";
import { validateGraph } from "./validate";
import { ROUTER_TOOL_NAME } from "./router";
import type { Effect } from "./decide";

const BRANCHES = [
  { name: "billing", description: "Invoices, refunds, payments" },
  { name: "bug", description: "Something is broken" },
  { name: "other", description: "Anything else" },
];

const routerGraph = () =>
  buildGraph(
    [
      ["trigger", "trigger"],
      ["route", "router", { branches: BRANCHES, defaultBranch: "other", input: "{{input.message}}" }],
      ["billing", "output", { template: "billing: {{previous.message}}" }],
      ["bug", "output", { template: "bug: {{previous.message}}" }],
      ["other", "output", { template: "other: {{previous.message}}" }],
    ],
    [
      ["trigger", "route"],
      ["route", "billing", "billing"],
      ["route", "bug", "bug"],
      ["route", "other", "other"],
    ],
  );

function answer(content: string | null, toolCalls: { id: string; name: string; arguments: string }[] = []) {
  return {
    type: "llm_response" as const,
    nodeId: "route",
    provider: "demo",
    model: "m",
    message: { role: "assistant" as const, content, toolCalls },
    usage: { promptTokens: 20, completionTokens: 4 },
    costUsd: 0.0001,
    latencyMs: 2,
    sentMessages: 2,
  };
}

function onlyCall(effects: Effect[]): Extract<Effect, { kind: "call_llm" }> {
  expect(effects.map((effect) => effect.kind)).toEqual(["call_llm"]);
  return effects[0] as Extract<Effect, { kind: "call_llm" }>;
}

function started() {
  const run = new TestRun(routerGraph());
  run.apply({ type: "run_started", input: { message: "My invoice was charged twice" } });
  return run;
}

describe("router node", () => {
  it("asks the model with one tool whose branch argument is the branch names, and the input rendered", () => {
    const call = onlyCall(started().settle());
    expect(call.nodeId).toBe("route");
    expect(call.request.temperature).toBe(0);
    expect(call.request.messages[1]).toEqual({ role: "user", content: "My invoice was charged twice" });
    expect(call.request.messages[0]?.content).toContain("- billing: Invoices, refunds, payments");
    expect(call.request.tools).toHaveLength(1);
    const tool = call.request.tools[0];
    expect(tool?.name).toBe(ROUTER_TOOL_NAME);
    expect((tool?.parameters.properties as { branch: { enum: string[] } }).branch.enum).toEqual(["billing", "bug", "other"]);
  });

  it("takes the branch the model chose, logs its reason, passes its input on, and skips the other branches", () => {
    const run = started();
    run.settle();
    run.apply(answer(null, [{ id: "c1", name: ROUTER_TOOL_NAME, arguments: '{"branch":"billing","reason":"A double charge is a billing matter."}' }]));
    expect(run.settle()).toEqual([]);
    expect(run.log.find((event) => event.type === "route_chosen")).toMatchObject({ branch: "billing", reason: "A double charge is a billing matter.", defaulted: false });
    expect(run.state.nodes.route).toMatchObject({ status: "succeeded", handle: "billing", route: { branch: "billing", defaulted: false } });
    expect(run.state.nodes.bug?.status).toBe("skipped");
    expect(run.state.nodes.other?.status).toBe("skipped");
    expect(run.state).toMatchObject({ status: "succeeded", output: "billing: My invoice was charged twice" });
    // The model call is counted like an agent's.
    expect(run.state.usage).toMatchObject({ promptTokens: 20, completionTokens: 4, modelCalls: 1 });
    expect(replay(run.log, step)).toEqual(run.state);
  });

  it("takes the default branch, saying why, when the model names no branch", () => {
    const run = started();
    run.settle();
    run.apply(answer(null, [{ id: "c1", name: ROUTER_TOOL_NAME, arguments: '{"branch":"refunds","reason":"?"}' }]));
    run.settle();
    expect(run.log.find((event) => event.type === "route_chosen")).toMatchObject({ branch: "other", defaulted: true });
    expect(run.state.nodes.route?.route?.reason).toContain('"refunds", which is not a branch');
    expect(run.state.output).toBe("other: My invoice was charged twice");
  });

  it("takes the default branch when the model call fails, and accepts a plain answer that is exactly a branch name", () => {
    const failed = started();
    failed.settle();
    failed.apply({ type: "llm_error", nodeId: "route", provider: "demo", model: "m", error: "503 Service Unavailable", latencyMs: 5 });
    failed.settle();
    expect(failed.state.nodes.route?.route).toMatchObject({ branch: "other", defaulted: true });
    expect(failed.state.nodes.route?.route?.reason).toContain("503 Service Unavailable");
    expect(failed.state.status).toBe("succeeded");

    const worded = started();
    worded.settle();
    worded.apply(answer(" Bug "));
    worded.settle();
    expect(worded.state.nodes.route?.route).toMatchObject({ branch: "bug", defaulted: false });
  });

  it("is refused at validation without two branches, with a default that is no branch, or a duplicate name; an edge needs a branch handle", () => {
    const codes = (graph: ReturnType<typeof routerGraph>) => validateGraph(graph).filter((problem) => problem.severity === "error").map((problem) => problem.code);
    expect(codes(routerGraph())).toEqual([]);
    const oneBranch = buildGraph([["trigger", "trigger"], ["route", "router", { branches: [{ name: "a", description: "" }], defaultBranch: "a" }]], [["trigger", "route"]]);
    expect(codes(oneBranch)).toContain("router_branches");
    const badDefault = buildGraph([["trigger", "trigger"], ["route", "router", { branches: BRANCHES, defaultBranch: "nope" }]], [["trigger", "route"]]);
    expect(codes(badDefault)).toContain("router_default");
    const duplicate = buildGraph([["trigger", "trigger"], ["route", "router", { branches: [...BRANCHES, { name: "bug", description: "" }], defaultBranch: "bug" }]], [["trigger", "route"]]);
    expect(codes(duplicate)).toContain("router_branches");
    const wrongHandle = buildGraph(
      [["trigger", "trigger"], ["route", "router", { branches: BRANCHES }], ["out", "output"]],
      [["trigger", "route"], ["route", "out", "true"]],
    );
    expect(codes(wrongHandle)).toContain("bad_handle");
  });
});
