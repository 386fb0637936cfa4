"use client";

import { useEffect, useState } from "react";
import { useModalDialog } from "./use-modal-dialog";

type Shortcut = { keys: string[][]; does: string };
type Section = { title: string; note?: string; shortcuts: Shortcut[] };

/** "Mod" is Ctrl, or ⌘ on a Mac: the editor's handlers accept either (use-editor-shortcuts.ts). */
const MOD = "Mod";

/**
 * The shortcuts that exist, read from their handlers: components/editor/use-editor-shortcuts.ts
 * (save, undo/redo, copy/paste/duplicate), the canvas's React Flow props in
 * components/editor/canvas.tsx (delete and multi-select keys; arrow keys move the selection),
 * the palette's Enter/Space, and the run input dialog's Ctrl+Enter. Keep this list in step
 * with them.
 */
const SECTIONS: Section[] = [
  {
    title: "Anywhere",
    shortcuts: [
      { keys: [["?"]], does: "Show these shortcuts" },
      { keys: [["Esc"]], does: "Close a dialog or this sheet" },
    ],
  },
  {
    title: "Workflow editor",
    note: "Not while typing in a field. In a read-only editor only copy works.",
    shortcuts: [
      { keys: [[MOD, "S"]], does: "Save the draft now" },
      { keys: [[MOD, "Z"]], does: "Undo" },
      { keys: [[MOD, "Shift", "Z"], [MOD, "Y"]], does: "Redo" },
      { keys: [[MOD, "C"]], does: "Copy the selected nodes (with the edges between them)" },
      { keys: [[MOD, "V"]], does: "Paste copied nodes" },
      { keys: [[MOD, "D"]], does: "Duplicate the selected nodes" },
      { keys: [["Delete"], ["Backspace"]], does: "Delete the selected nodes and edges" },
      { keys: [["↑", "↓", "←", "→"]], does: "Move the focused selected node (Shift: further)" },
      { keys: [["Shift", "click"], [MOD, "click"]], does: "Add to the selection" },
      { keys: [["Shift", "drag"]], does: "Select with a box on the canvas" },
      { keys: [["Double-click"]], does: "Open the node in the inspector (also when the side panel is folded)" },
      { keys: [["Enter"], ["Space"]], does: "Add the focused palette item to the canvas" },
    ],
  },
  {
    title: "Run input",
    shortcuts: [{ keys: [[MOD, "Enter"]], does: "Start the run (also from a text area)" }],
  },
];

function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target.closest("input, textarea, select, [contenteditable]") !== null;
}

function isMac(): boolean {
  return /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
}

/**
 * The help button of the top bar and the sheet it opens; `?` opens it too, on every page,
 * except while typing (then `?` is just a character).
 */
export function ShortcutsHelp() {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      // Ctrl+Alt is AltGr, which types "?" on some layouts; Ctrl or ⌘ alone would be another shortcut.
      if (event.key !== "?" || event.metaKey || (event.ctrlKey && !event.altKey) || event.defaultPrevented) return;
      if (isTextEntry(event.target)) return;
      event.preventDefault();
      setOpen(true);
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);
  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        aria-label="Keyboard shortcuts"
        title="Keyboard shortcuts (?)"
        aria-haspopup="dialog"
        className="grid size-7 place-items-center rounded-md border border-slate-200 text-xs font-semibold text-slate-500 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-accent-500"
      >
        ?
      </button>
      {open && <ShortcutsSheet onClose={() => setOpen(false)} />}
    </>
  );
}

function ShortcutsSheet({ onClose }: { onClose: () => void }) {
  const ref = useModalDialog();
  const [mod] = useState(() => (isMac() ? "⌘" : "Ctrl"));
  return (
    <dialog
      ref={ref}
      aria-labelledby="shortcuts-sheet-title"
      data-testid="shortcuts-sheet"
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      // Keys pressed here are the sheet's: the editor's window-level shortcuts must not act behind it.
      onKeyDown={(event) => event.stopPropagation()}
      onClick={(event) => {
        // A click on the backdrop lands on the dialog element itself.
        if (event.target === event.currentTarget) onClose();
      }}
      className="m-auto max-h-[min(46rem,calc(100%-2rem))] w-[min(34rem,calc(100%-2rem))] overflow-y-auto rounded-lg border border-slate-200 bg-white p-0 text-sm text-slate-700 shadow-xl backdrop:bg-slate-900/30"
    >
      <div className="sticky top-0 flex items-center justify-between border-b border-slate-200 bg-white px-5 py-3">
        <h2 id="shortcuts-sheet-title" className="text-base font-semibold text-slate-900">
          Keyboard shortcuts
        </h2>
        <button type="button" onClick={onClose} className="rounded-md px-2 py-1 text-xs font-medium text-slate-600 hover:bg-slate-100 hover:text-slate-900">
          Close <Key>Esc</Key>
        </button>
      </div>
      <div className="space-y-5 px-5 py-4">
        {SECTIONS.map((section) => (
          <section key={section.title} aria-labelledby={`shortcuts-${section.title}`}>
            <h3 id={`shortcuts-${section.title}`} className="text-xs font-semibold tracking-wide text-slate-500 uppercase">
              {section.title}
            </h3>
            {section.note && <p className="mt-1 text-xs text-slate-500">{section.note}</p>}
            <dl className="mt-2 divide-y divide-slate-100">
              {section.shortcuts.map((shortcut) => (
                <div key={shortcut.does} className="flex items-center justify-between gap-4 py-1.5">
                  <dt className="text-slate-700">{shortcut.does}</dt>
                  <dd className="flex shrink-0 items-center gap-1.5 text-xs text-slate-500">
                    {shortcut.keys.map((combo, index) => (
                      <span key={combo.join("+")} className="flex items-center gap-1">
                        {index > 0 && <span aria-hidden="true">or</span>}
                        {combo.map((key) => (
                          <Key key={key}>{key === MOD ? mod : key}</Key>
                        ))}
                      </span>
                    ))}
                  </dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </div>
    </dialog>
  );
}

function Key({ children }: { children: string }) {
  return (
    <kbd className="inline-flex min-w-5 items-center justify-center rounded border border-slate-300 bg-slate-50 px-1 py-0.5 font-sans text-[11px] leading-none font-medium text-slate-700 shadow-[0_1px_0_var(--color-slate-300)]">
      {children}
    </kbd>
  );
}
