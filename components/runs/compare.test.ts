import { describe, expect, it } from "vitest";
import type { CommittedEvent, RunEvent } from "@/server/engine/events";
import type { Graph } from "@/server/engine/graph";
import { replay } from "@/server/engine/state";
import { step } from "@/server/engine/step";
import { buildGraph } from "@/server/engine/test-helpers";
import { activeDurationMs, compareRuns, durationsDiffer, nodeFactsOf, sameValue, type ComparedRun } from "./compare";

const graph = buildGraph(
  [
    ["trigger", "trigger"],
    ["writer", "agent", { label: "Writer" }],
    ["out", "output"],
  ],
  [
    ["trigger", "writer"],
    ["writer", "out"],
  ],
);

/** Events at the given second offsets (ms precision), folded with the engine's own `step`. */
function runOf(g: Graph, timed: Array<[atMs: number, event: RunEvent]>): ComparedRun {
  const events = timed.map(([atMs, event], index) => ({ ...event, seq: index + 1, at: new Date(Date.UTC(2026, 0, 1) + atMs).toISOString() }) as CommittedEvent);
  return { graph: g, events, state: replay(events, step) };
}

const reply = (nodeId: string, content: string, tokens: [number, number], costUsd: number | null): RunEvent => ({
  type: "llm_response",
  nodeId,
  provider: "demo",
  model: "agentflow-demo-1",
  message: { role: "assistant", content },
  usage: { promptTokens: tokens[0], completionTokens: tokens[1] },
  costUsd,
  latencyMs: 10,
  sentMessages: 2,
});

function writerRun(output: string, writerMs: number, tokens: [number, number] = [100, 20], costUsd: number | null = 0.002): ComparedRun {
  return runOf(graph, [
    [0, { type: "run_started", input: { topic: "x" } }],
    [0, { type: "node_started", nodeId: "trigger" }],
    [0, { type: "node_finished", nodeId: "trigger", output: { topic: "x" }, handle: null }],
    [10, { type: "node_started", nodeId: "writer" }],
    [10 + writerMs / 2, reply("writer", output, tokens, costUsd)],
    [10 + writerMs, { type: "node_finished", nodeId: "writer", output, handle: null }],
    [20 + writerMs, { type: "node_started", nodeId: "out" }],
    [30 + writerMs, { type: "node_finished", nodeId: "out", output, handle: null }],
    [30 + writerMs, { type: "run_finished", status: "succeeded", output }],
  ]);
}

describe("compareRuns", () => {
  it("finds nothing to highlight between two runs that did the same", () => {
    const comparison = compareRuns(writerRun("same", 1000), writerRun("same", 1100));
    expect(comparison.nodes.map((node) => [node.nodeId, node.changed])).toEqual([
      ["trigger", false],
      ["writer", false],
      ["out", false],
    ]);
    expect(comparison.differs).toEqual({ status: false, tokens: false, cost: false, duration: false });
  });

  it("sums each node's tokens, cost and time, and the run's totals", () => {
    const comparison = compareRuns(writerRun("a", 1000), writerRun("b", 4000, [300, 50], 0.01));
    const writer = comparison.nodes.find((node) => node.nodeId === "writer");
    expect(writer?.a).toEqual({ status: "succeeded", output: "a", tokens: 120, costUsd: 0.002, unpricedCalls: 0, durationMs: 1000 });
    expect(writer?.b).toEqual({ status: "succeeded", output: "b", tokens: 350, costUsd: 0.01, unpricedCalls: 0, durationMs: 4000 });
    expect(writer?.differs).toEqual({ status: false, output: true, tokens: true, cost: true, duration: true });
    expect(writer?.changed).toBe(true);
    // The output node passed the writer's text on: its output differs, its (zero) usage does not.
    const out = comparison.nodes.find((node) => node.nodeId === "out");
    expect(out?.differs).toMatchObject({ output: true, tokens: false, cost: false });
    expect(comparison.a).toEqual({ status: "succeeded", tokens: 120, costUsd: 0.002, unpricedCalls: 0, durationMs: 1030 });
    expect(comparison.b).toMatchObject({ tokens: 350, durationMs: 4030 });
    expect(comparison.differs).toEqual({ status: false, tokens: true, cost: true, duration: true });
  });

  it("keeps an unknown price apart from $0: the cost differs, and the run counts the unpriced call", () => {
    const comparison = compareRuns(writerRun("same", 1000, [100, 20], 0), writerRun("same", 1000, [100, 20], null));
    expect(comparison.b).toMatchObject({ costUsd: 0, unpricedCalls: 1 });
    expect(comparison.nodes.find((node) => node.nodeId === "writer")?.b).toMatchObject({ costUsd: 0, unpricedCalls: 1 });
    expect(comparison.differs.cost).toBe(true);
  });

  it("flags a status change and a node that only one run reached", () => {
    const failed = runOf(graph, [
      [0, { type: "run_started", input: {} }],
      [0, { type: "node_started", nodeId: "trigger" }],
      [0, { type: "node_finished", nodeId: "trigger", output: {}, handle: null }],
      [10, { type: "node_started", nodeId: "writer" }],
      [500, { type: "node_failed", nodeId: "writer", error: "HTTP 500" }],
      [500, { type: "run_finished", status: "failed", error: "writer: HTTP 500" }],
    ]);
    const comparison = compareRuns(failed, writerRun("done", 1000));
    const writer = comparison.nodes.find((node) => node.nodeId === "writer");
    expect(writer?.a).toMatchObject({ status: "failed", durationMs: 490, tokens: 0 });
    expect(writer?.differs.status).toBe(true);
    const out = comparison.nodes.find((node) => node.nodeId === "out");
    expect(out?.a).toMatchObject({ status: "pending", durationMs: null });
    expect(out?.changed).toBe(true);
    expect(comparison.differs.status).toBe(true);
  });

  it("lists the nodes of both graphs, marking those one run does not have", () => {
    const wider = buildGraph(
      [
        ["trigger", "trigger"],
        ["writer", "agent", { label: "Writer" }],
        ["editor", "agent", { label: "Editor" }],
        ["out", "output"],
      ],
      [
        ["trigger", "writer"],
        ["writer", "editor"],
        ["editor", "out"],
      ],
    );
    const comparison = compareRuns(writerRun("a", 1000), { ...writerRun("a", 1000), graph: wider });
    expect(comparison.nodes.map((node) => node.nodeId)).toEqual(["trigger", "writer", "out", "editor"]);
    const editor = comparison.nodes.find((node) => node.nodeId === "editor");
    expect(editor).toMatchObject({ label: "Editor", kind: "agent", a: null, changed: true });
    expect(editor?.b).toMatchObject({ status: "pending" });
  });

  it("adds up a node's time over each start (a loop ran it twice)", () => {
    const looped = runOf(graph, [
      [0, { type: "run_started", input: {} }],
      [100, { type: "node_started", nodeId: "writer" }],
      [400, { type: "node_finished", nodeId: "writer", output: "one", handle: null }],
      [5000, { type: "node_started", nodeId: "writer" }],
      [5200, { type: "node_finished", nodeId: "writer", output: "two", handle: null }],
    ]);
    expect(nodeFactsOf(looped).get("writer")?.durationMs).toBe(500);
  });

  it("leaves out the time a failed run waited for its retry, for the node and the run", () => {
    const retried = runOf(graph, [
      [0, { type: "run_started", input: {} }],
      [100, { type: "node_started", nodeId: "writer" }],
      [400, { type: "node_failed", nodeId: "writer", error: "boom" }],
      [500, { type: "run_finished", status: "failed", error: "writer: boom" }],
      // An hour later somebody retries; the agent goes on without a new node_started.
      [3_600_500, { type: "run_retried", by: "Ada", nodeIds: ["writer", "out"] }],
      [3_600_700, { type: "node_finished", nodeId: "writer", output: "ok", handle: null }],
      [3_600_800, { type: "node_started", nodeId: "out" }],
      [3_600_900, { type: "node_finished", nodeId: "out", output: "ok", handle: null }],
      [3_600_900, { type: "run_finished", status: "succeeded", output: "ok" }],
    ]);
    expect(nodeFactsOf(retried).get("writer")?.durationMs).toBe(300 + 200);
    expect(nodeFactsOf(retried).get("out")?.durationMs).toBe(100);
    expect(activeDurationMs(retried.events, null)).toBe(500 + 400);
  });

  it("counts a fork's copied history as it ran, not the gap until the fork started", () => {
    const fork = runOf(graph, [
      [0, { type: "run_started", input: {} }],
      [100, { type: "node_started", nodeId: "writer" }],
      [600, { type: "node_finished", nodeId: "writer", output: "draft", handle: null }],
      // Forked a day later from the event above, with the writer's output edited.
      [86_400_000, { type: "run_forked", fromRunId: "run_parent", atSeq: 3, by: "Ada", nodeIds: [], edit: { kind: "node_output", nodeId: "writer", value: "edited" } }],
      [86_400_100, { type: "node_started", nodeId: "out" }],
      [86_400_300, { type: "node_finished", nodeId: "out", output: "edited", handle: null }],
      [86_400_300, { type: "run_finished", status: "succeeded", output: "edited" }],
    ]);
    expect(activeDurationMs(fork.events, null)).toBe(600 + 300);
    expect(nodeFactsOf(fork).get("writer")).toMatchObject({ output: "edited", durationMs: 500 });
  });

  it("counts an unfinished run up to now, or not at all without a clock", () => {
    const running = runOf(graph, [[0, { type: "run_started", input: {} }]]);
    expect(activeDurationMs(running.events, null)).toBeNull();
    expect(activeDurationMs(running.events, Date.UTC(2026, 0, 1) + 1500)).toBe(1500);
    expect(activeDurationMs([], 1)).toBeNull();
  });
});

describe("value and time equality", () => {
  it("compares JSON outputs whatever the key order, and treats no output as null", () => {
    expect(sameValue({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 })).toBe(true);
    expect(sameValue({ a: 1 }, { a: "1" })).toBe(false);
    expect(sameValue([1, 2], [2, 1])).toBe(false);
    expect(sameValue(undefined, null)).toBe(true);
    expect(sameValue("text", "text ")).toBe(false);
  });

  it("counts only a noticeable difference in duration", () => {
    expect(durationsDiffer(1000, 1100)).toBe(false);
    expect(durationsDiffer(100, 300)).toBe(false); // 200 ms: under the 250 ms floor
    expect(durationsDiffer(1000, 2000)).toBe(true);
    expect(durationsDiffer(null, 10)).toBe(true);
    expect(durationsDiffer(null, null)).toBe(false);
  });
});
