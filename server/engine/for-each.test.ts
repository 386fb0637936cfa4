import { describe, expect, it } from "vitest";
import { buildGraph, TestRun } from "./test-helpers";
import { validateGraph } from "./validate";
import { replay } from "./state";
import { step } from "./step";
import { itemGraph, itemGraphIds } from "./item-graph";
import type { Effect } from "./decide";
import type { StartChildEffect } from "./children";
import type { RunEvent } from "./events";

function reply(nodeId: string, result: string): RunEvent {
  return {
    type: "llm_response",
    nodeId,
    provider: "demo",
    model: "m",
    message: { role: "assistant", content: null, toolCalls: [{ id: `c-${result}`, name: "complete_task", arguments: JSON.stringify({ result }) }] },
    usage: { promptTokens: 1, completionTokens: 1 },
    costUsd: 0,
    latencyMs: 1,
    sentMessages: 2,
  };
}

const starts = (effects: Effect[]) => effects.filter((effect): effect is StartChildEffect => effect.kind === "start_child");

/** trigger → for_each (item → classify → back) → done → summarise → out */
function mapReduce(data: Record<string, unknown> = {}) {
  return buildGraph(
    [
      ["trigger", "trigger", { sampleInput: '{"team": "support", "tickets": ["a"]}' }],
      ["each", "for_each", { items: "input.tickets", concurrency: 2, ...data }],
      ["classify", "agent", { task: "Ticket {{index}}: {{item}} (for {{input.team}}; rules {{nodes.rules.output}})" }],
      ["rules", "agent", { task: "The rules" }],
      ["summarise", "agent", { task: "Summarise: {{previous}}" }],
      ["out", "output"],
    ],
    [
      ["trigger", "rules"],
      ["rules", "each"],
      ["each", "classify", "item"],
      ["classify", "each"],
      ["each", "summarise", "done"],
      ["summarise", "out"],
    ],
  );
}

/** Runs the for-each's own run up to the point where it waits on children. */
function started(data: Record<string, unknown> = {}, input: unknown = { team: "support", tickets: ["a", "b", "c"] }) {
  const run = new TestRun(mapReduce(data));
  run.apply({ type: "run_started", input });
  run.settle();
  run.apply(reply("rules", "noon"));
  return { run, effects: run.settle() };
}

function finish(index: number, childRunId: string, status: "succeeded" | "failed", value: unknown): RunEvent {
  return status === "succeeded"
    ? { type: "child_finished", nodeId: "each", index, childRunId, status, output: value }
    : { type: "child_finished", nodeId: "each", index, childRunId, status, error: String(value) };
}

describe("for-each node", () => {
  it("is a valid graph: its body's cycle passes through it", () => {
    expect(validateGraph(mapReduce())).toEqual([]);
  });

  it("starts items up to its concurrency, each with the item and what the body reads of the run", () => {
    const { run, effects } = started();
    expect(run.state.nodes.each?.children?.total).toBe(3);
    const children = starts(effects);
    expect(children.map((effect) => effect.index)).toEqual([0, 1]);
    expect(children[0]).toMatchObject({ input: "a", item: { index: 0, input: { team: "support", tickets: ["a", "b", "c"] }, nodes: { rules: { output: "noon" } } } });
    // The body's nodes never run in the for-each's own run.
    expect(run.state.nodes.classify).toBeUndefined();
  });

  it("keeps at most `concurrency` items in flight and collects results in the list's order", () => {
    const { run, effects } = started();
    const [first, second] = starts(effects);
    run.apply({ type: "child_started", nodeId: "each", index: 0, childRunId: "r0" }, { type: "child_started", nodeId: "each", index: 1, childRunId: "r1" });
    expect(starts(run.settle())).toEqual([]);
    expect(first?.key).not.toBe(second?.key);
    run.apply(finish(1, "r1", "succeeded", "B"));
    const third = starts(run.settle());
    expect(third.map((effect) => effect.index)).toEqual([2]);
    run.apply({ type: "child_started", nodeId: "each", index: 2, childRunId: "r2" });
    run.apply(finish(2, "r2", "succeeded", "C"), finish(0, "r0", "succeeded", "A"));
    run.settle();
    expect(run.state.nodes.each).toMatchObject({ status: "succeeded", handle: "done", output: ["A", "B", "C"] });
    expect(run.state.nodes.summarise?.status).toBe("running");
    expect(run.state.threads.summarise?.messages[1]?.content).toContain('"A"');
    run.apply(reply("summarise", "3 tickets"));
    run.settle();
    expect(run.state.status).toBe("succeeded");
    expect(run.state.output).toBe("3 tickets");
    expect(replay(run.log, step)).toEqual(run.state);
  });

  it("ignores a report of a child it is not waiting for (twice, or from an older start)", () => {
    const { run } = started();
    run.apply({ type: "child_started", nodeId: "each", index: 0, childRunId: "r0" });
    run.apply(finish(0, "r0", "succeeded", "A"));
    const before = run.state.nodes.each?.children;
    run.apply(finish(0, "r0", "succeeded", "again"), finish(1, "stranger", "succeeded", "X"));
    expect(run.state.nodes.each?.children).toEqual(before);
  });

  it.each([
    ["fail", "failed", undefined],
    ["skip", "succeeded", ["A", "C"]],
    ["collect", "succeeded", ["A", { error: "model down" }, "C"]],
  ] as const)("on an item's failure with onError %s the node %s", (onError, status, output) => {
    const { run } = started({ onError, concurrency: 3 });
    for (const index of [0, 1, 2]) run.apply({ type: "child_started", nodeId: "each", index, childRunId: `r${index}` });
    run.apply(finish(0, "r0", "succeeded", "A"), finish(1, "r1", "failed", "model down"), finish(2, "r2", "succeeded", "C"));
    run.settle();
    expect(run.state.nodes.each?.status).toBe(status);
    if (status === "failed") expect(run.state.nodes.each?.error).toBe("item 2 of 3: model down");
    else expect(run.state.nodes.each?.output).toEqual(output);
  });

  it("fails at the node when the list expression gives no list", () => {
    const { run } = started({}, { team: "x", tickets: "not a list" });
    expect(run.state.nodes.each).toMatchObject({ status: "failed" });
    expect(run.state.nodes.each?.error).toContain("is not a list");
    expect(run.state.status).toBe("failed");
  });

  it("finishes at once with [] for an empty list", () => {
    const { run } = started({}, { team: "x", tickets: [] });
    expect(run.state.nodes.each).toMatchObject({ status: "succeeded", output: [] });
  });

  it("a retry runs the failed and unfinished items again as new children, keeping the ones that succeeded", () => {
    const { run } = started({ concurrency: 3 });
    for (const index of [0, 1, 2]) run.apply({ type: "child_started", nodeId: "each", index, childRunId: `r${index}` });
    run.apply(finish(0, "r0", "succeeded", "A"), finish(1, "r1", "failed", "boom"));
    run.settle();
    expect(run.state.status).toBe("failed");
    const firstKeys = ["r1", "r2"];
    run.apply({ type: "run_retried", by: "me", nodeIds: ["each", "summarise", "out"] });
    const again = starts(run.settle());
    expect(again.map((effect) => effect.index)).toEqual([1, 2]);
    expect(again.every((effect) => !firstKeys.includes(effect.key))).toBe(true);
    expect(run.state.nodes.each?.children?.results).toEqual({ 0: "A" });
    expect(replay(run.log, step)).toEqual(run.state);
  });
});

describe("a for-each item's run", () => {
  it("runs the body between an Item trigger and a Result output, with {{item}}, {{index}} and the outer run's data", () => {
    const graph = itemGraph(mapReduce(), "each");
    const ids = itemGraphIds("each");
    expect(graph.nodes.map((node) => node.id)).toEqual([ids.trigger, "classify", ids.result]);
    const run = new TestRun(graph);
    run.apply({ type: "run_started", input: "printer on fire", item: { index: 4, input: { team: "support" }, nodes: { rules: { output: "be kind" } } } });
    run.settle();
    expect(run.state.threads.classify?.messages[1]?.content).toBe("Ticket 4: printer on fire (for support; rules be kind)");
    run.apply(reply("classify", "urgent"));
    run.settle();
    expect(run.state).toMatchObject({ status: "succeeded", output: "urgent" });
    expect(replay(run.log, step)).toEqual(run.state);
  });

  it("is the same graph object for the same version and node (built once)", () => {
    const graph = mapReduce();
    expect(itemGraph(graph, "each")).toBe(itemGraph(graph, "each"));
  });
});

describe("for-each validation", () => {
  const problemCodes = (graph: ReturnType<typeof mapReduce>) => validateGraph(graph).map((p) => p.code);

  it("needs a list, a body and a result edge back", () => {
    expect(problemCodes(mapReduce({ items: "" }))).toContain("missing_config");
    const noBody = buildGraph([["trigger", "trigger"], ["each", "for_each"], ["out", "output"]], [["trigger", "each"], ["each", "out", "done"]]);
    expect(validateGraph(noBody).find((p) => p.code === "for_each_body")?.message).toContain('connect its "item" output');
    const noBack = buildGraph(
      [["trigger", "trigger"], ["each", "for_each"], ["a", "agent"], ["out", "output"]],
      [["trigger", "each"], ["each", "a", "item"], ["each", "out", "done"]],
    );
    expect(validateGraph(noBack).find((p) => p.code === "for_each_body")?.message).toContain("back into it");
  });

  it("refuses a body that is also after done", () => {
    const shared = buildGraph(
      [["trigger", "trigger"], ["each", "for_each"], ["a", "agent"], ["out", "output"]],
      [["trigger", "each"], ["each", "a", "item"], ["a", "each"], ["a", "out"], ["each", "out", "done"]],
    );
    expect(validateGraph(shared).find((p) => p.code === "for_each_body")?.message).toContain('"out" is both in the body and after "done"');
  });

  it("warns about {{item}} outside a body", () => {
    const graph = buildGraph([["trigger", "trigger"], ["a", "agent", { task: "{{item}}" }], ["out", "output"]], [["trigger", "a"], ["a", "out"]]);
    expect(validateGraph(graph).find((p) => p.code === "item_outside_for_each")?.severity).toBe("warning");
    expect(problemCodes(mapReduce())).not.toContain("item_outside_for_each");
  });
});

describe("sub-workflow node", () => {
  const graph = (data: Record<string, unknown> = {}) =>
    buildGraph(
      [["trigger", "trigger"], ["call", "subworkflow", { workflowId: "wf_child", input: '{"topic": "{{input.topic}}", "n": "{{input.n}}"}', ...data }], ["out", "output"]],
      [["trigger", "call"], ["call", "out"]],
    );

  it("starts one child with the mapped input and finishes with its output", () => {
    const run = new TestRun(graph());
    run.apply({ type: "run_started", input: { topic: "tides", n: 3 } });
    const [child, ...rest] = starts(run.settle());
    expect(rest).toEqual([]);
    expect(child).toMatchObject({ index: 0, workflowId: "wf_child", input: { topic: "tides", n: 3 } });
    run.apply({ type: "child_started", nodeId: "call", index: 0, childRunId: "c1", workflowId: "wf_child", versionId: "v1" });
    expect(starts(run.settle())).toEqual([]);
    expect(run.state.status).toBe("running");
    run.apply({ type: "child_finished", nodeId: "call", index: 0, childRunId: "c1", status: "succeeded", output: { summary: "ok" } });
    run.settle();
    expect(run.state).toMatchObject({ status: "succeeded", output: { summary: "ok" } });
    expect(replay(run.log, step)).toEqual(run.state);
  });

  it("fails with the child's error", () => {
    const run = new TestRun(graph());
    run.apply({ type: "run_started", input: {} });
    run.settle();
    run.apply({ type: "child_started", nodeId: "call", index: 0, childRunId: "c1" });
    run.apply({ type: "child_finished", nodeId: "call", index: 0, childRunId: "c1", status: "cancelled", error: "cancelled by ann" });
    run.settle();
    expect(run.state.nodes.call).toMatchObject({ status: "failed", error: "the sub-workflow's run: cancelled by ann" });
  });

  it("passes the previous output on when no input is mapped", () => {
    const run = new TestRun(graph({ input: "" }));
    run.apply({ type: "run_started", input: { topic: "tides" } });
    expect(starts(run.settle())[0]?.input).toEqual({ topic: "tides" });
  });

  it("is refused when it calls its own workflow, or none", () => {
    expect(validateGraph(graph(), { workflowId: "wf_child" }).find((p) => p.code === "subworkflow_recursion")?.message).toContain("cannot call itself");
    expect(validateGraph(graph({ workflowId: "" })).map((p) => p.code)).toContain("missing_config");
  });
});
