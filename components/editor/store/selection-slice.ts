import { execute, selectNode } from "../commands";
import { commitDoc, docOf, selectedIdOf } from "./doc";
import type { SelectionSlice, SliceCreator } from "./types";

export function createSelectionSlice(initialNodes: Parameters<typeof selectedIdOf>[0]): SliceCreator<SelectionSlice> {
  return (set, get) => ({
    selectedNodeId: selectedIdOf(initialNodes),
    selectNode(nodeId) {
      const state = get();
      const doc = docOf(state);
      const next = execute(doc, selectNode, nodeId);
      if (next !== doc) set(commitDoc(state, next, "view"));
    },
  });
}
