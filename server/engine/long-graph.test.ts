import { describe, expect, it } from "vitest";
import { createNode, graphSchema, type Graph, type GraphEdge, type GraphNode, type NodeKind } from "./graph";
import { validateGraph } from "./validate";
import { TestRun } from "./test-helpers";
import { isTerminalStatus } from "./events";
import { loopShape } from "./loops";

/**
 * The schema allows 5,000 nodes and 10,000 edges; a graph at that limit must validate and run.
 * Every walk over the graph is iterative: a recursive one overflowed the stack on a 4,999-node
 * chain, and the browser's and Next.js's stacks may be smaller than the test runner's.
 */

const MAX_NODES = 5_000;

/** Settings that make each kind schema-valid and runnable in a chain. */
const DATA: Partial<Record<NodeKind, Record<string, unknown>>> = {
  tool: { tool: "run_code", arguments: '{"code":"1"}' },
  condition: { expression: 'previous != "stop"' },
};

function nodeOf(kind: NodeKind, id: string, x = 0, y = 0): GraphNode {
  const node = createNode(kind, id, { x, y });
  return { ...node, data: { ...node.data, ...DATA[kind] } } as GraphNode;
}

function edge(source: string, target: string, sourceHandle: string | null = null): GraphEdge {
  return { id: `${source}->${target}`, source, target, sourceHandle, targetHandle: null };
}

/** `trigger → middle… → output`, each node linked to the next (a condition through "true"). */
function chain(middle: readonly NodeKind[]): Graph {
  const nodes = (["trigger", ...middle, "output"] as NodeKind[]).map((kind, index) => nodeOf(kind, `n${index}`, index * 280));
  const edges = nodes.slice(1).map((node, index) => {
    const source = nodes[index] as GraphNode;
    return edge(source.id, node.id, source.type === "condition" ? "true" : null);
  });
  // Parsing proves the graph is one the API would store.
  return graphSchema.parse({ nodes, edges });
}

const mixedKinds = (length: number) => Array.from({ length }, (_, index) => (["agent", "condition", "tool"] as const)[index % 3] as NodeKind);

/** `trigger → parallel → branches × tool → join → output`. */
function fanOut(branches: number): Graph {
  const nodes = [nodeOf("trigger", "trigger"), nodeOf("parallel", "fork")];
  const edges = [edge("trigger", "fork")];
  for (let index = 0; index < branches; index += 1) {
    nodes.push(nodeOf("tool", `b${index}`, 560, index * 120));
    edges.push(edge("fork", `b${index}`), edge(`b${index}`, "join"));
  }
  nodes.push(nodeOf("join", "join"), nodeOf("output", "out"));
  edges.push(edge("join", "out"));
  return graphSchema.parse({ nodes, edges });
}

/** `trigger → loop ⇄ (body chain of tools)`, then `loop —done→ join → output`. */
function loopOverChain(bodyLength: number, maxIterations: number): Graph {
  const loop = createNode("loop", "loop", { x: 280, y: 0 });
  const nodes = [nodeOf("trigger", "trigger"), { ...loop, data: { ...loop.data, maxIterations } } as GraphNode];
  const edges = [edge("trigger", "loop")];
  for (let index = 0; index < bodyLength; index += 1) {
    nodes.push(nodeOf("tool", `b${index}`, 560 + index * 280));
    edges.push(index === 0 ? edge("loop", "b0", "body") : edge(`b${index - 1}`, `b${index}`));
  }
  edges.push(edge(`b${bodyLength - 1}`, "loop"));
  nodes.push(nodeOf("join", "after"), nodeOf("output", "out"));
  edges.push(edge("loop", "after", "done"), edge("after", "out"));
  return graphSchema.parse({ nodes, edges });
}

function errorsOf(graph: Graph) {
  return validateGraph(graph).filter((problem) => problem.severity === "error");
}

/** Drives a run to its end the way the worker does: every effect's result is fed back through step. */
function runToEnd(graph: Graph): TestRun {
  const run = new TestRun(graph);
  run.apply({ type: "run_started", input: { topic: "x" } });
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

/** The fastest of a few runs: the first pays for JIT compilation, and CI machines are noisy. */
function fastestMs(work: () => unknown): number {
  let fastest = Infinity;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const start = performance.now();
    work();
    fastest = Math.min(fastest, performance.now() - start);
  }
  return fastest;
}

describe("validating a graph at the schema's size limit", () => {
  it("accepts a 4,999-node chain of tool nodes, well within 100 ms", () => {
    const graph = chain(Array<NodeKind>(MAX_NODES - 3).fill("tool"));
    expect(graph.nodes).toHaveLength(4_999);
    expect(validateGraph(graph)).toEqual([]);
    // About 10 ms on a laptop; the bound only catches a quadratic walk coming back.
    expect(fastestMs(() => validateGraph(graph))).toBeLessThan(100);
  });

  it("accepts 5,000-node chains of agents, and of agents, conditions and tools", () => {
    const agents = chain(Array<NodeKind>(MAX_NODES - 2).fill("agent"));
    const mixed = chain(mixedKinds(MAX_NODES - 2));
    expect([agents.nodes.length, mixed.nodes.length]).toEqual([MAX_NODES, MAX_NODES]);
    expect(errorsOf(agents)).toEqual([]);
    expect(errorsOf(mixed)).toEqual([]);
  });

  it("finds a cycle that closes at the far end of a 5,000-node chain", () => {
    const graph = chain(Array<NodeKind>(MAX_NODES - 2).fill("tool"));
    graph.edges.push(edge("n4998", "n1"));
    expect(errorsOf(graph).map((problem) => `${problem.code}@${problem.nodeId}`)).toEqual(["cycle@n1"]);
  });

  it("accepts a fan-out of 4,996 branches (9,993 edges) in well within 100 ms", () => {
    const graph = fanOut(MAX_NODES - 4);
    expect(graph.nodes).toHaveLength(MAX_NODES);
    expect(errorsOf(graph)).toEqual([]);
    expect(fastestMs(() => validateGraph(graph))).toBeLessThan(100);
  });

  it("accepts a loop whose body is a 4,996-node chain, and finds the whole body", () => {
    const graph = loopOverChain(MAX_NODES - 4, 2);
    expect(graph.nodes).toHaveLength(MAX_NODES);
    expect(errorsOf(graph)).toEqual([]);
    const shape = loopShape(graph, "loop");
    expect(shape.body.size).toBe(MAX_NODES - 4);
    expect(shape.backEdges.map((back) => back.id)).toEqual(["b4995->loop"]);
  });
});

describe("running a long graph", () => {
  // decide and step never recurse over the graph, but each step copies the run's node map,
  // so a run costs O(nodes²): this one takes seconds, the smaller ones below far less.
  it("runs a 5,000-node chain of agents, conditions and tools to the end", { timeout: 180_000 }, () => {
    const middle = mixedKinds(MAX_NODES - 2);
    const run = runToEnd(chain(middle));
    expect(run.state.status).toBe("succeeded");
    expect(Object.values(run.state.nodes).every((node) => node.status === "succeeded")).toBe(true);
    expect(run.state.usage.modelCalls).toBe(middle.filter((kind) => kind === "agent").length);
  });

  it("runs a fan-out: every branch starts in one step and the join waits for all", { timeout: 60_000 }, () => {
    const run = runToEnd(fanOut(1_000));
    expect(run.state.status).toBe("succeeded");
    expect(Object.keys(run.state.output as Record<string, unknown>)).toHaveLength(1_000);
  });

  it("runs a loop over a long body twice, resetting the whole body", { timeout: 60_000 }, () => {
    const run = runToEnd(loopOverChain(1_000, 2));
    expect(run.state.status).toBe("succeeded");
    expect(run.state.nodes.loop?.iteration).toBe(2);
    const resets = run.log.flatMap((event) => (event.type === "loop_iteration" ? [event.resetNodeIds?.length ?? 0] : []));
    expect(resets).toEqual([0, 1_000]);
  });
});
