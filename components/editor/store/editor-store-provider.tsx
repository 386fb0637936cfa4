"use client";

import { createContext, useContext, useState, type ReactNode } from "react";
import { useStore } from "zustand";
import { createEditorStore, type EditorInit, type EditorStore } from "./editor-store";
import type { EditorState } from "./types";

const EditorStoreContext = createContext<EditorStore | null>(null);

/** Creates the store once per mount; remount (change `key`) to load another workflow or run. */
export function EditorStoreProvider({ init, children }: { init: () => EditorInit; children: ReactNode }) {
  const [store] = useState(() => createEditorStore(init()));
  return <EditorStoreContext.Provider value={store}>{children}</EditorStoreContext.Provider>;
}

export function useEditorStoreApi(): EditorStore {
  const store = useContext(EditorStoreContext);
  if (!store) throw new Error("useEditorStore must be used inside <EditorStoreProvider>");
  return store;
}

/** Subscribes to one slice of the editor state; pass a module-level selector so it is stable. */
export function useEditorStore<T>(selector: (state: EditorState) => T): T {
  return useStore(useEditorStoreApi(), selector);
}
