"use client";

import { useEffect, useRef } from "react";

/**
 * A `<dialog>` shown modal once it is mounted: the browser traps focus in it, makes the page
 * behind inert and sends Escape as `cancel`. Returns the ref to put on the dialog.
 */
export function useModalDialog() {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return ref;
}
