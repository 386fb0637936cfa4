import { describe, expect, it } from "vitest";
import { layeredPositions, plainLayers } from "./auto-layout";
import type { FlowGraph } from "./types";

function chain(length: number): FlowGraph {
  const nodes = Array.from({ length }, (_, i) => ({ id: `n${i}`, type: "tool", position: { x: 0, y: 0 }, data: {} }));
  const edges = nodes.slice(1).map((node, i) => ({ id: `e${i}`, source: `n${i}`, target: node.id }));
  return { nodes, edges } as unknown as FlowGraph;
}

describe("auto-layout of big graphs", () => {
  it("lays out a 5,000-node chain left to right without overflowing the stack", () => {
    const positions = layeredPositions(chain(5_000));
    expect(positions.size).toBe(5_000);
    const xs = Array.from({ length: 5_000 }, (_, i) => positions.get(`n${i}`)?.x ?? Number.NaN);
    expect(xs.every((x, i) => i === 0 || x > (xs[i - 1] as number))).toBe(true);
  });

  it("ranks by the longest path and survives a cycle", () => {
    const graph = {
      nodes: ["a", "b", "c", "d"].map((id, i) => ({ id, type: "tool", position: { x: 0, y: i }, data: {} })),
      edges: [
        { id: "1", source: "a", target: "b" },
        { id: "2", source: "b", target: "c" },
        { id: "3", source: "a", target: "c" },
        { id: "4", source: "c", target: "d" },
        { id: "5", source: "d", target: "c" },
      ],
    } as unknown as FlowGraph;
    const positions = plainLayers(graph);
    const x = (id: string) => positions.get(id)?.x ?? Number.NaN;
    expect(x("a")).toBeLessThan(x("b"));
    expect(x("b")).toBeLessThan(x("c"));
    expect(positions.size).toBe(4);
  });
});
