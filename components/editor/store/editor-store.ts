import { createStore } from "zustand/vanilla";
import type { GraphProblem } from "@/server/engine/validate";
import { problemCountsOf, problemsOf } from "./doc";
import { createGraphSlice, type GraphInit } from "./graph-slice";
import { createHistorySlice } from "./history-slice";
import { createRunSlice } from "./run-slice";
import { createSelectionSlice } from "./selection-slice";
import type { EditorServices, EditorState, RunOverlay } from "./types";

export type EditorInit = GraphInit & {
  services: EditorServices;
  run?: RunOverlay;
  /** The server's validation of this same graph (workflow.get returns it): spares validating a large graph again on open. */
  problems?: GraphProblem[];
};

/** One store per editor instance (never a module-level singleton: pages and tests each get their own). */
export function createEditorStore({ services, run, problems, ...graph }: EditorInit) {
  return createStore<EditorState>()((...a) => ({
    ...createGraphSlice(graph)(...a),
    ...(problems ? problemCountsOf(problems) : problemsOf(graph.nodes, graph.edges)),
    ...createSelectionSlice(graph.nodes)(...a),
    ...createHistorySlice(...a),
    ...createRunSlice(services, run)(...a),
  }));
}

export type EditorStore = ReturnType<typeof createEditorStore>;
