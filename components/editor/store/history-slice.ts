import { redo, undo } from "../commands";
import { commitDoc, docOf } from "./doc";
import type { HistorySlice, SliceCreator } from "./types";

export const createHistorySlice: SliceCreator<HistorySlice> = (set, get) => ({
  past: [],
  future: [],
  lastCoalesceKey: null,
  undo() {
    const state = get();
    if (state.readOnly) return;
    const doc = docOf(state);
    const next = undo(doc);
    if (next !== doc) set(commitDoc(state, next, "structural"));
  },
  redo() {
    const state = get();
    if (state.readOnly) return;
    const doc = docOf(state);
    const next = redo(doc);
    if (next !== doc) set(commitDoc(state, next, "structural"));
  },
});
