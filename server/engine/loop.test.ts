import { describe, expect, it } from "vitest";
import { buildGraph, TestRun } from "./test-helpers";
import { validateGraph } from "./validate";
import { replay } from "./state";
import { step } from "./step";

function reply(nodeId: string, result: string) {
  return {
    type: "llm_response" as const,
    nodeId,
    provider: "demo",
    model: "m",
    message: { role: "assistant" as const, content: null, toolCalls: [{ id: `c-${result}`, name: "complete_task", arguments: JSON.stringify({ result }) }] },
    usage: { promptTokens: 1, completionTokens: 1 },
    costUsd: 0,
    latencyMs: 1,
    sentMessages: 2,
  };
}

describe("loop node", () => {
  const graph = () =>
    buildGraph(
      [["trigger", "trigger"], ["loop", "loop", { maxIterations: 3, whileExpression: 'previous != "good enough"' }], ["draft", "agent"], ["out", "output"]],
      [["trigger", "loop"], ["loop", "draft", "body"], ["draft", "loop"], ["loop", "out", "done"]],
    );

  it("is a valid graph: the cycle passes through the loop", () => {
    expect(validateGraph(graph()).filter((p) => p.severity === "error")).toEqual([]);
  });

  it("repeats its body until the condition fails, then leaves through done", () => {
    const run = new TestRun(graph());
    run.apply({ type: "run_started", input: {} });
    run.settle();
    expect(run.state.nodes.loop).toMatchObject({ iteration: 1, handle: "body" });
    run.apply(reply("draft", "first try"));
    run.settle();
    expect(run.state.nodes.loop?.iteration).toBe(2);
    expect(run.state.nodes.draft?.status).toBe("running");
    expect(run.state.nodes.out?.status ?? "pending").toBe("pending");
    run.apply(reply("draft", "good enough"));
    run.settle();
    expect(run.state.status).toBe("succeeded");
    expect(run.state.output).toBe("good enough");
    expect(replay(run.log, step)).toEqual(run.state);
  });

  it("stops at maxIterations", () => {
    const run = new TestRun(graph());
    run.apply({ type: "run_started", input: {} });
    run.settle();
    for (let i = 0; i < 3; i += 1) {
      run.apply(reply("draft", `attempt ${i}`));
      run.settle();
    }
    expect(run.state.status).toBe("succeeded");
    expect(run.state.nodes.loop?.iteration).toBe(3);
    expect(run.state.output).toBe("attempt 2");
  });
});
