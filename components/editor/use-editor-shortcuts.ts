"use client";

import { useEffect } from "react";
import { copySelection } from "./commands";
import { readClipboard, writeClipboard } from "./clipboard";
import { useEditorStoreApi } from "./store/editor-store-provider";

function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target.closest("input, textarea, select") !== null;
}

/** The user selected text on the page (a run's output): Ctrl+C copies that, not nodes. */
function hasTextSelection(): boolean {
  const selection = window.getSelection();
  return selection !== null && !selection.isCollapsed && selection.toString().trim() !== "";
}

/**
 * Ctrl/Cmd+Z undo, Shift+Ctrl/Cmd+Z (or Ctrl+Y) redo, Ctrl/Cmd+S save, Ctrl/Cmd+C/V copy and
 * paste nodes (with the edges between them), Ctrl/Cmd+D duplicate. Inside text fields these
 * stay the browser's own text editing. Delete/Backspace is React Flow's (off when read-only).
 */
export function useEditorShortcuts(save: () => Promise<boolean>) {
  const store = useEditorStoreApi();
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
      const key = event.key.toLowerCase();
      // Read-only, copying is the only shortcut that does something; the others keep the
      // browser's meaning instead of being swallowed by actions the store would refuse.
      if (store.getState().readOnly && key !== "c") return;
      if (key === "s") {
        event.preventDefault();
        void save();
        return;
      }
      if (isTextEntry(event.target)) return;
      const state = store.getState();
      switch (key) {
        case "z":
          event.preventDefault();
          if (event.shiftKey) state.redo();
          else state.undo();
          break;
        case "y":
          event.preventDefault();
          state.redo();
          break;
        case "c": {
          if (hasTextSelection()) return;
          const payload = copySelection(state);
          if (!payload) return;
          event.preventDefault();
          void writeClipboard(payload);
          break;
        }
        case "v":
          event.preventDefault();
          void readClipboard().then((payload) => {
            if (payload) store.getState().paste(payload);
          });
          break;
        case "d":
          // Also keeps the browser from bookmarking the page.
          event.preventDefault();
          state.duplicateSelection();
          break;
      }
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [store, save]);
}
