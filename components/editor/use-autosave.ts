"use client";

import { useEffect } from "react";
import { useEditorStoreApi } from "./store/editor-store-provider";

/** Quiet time after the last edit before the draft is saved: long enough that typing or a drag is one save. */
export const AUTOSAVE_DELAY_MS = 1_000;

/**
 * Saves the draft once edits have paused. A conflict stops autosaving until the person
 * chooses (reload theirs or overwrite with mine): nothing is overwritten silently. Other
 * failures (network) are retried by the next edit.
 */
export function useAutosave(save: () => Promise<boolean>, delayMs = AUTOSAVE_DELAY_MS) {
  const store = useEditorStoreApi();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void save(), delayMs);
    };
    const unsubscribe = store.subscribe((state, prev) => {
      if (state.readOnly || state.editCount === state.savedEditCount) return;
      if (state.save.status === "error" && state.save.conflict) return;
      const edited = state.editCount !== prev.editCount;
      // Edits made while a save was in flight are still unsaved when it finishes.
      const saveFinished = prev.save.status === "saving" && state.save.status === "idle";
      if (edited || saveFinished) schedule();
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [store, save, delayMs]);
}
