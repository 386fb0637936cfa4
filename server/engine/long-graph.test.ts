import { describe, expect, it } from "vitest";
import { createNode, graphSchema, type Graph, type GraphEdge, type GraphNode, type NodeKind } from "./graph";
import { validateGraph } from "./validate";
import { TestRun } from "./test-helpers";
import { isTerminalStatus } from "./events";
import { loopShape } from "./loops";

/**
 * The schema allows 5,000 nodes and 10,000 edges; a graph at that limit must validate and run.
 * Every walk over the graph is iterative because a recursive one overflows the stack on a
 * long chain (and the browser's and Next.js's stacks may be smaller than Node's default).
 */

const MAX_NODES = 5_000;

/** Settings that make each kind schema-valid and runnable in a chain. */
const DATA: Partial<Record<NodeKind, Record<string, unknown>>> = {
  tool: { tool: "run_code", arguments: '{"code":"1"}' },
  condition: { expression: 'previous != "stop"' },
};

/** `trigger → middle… → output`, each node linked to the next (a condition through "true"). */
function chain(middle: readonly NodeKind[]): Graph {
  const kinds: NodeKind[] = ["trigger", ...middle, "output"];
  const nodes = kinds.map((kind, index) => {
    const node = createNode(kind, `n${index}`, { x: index * 280, y: 0 });
    return { ...node, data: { ...node.data, ...DATA[kind] } } as GraphNode;
  });
  const edges: GraphEdge[] = [];
  for (let index = 1; index < nodes.length; index += 1) {
    const source = nodes[index - 1] as GraphNode;
    edges.push({ id: `e${index}`, source: source.id, target: `n${index}`, sourceHandle: source.type === "condition" ? "true" : null, targetHandle: null });
  }
  // Parsing proves the graph is one the API would store.
  return graphSchema.parse({ nodes, edges });
}

function errorsOf(graph: Graph) {
  return validateGraph(graph).filter((problem) => problem.severity === "error");
}

/** Drives a run to its end the way the worker does: every effect's result is fed back through step. */
function runToEnd(graph: Graph, input: unknown = { topic: "x" }): TestRun {
  const run = new TestRun(graph);
  run.apply({ type: "run_started", input });
  for (let round = 0; round < 10 * graph.nodes.length; round += 1) {
    const effects = run.decide();
    if (effects.length === 0) return run;
    for (const effect of effects) {
      if (effect.kind === "emit") run.apply(effect.event);
      else if (effect.kind === "call_tool") {
        run.apply({ type: "tool_result", nodeId: effect.nodeId, toolCallId: effect.toolCallId, name: effect.name, ok: true, content: "1", data: 1 });
      } else if (effect.kind === "call_llm") {
        run.apply({
          type: "llm_response",
          nodeId: effect.nodeId,
          provider: "demo",
          model: "m",
          message: { role: "assistant", content: null, toolCalls: [{ id: `c-${effect.nodeId}`, name: "complete_task", arguments: '{"result":"done"}' }] },
          usage: { promptTokens: 1, completionTokens: 1 },
          costUsd: 0,
          latencyMs: 1,
          sentMessages: 2,
        });
      } else {
        throw new Error(`unexpected ${effect.kind} at ${effect.nodeId}`);
      }
    }
    if (isTerminalStatus(run.state.status)) return run;
  }
  throw new Error("the run did not finish");
}

function timed<T>(work: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = work();
  return { value, ms: performance.now() - start };
}

describe("a graph at the schema's size limit", () => {
  it("validates a 4,999-node chain of tool nodes quickly", () => {
    const graph = chain(Array<NodeKind>(MAX_NODES - 3).fill("tool"));
    expect(graph.nodes).toHaveLength(4_999);
    const { value: problems, ms } = timed(() => validateGraph(graph));
    expect(problems).toEqual([]);
    // Generous for a slow CI machine; it takes a few milliseconds.
    expect(ms).toBeLessThan(100);
  });

  it("runs a 4,999-node chain of tool nodes to the end", () => {
    const graph = chain(Array<NodeKind>(MAX_NODES - 3).fill("tool"));
    const run = runToEnd(graph);
    expect(run.state.status).toBe("succeeded");
    expect(run.state.output).toBe(1);
    expect(Object.values(run.state.nodes).every((node) => node.status === "succeeded")).toBe(true);
  });

  it("validates and runs a 5,000-node chain of agents, conditions and tools", () => {
    const middle = Array.from({ length: MAX_NODES - 2 }, (_, index): NodeKind => (["agent", "condition", "tool"] as const)[index % 3] ?? "tool");
    const graph = chain(middle);
    expect(graph.nodes).toHaveLength(MAX_NODES);
    expect(errorsOf(graph)).toEqual([]);
    const run = runToEnd(graph);
    expect(run.state.status).toBe("succeeded");
    expect(run.state.usage.modelCalls).toBe(middle.filter((kind) => kind === "agent").length);
  });

  it("validates a 5,000-node chain of agents (validation walks only)", () => {
    const graph = chain(Array<NodeKind>(MAX_NODES - 2).fill("agent"));
    expect(errorsOf(graph)).toEqual([]);
  });

  it("finds a cycle that closes at the far end of a long chain", () => {
    const graph = chain(Array<NodeKind>(MAX_NODES - 2).fill("tool"));
    const last = graph.nodes[graph.nodes.length - 1] as GraphNode;
    graph.edges.push({ id: "back", source: last.id, target: "n1", sourceHandle: null, targetHandle: null });
    // An output node has no outputs, so the back edge is also a bad handle; the cycle is what matters here.
    expect(errorsOf(graph).map((problem) => `${problem.code}@${problem.nodeId}`)).toEqual(["bad_handle@n4999", "cycle@n1"]);
  });

  it("validates and runs a deep fan-out: a parallel node into 4,997 branches joined once", () => {
    const branches = MAX_NODES - 4;
    const nodes: GraphNode[] = [createNode("trigger", "trigger", { x: 0, y: 0 }), createNode("parallel", "fork", { x: 280, y: 0 })];
    const edges: GraphEdge[] = [{ id: "e-start", source: "trigger", target: "fork", sourceHandle: null, targetHandle: null }];
    for (let index = 0; index < branches; index += 1) {
      const node = createNode("tool", `b${index}`, { x: 560, y: index * 120 });
      nodes.push({ ...node, data: { ...node.data, ...DATA.tool } } as GraphNode);
      edges.push({ id: `e-in-${index}`, source: "fork", target: node.id, sourceHandle: null, targetHandle: null });
      edges.push({ id: `e-out-${index}`, source: node.id, target: "join", sourceHandle: null, targetHandle: null });
    }
    nodes.push(createNode("join", "join", { x: 840, y: 0 }), createNode("output", "out", { x: 1120, y: 0 }));
    edges.push({ id: "e-end", source: "join", target: "out", sourceHandle: null, targetHandle: null });
    const graph = graphSchema.parse({ nodes, edges });
    expect(graph.edges.length).toBeLessThanOrEqual(10_000);
    expect(errorsOf(graph)).toEqual([]);
    const run = runToEnd(graph);
    expect(run.state.status).toBe("succeeded");
    expect(Object.keys(run.state.output as Record<string, unknown>)).toHaveLength(branches);
  });

  it("runs a loop whose body is a 4,996-node chain", () => {
    const bodyLength = MAX_NODES - 4;
    const nodes: GraphNode[] = [
      createNode("trigger", "trigger", { x: 0, y: 0 }),
      { ...createNode("loop", "loop", { x: 280, y: 0 }), data: { label: "Loop", maxIterations: 2, whileExpression: "" } } as GraphNode,
    ];
    const edges: GraphEdge[] = [{ id: "e-start", source: "trigger", target: "loop", sourceHandle: null, targetHandle: null }];
    let previous = { id: "loop", handle: "body" as string | null };
    for (let index = 0; index < bodyLength; index += 1) {
      const node = createNode("tool", `b${index}`, { x: 560 + index * 280, y: 0 });
      nodes.push({ ...node, data: { ...node.data, ...DATA.tool } } as GraphNode);
      edges.push({ id: `e-${index}`, source: previous.id, target: node.id, sourceHandle: previous.handle, targetHandle: null });
      previous = { id: node.id, handle: null };
    }
    edges.push({ id: "e-back", source: previous.id, target: "loop", sourceHandle: null, targetHandle: null });
    nodes.push(createNode("join", "after", { x: 0, y: 200 }), createNode("output", "out", { x: 280, y: 200 }));
    edges.push({ id: "e-done", source: "loop", target: "after", sourceHandle: "done", targetHandle: null });
    edges.push({ id: "e-end", source: "after", target: "out", sourceHandle: null, targetHandle: null });
    const graph = graphSchema.parse({ nodes, edges });
    expect(graph.nodes).toHaveLength(MAX_NODES);
    expect(errorsOf(graph)).toEqual([]);
    expect(loopShape(graph, "loop").body.size).toBe(bodyLength);
    const run = runToEnd(graph);
    expect(run.state.status).toBe("succeeded");
    expect(run.state.nodes.loop?.iteration).toBe(2);
  });
});
