"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { useEditorStoreApi } from "./store/editor-store-provider";
import type { EditorState } from "./store/types";

const hasUnsavedWork = (s: EditorState) => s.editCount !== s.savedEditCount || s.save.status === "saving";

/** A plain left click on a same-origin link to another page, which Next would turn into a client navigation. */
function inAppDestination(event: MouseEvent): string | null {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return null;
  const anchor = event.target instanceof Element ? event.target.closest("a[href]") : null;
  if (!(anchor instanceof HTMLAnchorElement) || anchor.hasAttribute("download") || (anchor.target && anchor.target !== "_self")) return null;
  const url = new URL(anchor.href, window.location.href);
  if (url.origin !== window.location.origin) return null; // a full page load: beforeunload asks
  if (url.pathname === window.location.pathname && url.search === window.location.search) return null;
  return `${url.pathname}${url.search}${url.hash}`;
}

/**
 * Warns before leaving with unsaved changes: the browser's own prompt when the page unloads,
 * and a dialog for in-app links (the App Router has no navigation events to veto, so link
 * clicks are caught before Next's <Link> sees them).
 */
export function LeaveGuard({ save }: { save: () => Promise<boolean> }) {
  const store = useEditorStoreApi();
  const router = useRouter();
  const [pending, setPending] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      if (!hasUnsavedWork(store.getState())) return;
      event.preventDefault();
      // Older Chromium needs returnValue set to show the prompt.
      event.returnValue = "";
    };
    const onClick = (event: MouseEvent) => {
      if (!hasUnsavedWork(store.getState())) return;
      const destination = inAppDestination(event);
      if (!destination) return;
      event.preventDefault();
      event.stopPropagation();
      setPending(destination);
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    // Capture phase on document runs before React's listeners on the root.
    document.addEventListener("click", onClick, true);
    return () => {
      window.removeEventListener("beforeunload", onBeforeUnload);
      document.removeEventListener("click", onClick, true);
    };
  }, [store]);

  if (pending === null) return null;
  const conflict = store.getState().save.status === "error";
  const leave = () => {
    setPending(null);
    router.push(pending);
  };
  const saveAndLeave = async () => {
    setSaving(true);
    const saved = await save();
    setSaving(false);
    if (saved) leave();
    else setPending(null); // the save banner says why
  };

  return (
    <ConfirmDialog
      title="Leave without saving?"
      onCancel={() => setPending(null)}
      actions={
        <>
          <Button onClick={() => setPending(null)}>Stay</Button>
          <Button variant="danger" onClick={leave}>
            Discard changes
          </Button>
          {!conflict && (
            <Button variant="primary" onClick={() => void saveAndLeave()} disabled={saving}>
              {saving ? "Saving…" : "Save and leave"}
            </Button>
          )}
        </>
      }
    >
      <p data-testid="leave-warning">
        {conflict
          ? "Your latest changes could not be saved: this workflow was changed elsewhere. Leaving discards them."
          : "Your latest changes are not saved yet."}
      </p>
    </ConfirmDialog>
  );
}
