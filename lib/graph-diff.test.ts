import { describe, expect, it } from "vitest";
import { createNode, starterGraph, type Graph, type GraphNode } from "@/server/engine/graph";
import { describeEdgeDiff, describeFieldChange, describeNodeDiff, diffGraphs, isEmptyDiff, jsonEqual } from "./graph-diff";

function withAgent(graph: Graph, patch: Record<string, unknown>): Graph {
  return {
    ...graph,
    nodes: graph.nodes.map((node) => (node.id === "agent_1" ? ({ ...node, data: { ...node.data, ...patch } } as GraphNode) : node)),
  };
}

describe("diffGraphs", () => {
  const v1 = withAgent(starterGraph(), { label: "Writer", model: "gpt-4o" });

  it("finds nothing between equal graphs, whatever the key order", () => {
    const reordered = JSON.parse(JSON.stringify(v1, (_key, value: unknown) => (value && typeof value === "object" && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).reverse()) : value))) as Graph;
    const diff = diffGraphs(v1, reordered);
    expect(isEmptyDiff(diff)).toBe(true);
    expect(diff.summary).toEqual({ addedNodes: 0, removedNodes: 0, changedNodes: 0, movedNodes: 0, addedEdges: 0, removedEdges: 0 });
  });

  it("lists the changed fields of a node, with short values inline and long ones as 'changed'", () => {
    const v2 = withAgent(v1, { model: "gpt-4o-mini", systemPrompt: "You write release notes.\nKeep them short." });
    const diff = diffGraphs(v1, v2);
    expect(diff.nodes).toHaveLength(1);
    const [agent] = diff.nodes;
    expect(agent).toMatchObject({ status: "changed", id: "agent_1", label: "Writer", moved: false });
    expect(describeNodeDiff(agent!)).toBe("Agent 'Writer': model gpt-4o → gpt-4o-mini, systemPrompt changed");
    expect(diff.summary.changedNodes).toBe(1);
  });

  it("marks added and removed nodes and edges; a reconnected edge is one removed and one added", () => {
    const join = createNode("join", "join_1", { x: 400, y: 300 });
    const v2: Graph = {
      ...v1,
      nodes: [...v1.nodes.filter((node) => node.id !== "output"), join],
      edges: [{ id: "e-new", source: "agent_1", target: "join_1", sourceHandle: null, targetHandle: null }, ...v1.edges.filter((edge) => edge.target !== "output")],
    };
    const diff = diffGraphs(v1, v2);
    expect(diff.nodes.map((node) => [node.status, node.id])).toEqual([
      ["added", "join_1"],
      ["removed", "output"],
    ]);
    expect(diff.edges.map((edge) => [edge.status, edge.source, edge.target])).toEqual([
      ["added", "agent_1", "join_1"],
      ["removed", "agent_1", "output"],
    ]);
    expect(describeEdgeDiff(diff.edges[0]!, v1, v2)).toBe("Agent 'Writer' → Join 'Join': added");
    expect(describeEdgeDiff(diff.edges[1]!, v1, v2)).toBe("Agent 'Writer' → Output 'Output': removed");
    expect(describeNodeDiff(diff.nodes[1]!)).toBe("Output 'Output': removed");
  });

  it("treats an edge with a new id but the same connection as unchanged, and names handles", () => {
    const renamedEdges: Graph = { ...v1, edges: v1.edges.map((edge) => ({ ...edge, id: `${edge.id}-copy` })) };
    expect(isEmptyDiff(diffGraphs(v1, renamedEdges))).toBe(true);
    const human = createNode("human", "review", { x: 0, y: 0 });
    const before: Graph = { ...v1, nodes: [...v1.nodes, human], edges: [...v1.edges, { id: "a", source: "review", sourceHandle: "approve", target: "output", targetHandle: null }] };
    const after: Graph = { ...before, edges: [...v1.edges, { id: "a", source: "review", sourceHandle: "reject", target: "output", targetHandle: null }] };
    const diff = diffGraphs(before, after);
    expect(diff.edges.map((edge) => describeEdgeDiff(edge, before, after))).toEqual(["Human approval 'Human approval' (reject) → Output 'Output': added", "Human approval 'Human approval' (approve) → Output 'Output': removed"]);
  });

  it("reports a position-only change as moved, not changed", () => {
    const moved: Graph = { ...v1, nodes: v1.nodes.map((node) => (node.id === "agent_1" ? { ...node, position: { x: 999, y: 1 } } : node)) };
    const diff = diffGraphs(v1, moved);
    expect(diff.nodes).toEqual([{ status: "moved", id: "agent_1", kind: "agent", label: "Writer" }]);
    expect(diff.summary).toMatchObject({ movedNodes: 1, changedNodes: 0 });
    const movedAndRenamed = withAgent(moved, { label: "Editor" });
    expect(describeNodeDiff(diffGraphs(v1, movedAndRenamed).nodes[0]!)).toBe("Agent 'Editor': label Writer → Editor, moved");
  });

  it("shows empty, missing and non-text values readably", () => {
    expect(describeFieldChange({ field: "model", from: "", to: "gpt-4o" })).toBe("model (empty) → gpt-4o");
    expect(describeFieldChange({ field: "temperature", from: 0.2, to: 0.7 })).toBe("temperature 0.2 → 0.7");
    expect(describeFieldChange({ field: "allowEdit", from: true, to: false })).toBe("allowEdit true → false");
    expect(describeFieldChange({ field: "allowedTools", from: [], to: ["http_request"] })).toBe("allowedTools changed");
    expect(describeFieldChange({ field: "note", from: undefined, to: "x" })).toBe("note (none) → x");
    expect(describeFieldChange({ field: "task", from: "a".repeat(41), to: "b" })).toBe("task changed");
  });

  it("compares JSON deeply", () => {
    expect(jsonEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(jsonEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toBe(false);
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(jsonEqual([1], { 0: 1 })).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
  });
});
