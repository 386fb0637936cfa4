import { describe, expect, it } from "vitest";
import { enclosingForEachIds, upstreamNodeIds } from "./upstream-nodes";

const node = (id: string, type = "agent") => ({ id, type });
const edge = (source: string, target: string, sourceHandle: string | null = null) => ({ source, target, sourceHandle });

describe("upstreamNodeIds", () => {
  it("offers the nodes before the one being edited, never those after it", () => {
    const graph = {
      nodes: [node("t", "trigger"), node("a"), node("b"), node("c"), node("o", "output")],
      edges: [edge("t", "a"), edge("a", "b"), edge("b", "c"), edge("c", "o")],
    };
    expect(upstreamNodeIds(graph, "b")).toEqual(["t", "a"]);
    expect(upstreamNodeIds(graph, "a")).toEqual(["t"]);
    expect(upstreamNodeIds(graph, "o")).toEqual(["t", "a", "b", "c"]);
  });

  it("leaves out a parallel branch that does not lead to the node", () => {
    const graph = {
      nodes: [node("t", "trigger"), node("p", "parallel"), node("left"), node("right"), node("j", "join"), node("after")],
      edges: [edge("t", "p"), edge("p", "left"), edge("p", "right"), edge("left", "j"), edge("right", "j"), edge("j", "after")],
    };
    expect(upstreamNodeIds(graph, "left")).toEqual(["t", "p"]);
    expect(upstreamNodeIds(graph, "after")).toEqual(["t", "p", "left", "right", "j"]);
  });

  it("inside a loop body, does not follow the back edge to the nodes later in the body", () => {
    const graph = {
      nodes: [node("t", "trigger"), node("l", "loop"), node("draft"), node("review"), node("done")],
      edges: [edge("t", "l"), edge("l", "draft", "body"), edge("draft", "review"), edge("review", "l"), edge("l", "done", "done")],
    };
    expect(upstreamNodeIds(graph, "draft")).toEqual(["t", "l"]);
    expect(upstreamNodeIds(graph, "review")).toEqual(["t", "l", "draft"]);
    // After the loop the whole body has run.
    expect(upstreamNodeIds(graph, "done")).toEqual(["t", "l", "draft", "review"]);
  });

  it("inside a for-each body, offers the nodes before the for-each but not the for-each; after it, not the body", () => {
    const graph = {
      nodes: [node("t", "trigger"), node("split"), node("f", "for_each"), node("draft"), node("review"), node("summary")],
      edges: [edge("t", "split"), edge("split", "f"), edge("f", "draft", "item"), edge("draft", "review"), edge("review", "f"), edge("f", "summary", "done")],
    };
    expect(upstreamNodeIds(graph, "draft")).toEqual(["t", "split"]);
    expect(upstreamNodeIds(graph, "review")).toEqual(["t", "split", "draft"]);
    // The items ran as runs of their own: after the for-each only its own output (the results) is here.
    expect(upstreamNodeIds(graph, "summary")).toEqual(["t", "split", "f"]);
    // Nor can the for-each's own list read its body (the back edge comes into it).
    expect(upstreamNodeIds(graph, "f")).toEqual(["t", "split"]);
    expect(enclosingForEachIds(graph, "review")).toEqual(["f"]);
    expect(enclosingForEachIds(graph, "summary")).toEqual([]);
  });

  it("is empty for an unconnected node and survives cycles", () => {
    const graph = { nodes: [node("a"), node("b"), node("lonely")], edges: [edge("a", "b"), edge("b", "a")] };
    expect(upstreamNodeIds(graph, "lonely")).toEqual([]);
    expect(upstreamNodeIds(graph, "a")).toEqual(["b"]);
  });
});
