import { describe, expect, it } from "vitest";
import { buildGraph, TestRun } from "./test-helpers";
import { replay } from "./state";
import { step } from "./step";
import { canRetry, forkEditProblem, reopenableNodeIds, retryStartNode } from "./lineage";
import { validateGraph } from "./validate";
import type { Effect } from "./decide";
import type { RunEvent } from "./events";

/** Review, timeouts, retry and fork, on the pure engine (the worker commits the same events). */

const reviewGraph = (human: Record<string, unknown> = {}) =>
  buildGraph(
    [
      ["trigger", "trigger"],
      ["writer", "agent", { task: "Write about {{input.topic}}" }],
      ["review", "human", { message: "Check the draft on {{input.topic}}: {{previous}}", ...human }],
      ["out", "output"],
      ["revise", "output", { label: "Revise" }],
      ["late", "output", { label: "Late" }],
    ],
    [
      ["trigger", "writer"],
      ["writer", "review"],
      ["review", "out", "approve"],
      ["review", "revise", "reject"],
      ["review", "late", "timeout"],
    ],
  );

function finish(nodeId: string, result: string): RunEvent {
  return {
    type: "llm_response",
    nodeId,
    provider: "demo",
    model: "m",
    message: { role: "assistant", content: null, toolCalls: [{ id: `c-${nodeId}`, name: "complete_task", arguments: JSON.stringify({ result }) }] },
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

/** Runs the review graph up to the waiting gate. */
function atReview(human: Record<string, unknown> = {}) {
  const run = new TestRun(reviewGraph(human));
  run.apply({ type: "run_started", input: { topic: "otters" } });
  only(run.settle(), "call_llm");
  run.apply(finish("writer", "Otters **hold hands**"));
  const request = only(run.settle(), "request_human");
  run.apply({ type: "human_requested", nodeId: "review", taskId: "t1", message: request.message, context: request.context });
  return { run, request };
}

describe("review with context", () => {
  it("renders the gate's message as a template and asks about the previous node's output", () => {
    const { request } = atReview();
    expect(request.message).toBe("Check the draft on otters: Otters **hold hands**");
    expect(request.context).toBe("Otters **hold hands**");
  });

  it("passes the reviewer's edit downstream; the original stays in the log", () => {
    const { run } = atReview();
    run.apply({ type: "human_responded", nodeId: "review", taskId: "t1", decision: "approve", editedContent: "Otters hold paws" });
    run.settle();
    expect(run.state.status).toBe("succeeded");
    expect(run.state.output).toBe("Otters hold paws");
    expect(run.log.find((event) => event.type === "human_requested")).toMatchObject({ context: "Otters **hold hands**" });
  });

  it("routes a rejection's reason on the reject branch", () => {
    const { run } = atReview();
    run.apply({ type: "human_responded", nodeId: "review", taskId: "t1", decision: "reject", comment: "too short" });
    run.settle();
    expect(run.state.nodes.revise?.output).toEqual({ content: "Otters **hold hands**", reason: "too short" });
    expect(run.state.nodes.out?.status).toBe("skipped");
  });

  it("gives a tool approval the agent's reason", () => {
    const graph = buildGraph(
      [
        ["trigger", "trigger"],
        ["agent", "agent", { allowedTools: ["http_request"] }],
      ],
      [["trigger", "agent"]],
    );
    const run = new TestRun(graph);
    run.apply({ type: "run_started", input: null });
    run.settle();
    run.apply({
      ...(finish("agent", "x") as Extract<RunEvent, { type: "llm_response" }>),
      message: {
        role: "assistant",
        content: "I need the price list",
        toolCalls: [{ id: "h1", name: "http_request", arguments: '{"url":"https://example.com","method":"POST"}' }],
      },
    });
    const request = only(run.settle(), "request_human");
    expect(request.context).toMatchObject({ tool: "http_request", reason: "I need the price list" });
  });
});

describe("timeouts", () => {
  it.each([
    ["approve", "out", "Otters **hold hands**"],
    ["reject", "revise", { content: "Otters **hold hands**", reason: "no answer before the timeout" }],
    ["timeout", "late", "Otters **hold hands**"],
  ] as const)("on timeout %s, the run goes through %s", (outcome, node, output) => {
    const { run } = atReview({ timeoutSeconds: 60, onTimeout: outcome });
    run.apply({ type: "human_timed_out", nodeId: "review", taskId: "t1", outcome });
    run.settle();
    expect(run.state.nodes[node]).toMatchObject({ status: "succeeded", output });
  });

  it("ignores a timeout for a task that was already answered", () => {
    const { run } = atReview({ timeoutSeconds: 60 });
    run.apply({ type: "human_responded", nodeId: "review", taskId: "t1", decision: "approve" });
    const before = run.state;
    run.apply({ type: "human_timed_out", nodeId: "review", taskId: "t1", outcome: "reject" });
    expect(run.state.humans).toEqual(before.humans);
  });

  it("warns about a timeout branch that can never be taken", () => {
    const codes = validateGraph(reviewGraph()).map((problem) => problem.code);
    expect(codes).toContain("unused_timeout_branch");
    expect(validateGraph(reviewGraph({ timeoutSeconds: 5, onTimeout: "timeout" })).map((problem) => problem.code)).not.toContain("unused_timeout_branch");
  });
});

/** trigger → a → b → out, where b fails three times and a reviewer stops it. */
function failedAtB() {
  const graph = buildGraph(
    [
      ["trigger", "trigger"],
      ["a", "agent"],
      ["b", "agent"],
      ["out", "output"],
    ],
    [
      ["trigger", "a"],
      ["a", "b"],
      ["b", "out"],
    ],
  );
  const run = new TestRun(graph);
  run.apply({ type: "run_started", input: "go" });
  run.settle();
  run.apply(finish("a", "from a"));
  run.settle();
  for (let i = 0; i < 3; i += 1) run.apply({ type: "llm_error", nodeId: "b", provider: "demo", model: "m", error: "HTTP 500", latencyMs: 1 });
  const ask = only(run.settle(), "request_human");
  expect(ask.humanKind).toBe("errors");
  run.apply({ type: "human_requested", nodeId: "b", taskId: "t1", kind: "errors", message: ask.message, context: ask.context });
  run.apply({ type: "human_responded", nodeId: "b", taskId: "t1", decision: "reject" });
  run.settle();
  return run;
}

describe("retry", () => {
  it("continues a failed run from the failed agent, keeping what succeeded and the agent's thread", () => {
    const run = failedAtB();
    expect(run.state.status).toBe("failed");
    expect(canRetry(run.state)).toBe(true);
    expect(retryStartNode(run.graph, run.state)).toBe("b");
    const nodeIds = reopenableNodeIds(run.state);
    expect(nodeIds.sort()).toEqual(["b", "out"]);
    run.apply({ type: "run_retried", by: "Ada", nodeIds });
    expect(run.state.status).toBe("running");
    expect(run.state.error).toBeUndefined();
    // The model is asked again for b with its thread as it was; a is not touched.
    const call = only(run.settle(), "call_llm");
    expect(call.nodeId).toBe("b");
    expect(call.request.messages[1]).toEqual({ role: "user", content: "from a" });
    run.apply(finish("b", "from b"));
    run.settle();
    expect(run.state).toMatchObject({ status: "succeeded", output: "from b" });
    expect(run.log.filter((event) => event.type === "llm_response" && event.nodeId === "a")).toHaveLength(1);
    expect(replay(run.log, step)).toEqual(run.state);
  });

  it("does not retry a run that succeeded or was rejected", () => {
    const { run } = atReview();
    run.apply({ type: "human_responded", nodeId: "review", taskId: "t1", decision: "approve" });
    run.settle();
    expect(canRetry(run.state)).toBe(false);
  });

  it("re-asks a person whose task was closed by a cancel", () => {
    const { run } = atReview();
    run.apply({ type: "run_finished", status: "cancelled", error: "cancelled by Ada" });
    run.apply({ type: "run_retried", by: "Ada", nodeIds: reopenableNodeIds(run.state) });
    expect(run.state.status).toBe("running");
    expect(only(run.settle(), "request_human").nodeId).toBe("review");
  });
});

describe("fork", () => {
  it("continues from an earlier event with an edited node output; the prefix is not run again", () => {
    const source = failedAtB();
    const aFinished = source.log.find((event) => event.type === "node_finished" && event.nodeId === "a");
    if (!aFinished) throw new Error("a did not finish");
    const prefix = source.log.filter((event) => event.seq <= aFinished.seq);
    const before = replay(prefix, step);
    const edit = { kind: "node_output" as const, nodeId: "a", value: "edited a" };
    expect(forkEditProblem(before, edit)).toBeNull();

    const fork = new TestRun(source.graph);
    fork.log = [...prefix];
    fork.state = before;
    fork.apply({ type: "run_forked", fromRunId: "run_parent", atSeq: aFinished.seq, by: "Ada", edit, nodeIds: reopenableNodeIds(before) });
    const call = only(fork.settle(), "call_llm");
    expect(call.nodeId).toBe("b");
    expect(call.request.messages[1]).toEqual({ role: "user", content: "edited a" });
    fork.apply(finish("b", "b saw the edit"));
    fork.settle();
    expect(fork.state.output).toBe("b saw the edit");
    // A fork's state is the fold of the parent's prefix plus its own events.
    expect(replay(fork.log, step)).toEqual(fork.state);
    expect(fork.log.slice(prefix.length).some((event) => event.type === "node_started" && event.nodeId === "a")).toBe(false);
  });

  it("edits an agent's last message and a tool result in its thread", () => {
    const { run } = atReview();
    const state = replay(run.log, step);
    const edited = step(state, {
      type: "run_forked",
      fromRunId: "p",
      atSeq: state.lastSeq,
      by: "Ada",
      edit: { kind: "tool_result", nodeId: "writer", toolCallId: "c-writer", content: "changed" },
      nodeIds: [],
      seq: state.lastSeq + 1,
      at: "2026-01-01T00:00:00.000Z",
    });
    expect(edited.threads.writer?.messages.at(-1)).toMatchObject({ role: "tool", content: "changed" });
  });

  it("refuses edits that do not fit the state at that point", () => {
    const { run } = atReview();
    expect(forkEditProblem(run.state, { kind: "node_output", nodeId: "out", value: 1 })).toMatch(/has not run/);
    expect(forkEditProblem(run.state, { kind: "agent_message", nodeId: "review", content: "x" })).toMatch(/not an agent/);
    expect(forkEditProblem(run.state, { kind: "tool_result", nodeId: "writer", toolCallId: "nope", content: "x" })).toMatch(/no result/);
    expect(forkEditProblem(run.state, { kind: "input", value: { topic: "seals" } })).toBeNull();
  });
});
