import { describe, expect, it } from "vitest";
import { starterGraph } from "@/server/engine/graph";
import { validateGraph } from "@/server/engine/validate";
import {
  addNode,
  autoLayout,
  checkpoint,
  copySelection,
  duplicateSelection,
  moveNodes,
  PASTE_OFFSET,
  pasteNodes,
  renameReferences,
  connect,
  connectionProblem,
  deleteElements,
  emptyHistory,
  execute,
  HISTORY_LIMIT,
  nextNodeId,
  redo,
  selectNode,
  undo,
  updateNodeData,
  type EditorDoc,
} from "./commands";
import { layeredPositions } from "./auto-layout";
import { parseClipboard } from "./clipboard";
import { flowToGraph, graphToFlow } from "./graph-convert";
import type { FlowGraph } from "./types";

function starterDoc(): EditorDoc {
  return { graph: graphToFlow(starterGraph()), history: emptyHistory() };
}

function nodeIds(doc: EditorDoc): string[] {
  return doc.graph.nodes.map((node) => node.id);
}

describe("addNode", () => {
  it("adds a node of the kind with default settings, selected alone", () => {
    const doc = execute(starterDoc(), addNode, "human", { x: 40, y: 80 });
    const added = doc.graph.nodes.at(-1);
    expect(added).toMatchObject({ id: "human_1", type: "human", position: { x: 40, y: 80 }, selected: true });
    expect(added?.data).toMatchObject({ label: "Human approval", message: "Please review the previous step." });
    expect(doc.graph.nodes.filter((node) => node.selected)).toHaveLength(1);
  });

  it("applies preset settings over the kind's defaults", () => {
    const doc = execute(starterDoc(), addNode, "agent", { x: 0, y: 0 }, { data: { label: "Reviewer", maxSteps: 3 } });
    expect(doc.graph.nodes.at(-1)?.data).toMatchObject({ label: "Reviewer", maxSteps: 3, temperature: 0.2 });
  });

  it("never reuses an id that exists", () => {
    const once = execute(starterDoc(), addNode, "agent", { x: 0, y: 0 });
    // The starter graph already has agent_1.
    expect(once.graph.nodes.at(-1)?.id).toBe("agent_2");
    expect(nextNodeId(once.graph.nodes, "agent")).toBe("agent_3");
  });
});

describe("connect", () => {
  it("adds an edge with the source handle", () => {
    let doc = execute(starterDoc(), addNode, "human", { x: 0, y: 0 });
    doc = execute(doc, connect, { source: "human_1", sourceHandle: "approve", target: "output" });
    expect(doc.graph.edges.at(-1)).toMatchObject({ source: "human_1", sourceHandle: "approve", target: "output" });
  });

  it("refuses connections the engine would reject, without an undo step", () => {
    const doc = starterDoc();
    const cases = [
      { source: "agent_1", target: "agent_1" },
      { source: "agent_1", target: "trigger" },
      { source: "agent_1", target: "output" }, // already connected
      { source: "agent_1", sourceHandle: "approve", target: "output" }, // agents have no such output
    ];
    for (const connection of cases) {
      expect(connectionProblem(doc.graph, connection)).not.toBeNull();
      expect(execute(doc, connect, connection)).toBe(doc);
    }
  });
});

describe("deleteElements", () => {
  it("removes a node together with every edge touching it", () => {
    const doc = execute(starterDoc(), deleteElements, { nodeIds: ["agent_1"] });
    expect(nodeIds(doc)).toEqual(["trigger", "output"]);
    expect(doc.graph.edges).toEqual([]);
  });

  it("removes only the given edge when no node goes", () => {
    const doc = execute(starterDoc(), deleteElements, { edgeIds: ["e-agent_1-output"] });
    expect(doc.graph.nodes).toHaveLength(3);
    expect(doc.graph.edges.map((edge) => edge.id)).toEqual(["e-trigger-agent_1"]);
  });
});

describe("updateNodeData", () => {
  it("patches one node's data and keeps the other fields", () => {
    const start = starterDoc();
    const doc = execute(start, updateNodeData, "agent_1", { task: "Summarise {{input.topic}}" });
    const agent = doc.graph.nodes.find((node) => node.id === "agent_1");
    expect(agent?.data).toMatchObject({ task: "Summarise {{input.topic}}", label: "Agent", maxSteps: 8 });
    // Untouched nodes keep their identity, so their memoized components do not re-render.
    expect(doc.graph.nodes[0]).toBe(start.graph.nodes[0]);
    expect(doc.graph.edges).toBe(start.graph.edges);
  });

  it("leaves the graph object as is when nothing changes", () => {
    const doc = starterDoc();
    expect(execute(doc, updateNodeData, "agent_1", { label: "Agent" })).toBe(doc);
  });

  it("coalesces typing into one field into a single undo step", () => {
    let doc = starterDoc();
    for (const task of ["S", "Su", "Sum"]) doc = execute(doc, updateNodeData, "agent_1", { task });
    expect(doc.history.past).toHaveLength(1);
    doc = execute(doc, updateNodeData, "agent_1", { label: "Writer" });
    expect(doc.history.past).toHaveLength(2);
    doc = undo(undo(doc));
    expect(doc.graph.nodes.find((node) => node.id === "agent_1")?.data).toMatchObject({ task: "{{previous}}", label: "Agent" });
  });
});

describe("undo / redo", () => {
  it("undoes and redoes commands in order", () => {
    const start = starterDoc();
    let doc = execute(start, addNode, "tool", { x: 0, y: 0 });
    doc = execute(doc, connect, { source: "agent_1", target: "tool_1" });
    doc = execute(doc, deleteElements, { nodeIds: ["output"] });
    expect(nodeIds(doc)).toEqual(["trigger", "agent_1", "tool_1"]);

    doc = undo(doc);
    expect(nodeIds(doc)).toEqual(["trigger", "agent_1", "output", "tool_1"]);
    doc = undo(undo(doc));
    expect(doc.graph).toBe(start.graph);
    expect(undo(doc)).toBe(doc);

    doc = redo(redo(doc));
    expect(doc.graph.edges.map((edge) => edge.id)).toContain("e-agent_1-tool_1");
    doc = redo(doc);
    expect(nodeIds(doc)).toEqual(["trigger", "agent_1", "tool_1"]);
    expect(redo(doc)).toBe(doc);
  });

  it("drops the redo stack when a new command runs", () => {
    let doc = execute(starterDoc(), addNode, "tool", { x: 0, y: 0 });
    doc = undo(doc);
    doc = execute(doc, addNode, "loop", { x: 0, y: 0 });
    expect(doc.history.future).toEqual([]);
    expect(redo(doc)).toBe(doc);
  });

  it("treats a checkpoint plus the changes after it as one step (a whole drag)", () => {
    const start = starterDoc();
    let doc = checkpoint(start);
    for (let x = 1; x <= 5; x++) {
      doc = {
        ...doc,
        graph: { ...doc.graph, nodes: doc.graph.nodes.map((node) => (node.id === "agent_1" ? { ...node, position: { x, y: 0 } } : node)) },
      };
    }
    doc = undo(doc);
    expect(doc.graph.nodes.find((node) => node.id === "agent_1")?.position).toEqual({ x: 280, y: 120 });
    expect(doc.history.past).toEqual([]);
  });

  it("does not record selection", () => {
    const doc = execute(starterDoc(), selectNode, "output");
    expect(doc.history.past).toEqual([]);
    expect(doc.graph.nodes.filter((node) => node.selected).map((node) => node.id)).toEqual(["output"]);
  });

  it("keeps at most HISTORY_LIMIT steps", () => {
    let doc = starterDoc();
    for (let i = 0; i < HISTORY_LIMIT + 10; i++) doc = execute(doc, addNode, "join", { x: i, y: 0 });
    expect(doc.history.past).toHaveLength(HISTORY_LIMIT);
  });
});

describe("graph conversion", () => {
  it("round-trips the engine graph and drops React Flow view state", () => {
    const graph = starterGraph();
    const flow = execute({ graph: graphToFlow(graph), history: emptyHistory() }, selectNode, "agent_1").graph;
    const back = flowToGraph(flow);
    expect(back).toEqual(graph);
    expect(back.nodes.some((node) => "selected" in node)).toBe(false);
    expect(validateGraph(back)).toEqual(validateGraph(graph));
  });
});

function selectOnly(doc: EditorDoc, ids: string[]): EditorDoc {
  const wanted = new Set(ids);
  return { ...doc, graph: { ...doc.graph, nodes: doc.graph.nodes.map((node) => ({ ...node, selected: wanted.has(node.id) })) } };
}

function positionOf(graph: FlowGraph, id: string) {
  return graph.nodes.find((node) => node.id === id)?.position;
}

describe("copy / paste / duplicate", () => {
  it("copies the selected nodes with only the edges between them, without view state", () => {
    const doc = selectOnly(starterDoc(), ["agent_1", "output"]);
    const payload = copySelection(doc.graph);
    expect(payload?.format).toBe("agentflow.clipboard");
    expect(payload?.nodes.map((node) => node.id)).toEqual(["agent_1", "output"]);
    expect(payload?.edges.map((edge) => edge.id)).toEqual(["e-agent_1-output"]);
    expect(payload?.nodes.some((node) => "selected" in node)).toBe(false);
    expect(copySelection(starterDoc().graph)).toBeNull();
  });

  it("pastes with new ids, remapped edges and an offset, selecting only the copies, as one undo step", () => {
    const start = selectOnly(starterDoc(), ["agent_1", "output"]);
    const payload = copySelection(start.graph);
    if (!payload) throw new Error("nothing copied");
    const doc = execute(start, pasteNodes, payload);
    expect(nodeIds(doc)).toEqual(["trigger", "agent_1", "output", "agent_2", "output_1"]);
    expect(doc.graph.edges.at(-1)).toMatchObject({ id: "e-agent_2-output_1", source: "agent_2", target: "output_1" });
    expect(positionOf(doc.graph, "agent_2")).toEqual({ x: 280 + PASTE_OFFSET, y: 120 + PASTE_OFFSET });
    expect(doc.graph.nodes.filter((node) => node.selected).map((node) => node.id)).toEqual(["agent_2", "output_1"]);
    expect(doc.history.past).toHaveLength(1);
    expect(undo(doc).graph).toBe(start.graph);
    expect(new Set(nodeIds(doc)).size).toBe(doc.graph.nodes.length);
    expect(new Set(doc.graph.edges.map((edge) => edge.id)).size).toBe(doc.graph.edges.length);
  });

  it("moves repeated pastes further instead of stacking them on the same spot", () => {
    const start = selectOnly(starterDoc(), ["agent_1"]);
    const payload = copySelection(start.graph);
    if (!payload) throw new Error("nothing copied");
    const twice = execute(execute(start, pasteNodes, payload), pasteNodes, payload);
    expect(positionOf(twice.graph, "agent_2")).toEqual({ x: 280 + PASTE_OFFSET, y: 120 + PASTE_OFFSET });
    expect(positionOf(twice.graph, "agent_3")).toEqual({ x: 280 + 2 * PASTE_OFFSET, y: 120 + 2 * PASTE_OFFSET });
  });

  it("keeps references between pasted nodes pointing at the copies", () => {
    let start = execute(starterDoc(), updateNodeData, "output", { template: "Result: {{nodes.agent_1.output}} for {{input.topic}}" });
    start = selectOnly(start, ["agent_1", "output"]);
    const payload = copySelection(start.graph);
    if (!payload) throw new Error("nothing copied");
    const doc = execute(start, pasteNodes, payload);
    expect(doc.graph.nodes.find((node) => node.id === "output_1")?.data).toMatchObject({ template: "Result: {{nodes.agent_2.output}} for {{input.topic}}" });
    // The original is untouched.
    expect(doc.graph.nodes.find((node) => node.id === "output")?.data).toMatchObject({ template: "Result: {{nodes.agent_1.output}} for {{input.topic}}" });
  });

  it("renames only whole node references", () => {
    const renamed = new Map([["agent_1", "agent_2"]]);
    expect(renameReferences("len(nodes.agent_1.output) > 0 && nodes.agent_10.output", renamed)).toBe("len(nodes.agent_2.output) > 0 && nodes.agent_10.output");
    expect(renameReferences("{{ nodes.agent_1.output }} mynodes.agent_1 x.nodes.agent_1", renamed)).toBe("{{ nodes.agent_2.output }} mynodes.agent_1 x.nodes.agent_1");
  });

  it("leaves a copied trigger out of a graph that already has one", () => {
    const start = selectOnly(starterDoc(), ["trigger", "agent_1"]);
    const payload = copySelection(start.graph);
    if (!payload) throw new Error("nothing copied");
    const doc = execute(start, pasteNodes, payload);
    expect(nodeIds(doc)).toEqual(["trigger", "agent_1", "output", "agent_2"]);
    // The edge from the left-out trigger goes too.
    expect(doc.graph.edges).toHaveLength(2);
  });

  it("pastes into another workflow through the clipboard text", () => {
    const payload = copySelection(selectOnly(starterDoc(), ["agent_1", "output"]).graph);
    const parsed = parseClipboard(JSON.stringify(payload));
    if (!parsed) throw new Error("payload did not round-trip");
    const other: EditorDoc = { graph: { nodes: [], edges: [] }, history: emptyHistory() };
    const doc = execute(other, pasteNodes, parsed);
    expect(nodeIds(doc)).toEqual(["agent_1", "output_1"]);
    expect(doc.graph.edges.map((edge) => [edge.source, edge.target])).toEqual([["agent_1", "output_1"]]);
  });

  it("refuses clipboard text that is not a valid payload", () => {
    expect(parseClipboard("hello")).toBeNull();
    expect(parseClipboard(JSON.stringify({ format: "agentflow.clipboard", nodes: [], edges: [] }))).toBeNull();
    const payload = copySelection(selectOnly(starterDoc(), ["agent_1"]).graph);
    const tampered = JSON.parse(JSON.stringify(payload));
    tampered.nodes[0].data.maxSteps = 1000;
    expect(parseClipboard(JSON.stringify(tampered))).toBeNull();
  });

  it("duplicates the selection in one step and is a no-op without one", () => {
    const start = selectOnly(starterDoc(), ["agent_1"]);
    const doc = execute(start, duplicateSelection);
    expect(nodeIds(doc)).toEqual(["trigger", "agent_1", "output", "agent_2"]);
    expect(doc.history.past).toHaveLength(1);
    const none = starterDoc();
    expect(execute(none, duplicateSelection)).toBe(none);
  });
});

describe("autoLayout", () => {
  it("lays the graph out left to right by dependency, on the grid, as one undo step", () => {
    let start = starterDoc();
    // Scramble: output left of the trigger, agent far below.
    start = execute(start, moveNodes, new Map([["output", { x: -500, y: 0 }], ["agent_1", { x: 0, y: 900 }]]));
    const doc = execute(start, autoLayout, layeredPositions);
    const x = (id: string) => positionOf(doc.graph, id)?.x ?? Number.NaN;
    const y = (id: string) => positionOf(doc.graph, id)?.y ?? Number.NaN;
    expect(x("trigger")).toBeLessThan(x("agent_1"));
    expect(x("agent_1")).toBeLessThan(x("output"));
    expect(y("trigger")).toBe(y("output"));
    for (const node of doc.graph.nodes) {
      expect(node.position.x % 16).toBe(0);
      expect(node.position.y % 16).toBe(0);
    }
    expect(doc.history.past).toHaveLength(start.history.past.length + 1);
    expect(undo(doc).graph).toBe(start.graph);
    // Already laid out: nothing to record.
    expect(execute(doc, autoLayout, layeredPositions)).toBe(doc);
  });
});

describe("moveNodes", () => {
  it("coalesces consecutive nudges of the same nodes into one step", () => {
    let doc = starterDoc();
    for (let x = 285; x <= 300; x += 5) doc = execute(doc, moveNodes, new Map([["agent_1", { x, y: 120 }]]));
    expect(doc.history.past).toHaveLength(1);
    expect(positionOf(undo(doc).graph, "agent_1")).toEqual({ x: 280, y: 120 });
  });
});
