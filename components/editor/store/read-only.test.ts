import { describe, expect, it } from "vitest";
import { starterGraph } from "@/server/engine/graph";
import { copySelection } from "../commands";
import { graphToFlow } from "../graph-convert";
import { createEditorStore } from "./editor-store";

const NO_SERVICES = { respondToHuman: () => Promise.resolve() };

function storeOf(readOnly: boolean) {
  return createEditorStore({ workflowId: "wf_1", name: "Flow", revision: 3, readOnly, services: NO_SERVICES, ...graphToFlow(starterGraph()) });
}

/** Every way the canvas, inspector, header and shortcuts change the document. */
async function tryEverything(store: ReturnType<typeof storeOf>) {
  const state = () => store.getState();
  const [first, second] = state().nodes;
  if (!first || !second) throw new Error("the starter graph has nodes");
  state().selectNode(first.id);
  const clipboard = copySelection(state());
  state().onNodeDragStart();
  state().onNodesChange([{ type: "position", id: first.id, position: { x: 999, y: 999 }, dragging: true }]);
  state().onNodeDragStop();
  state().onNodesChange([{ type: "position", id: first.id, position: { x: 500, y: 500 } }]);
  state().onNodesChange([{ type: "remove", id: second.id }]);
  const edge = state().edges[0];
  if (edge) state().onEdgesChange([{ type: "remove", id: edge.id }]);
  state().onConnect({ source: second.id, target: first.id, sourceHandle: null, targetHandle: null });
  await state().onBeforeDelete({ nodes: [first], edges: [] });
  if (clipboard) state().paste(clipboard);
  state().duplicateSelection();
  await state().autoLayout();
  state().addNode("agent", { x: 0, y: 0 });
  state().updateNodeData(first.id, { label: "Changed" });
  state().setName("Renamed");
  state().undo();
  state().redo();
  return clipboard;
}

describe("a read-only editor store", () => {
  it("refuses every edit, so the draft never becomes dirty and nothing is ever saved", async () => {
    const store = storeOf(true);
    const before = store.getState();
    const clipboard = await tryEverything(store);
    const after = store.getState();

    expect(after.editCount).toBe(0);
    expect(after.editCount).toBe(after.savedEditCount);
    expect(after.name).toBe("Flow");
    expect(after.edges).toEqual(before.edges);
    expect(after.nodes.map(({ id, position, data }) => ({ id, position, data }))).toEqual(
      before.nodes.map(({ id, position, data }) => ({ id, position, data })),
    );
    expect(after.past).toHaveLength(0);
    // Looking is not editing: selecting (for the inspector) and copying still work.
    expect(after.selectedNodeId).toBe(before.nodes[0]?.id);
    expect(clipboard?.nodes).toHaveLength(1);
  });

  it("is the only difference: the same actions on an editable store do change the draft", async () => {
    const store = storeOf(false);
    await tryEverything(store);
    expect(store.getState().editCount).toBeGreaterThan(0);
    expect(store.getState().name).toBe("Renamed");
  });
});
