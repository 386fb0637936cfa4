"use client";

import { useCallback, useState } from "react";

/** Copies `value` to the clipboard; `copied` is true for a moment after, for a tick icon. */
export function useCopy(value: string): { copied: boolean; copy: () => Promise<void> } {
  const [copied, setCopied] = useState(false);
  const copy = useCallback(async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // Clipboard access can be refused (insecure origin); the text stays selectable.
    }
  }, [value]);
  return { copied, copy };
}
