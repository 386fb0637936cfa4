import { describe, expect, it } from "vitest";
import { buildGraph, TestRun } from "./test-helpers";
import { replay } from "./state";
import { step } from "./step";

/**
 * A model error no retry can fix (llm_error with retryable: false — a refused key, an unknown
 * model or provider) fails the agent node at once with its message; a retryable one still
 * counts towards asking a person after repeated errors.
 */
const graph = () => buildGraph([["trigger", "trigger"], ["a", "agent"], ["out", "output"]], [["trigger", "a"], ["a", "out"]]);

describe("llm_error retryable", () => {
  it("fails the node at once on a non-retryable error, with its message, and asks nobody", () => {
    const run = new TestRun(graph());
    run.apply({ type: "run_started", input: {} });
    run.settle();
    run.apply({ type: "llm_error", nodeId: "a", provider: "openai", model: "m", error: "The key was refused (401)", latencyMs: 1, retryable: false });
    const effects = run.settle();
    expect(effects.some((effect) => effect.kind === "request_human" || effect.kind === "call_llm")).toBe(false);
    expect(run.state.nodes.a?.status).toBe("failed");
    expect(run.state.status).toBe("failed");
    expect(run.state.error).toContain("The key was refused (401)");
    expect(replay(run.log, step)).toEqual(run.state);

    // Retried after the key was fixed: the model is called again.
    run.apply({ type: "run_retried", by: "admin", nodeIds: ["a"] });
    expect(run.settle().map((effect) => effect.kind)).toEqual(["call_llm"]);
  });

  it("calls the model again after a retryable error (and after one without the field, as older logs have)", () => {
    const run = new TestRun(graph());
    run.apply({ type: "run_started", input: {} });
    run.settle();
    run.apply({ type: "llm_error", nodeId: "a", provider: "demo", model: "m", error: "HTTP 500", latencyMs: 1, retryable: true });
    expect(run.settle().map((effect) => effect.kind)).toEqual(["call_llm"]);
    run.apply({ type: "llm_error", nodeId: "a", provider: "demo", model: "m", error: "HTTP 500", latencyMs: 1 });
    expect(run.settle().map((effect) => effect.kind)).toEqual(["call_llm"]);
  });
});
