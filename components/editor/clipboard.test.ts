import { describe, expect, it } from "vitest";
import { createNode, starterGraph } from "@/server/engine/graph";
import { validateGraph } from "@/server/engine/validate";
import { CLIPBOARD_FORMAT, copySelection, type ClipboardPayload } from "./commands";
import { withFreshLabels } from "./clipboard";
import { flowToGraph, graphToFlow } from "./graph-convert";
import { createEditorStore } from "./store/editor-store";

const NO_SERVICES = { respondToHuman: () => Promise.resolve() };

function payloadOf(...labels: string[]): ClipboardPayload {
  const nodes = labels.map((label, index) => {
    const node = createNode("agent", `agent_${index + 1}`, { x: 0, y: index * 100 });
    node.data.label = label;
    return node;
  });
  return { format: CLIPBOARD_FORMAT, nodes, edges: [] };
}

const labelsOf = (payload: ClipboardPayload) => payload.nodes.map((node) => node.data.label);

describe("withFreshLabels", () => {
  it("numbers a copy whose label is taken, with the first free number after the base name", () => {
    expect(labelsOf(withFreshLabels(payloadOf("Agent"), ["Trigger", "Agent"]))).toEqual(["Agent 2"]);
    expect(labelsOf(withFreshLabels(payloadOf("Agent"), ["Agent", "Agent 2"]))).toEqual(["Agent 3"]);
    // A copy of "Agent 2" is another Agent, not "Agent 2 2".
    expect(labelsOf(withFreshLabels(payloadOf("Agent 2"), ["Agent", "Agent 2"]))).toEqual(["Agent 3"]);
    expect(labelsOf(withFreshLabels(payloadOf("Summariser"), ["Summariser", "Agent 2"]))).toEqual(["Summariser 2"]);
  });

  it("keeps labels nobody uses and never gives two pasted nodes the same one", () => {
    expect(labelsOf(withFreshLabels(payloadOf("Writer"), ["Agent"]))).toEqual(["Writer"]);
    expect(labelsOf(withFreshLabels(payloadOf("Agent", "Agent"), ["Agent"]))).toEqual(["Agent 2", "Agent 3"]);
    expect(labelsOf(withFreshLabels(payloadOf("Agent", "Agent"), []))).toEqual(["Agent", "Agent 2"]);
  });

  it("stays within the schema's 120 characters", () => {
    const long = "x".repeat(120);
    const [label] = labelsOf(withFreshLabels(payloadOf(long), [long]));
    expect(label).toHaveLength(120);
    expect(label?.endsWith(" 2")).toBe(true);
  });
});

describe("paste and duplicate in the editor store", () => {
  function store() {
    return createEditorStore({ workflowId: "wf_1", name: "Flow", revision: 1, readOnly: false, services: NO_SERVICES, ...graphToFlow(starterGraph()) });
  }
  const agents = (s: ReturnType<typeof store>) => s.getState().nodes.filter((node) => node.type === "agent");

  it("pastes twice as Agent 2 and Agent 3, each at its own spot away from the original", () => {
    const editor = store();
    editor.getState().selectNode("agent_1");
    const payload = copySelection(editor.getState());
    if (!payload) throw new Error("agent_1 is selected");
    editor.getState().paste(payload);
    editor.getState().paste(payload);
    const [original, first, second] = agents(editor);
    expect([original?.data.label, first?.data.label, second?.data.label]).toEqual(["Agent", "Agent 2", "Agent 3"]);
    const spots = new Set(agents(editor).map((node) => `${node.position.x},${node.position.y}`));
    expect(spots.size).toBe(3);
    // The copies are not connected yet: the problems say which one by its own name.
    const messages = validateGraph(flowToGraph(editor.getState())).map((problem) => problem.message);
    expect(messages).toContain('Agent "Agent 2" is not connected to the Trigger');
    expect(messages).toContain('Agent "Agent 3" is not connected to the Trigger');
  });

  it("duplicates (Ctrl+D) with a fresh label too, and undoes in one step", () => {
    const editor = store();
    editor.getState().selectNode("agent_1");
    editor.getState().duplicateSelection();
    editor.getState().duplicateSelection();
    expect(agents(editor).map((node) => node.data.label)).toEqual(["Agent", "Agent 2", "Agent 3"]);
    expect(new Set(agents(editor).map((node) => `${node.position.x},${node.position.y}`)).size).toBe(3);
    editor.getState().undo();
    expect(agents(editor).map((node) => node.data.label)).toEqual(["Agent", "Agent 2"]);
  });
});
