import { describe, expect, it } from "vitest";
import { buildGraph } from "@/server/engine/test-helpers";
import { validateGraph } from "@/server/engine/validate";
import { emptyHistory, execute, updateNodeData, type EditorDoc } from "./commands";
import { flowToGraph, graphToFlow } from "./graph-convert";

function routerDoc(): EditorDoc {
  const graph = buildGraph(
    [
      ["trigger", "trigger"],
      ["route", "router", { branches: [{ name: "a", description: "" }, { name: "b", description: "" }, { name: "c", description: "" }], defaultBranch: "c" }],
      ["outA", "output"],
      ["outB", "output"],
      ["outC", "output"],
    ],
    [
      ["trigger", "route"],
      ["route", "outA", "a"],
      ["route", "outB", "b"],
      ["route", "outC", "c"],
    ],
  );
  return { graph: graphToFlow(graph), history: emptyHistory() };
}

const handles = (doc: EditorDoc) => doc.graph.edges.filter((edge) => edge.source === "route").map((edge) => `${edge.sourceHandle}->${edge.target}`);

describe("a router's branches and its connections", () => {
  it("keeps a renamed branch connected, letter by letter, even through an empty name", () => {
    let doc = routerDoc();
    for (const name of ["", "d", "desk"]) {
      doc = execute(doc, updateNodeData, "route", { branches: [{ name: "a", description: "" }, { name: "b", description: "" }, { name, description: "" }], defaultBranch: name });
    }
    expect(handles(doc)).toEqual(["a->outA", "b->outB", "desk->outC"]);
    expect(validateGraph(flowToGraph(doc.graph)).filter((problem) => problem.severity === "error")).toEqual([]);
  });

  it("drops the connections of a removed branch, and leaves other nodes' edges alone", () => {
    const doc = execute(routerDoc(), updateNodeData, "route", { branches: [{ name: "a", description: "" }, { name: "c", description: "" }] });
    expect(handles(doc)).toEqual(["a->outA", "c->outC"]);
    expect(doc.graph.edges.some((edge) => edge.source === "trigger")).toBe(true);
  });
});
