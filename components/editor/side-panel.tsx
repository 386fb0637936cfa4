"use client";

import { useCallback, useState, useSyncExternalStore, type ReactNode } from "react";
import { useEditorStore } from "./store/editor-store-provider";
import { selectSelectedNodeId } from "./store/selectors";
import { TabButton } from "@/components/ui/tab-button";

export type SidePanelTab = { id: string; label: string; content: () => ReactNode };

/** The editor's collapsible panels; whether each is open is remembered per browser (localStorage). */
export type PanelId = "palette" | "inspector";

const storageKey = (panel: PanelId) => `agentflow.editor.${panel}-open`;
const panelListeners = new Set<() => void>();

function subscribePanels(listener: () => void): () => void {
  panelListeners.add(listener);
  // Another tab changing a panel: follow it too.
  window.addEventListener("storage", listener);
  return () => {
    panelListeners.delete(listener);
    window.removeEventListener("storage", listener);
  };
}

function readPanelOpen(panel: PanelId): boolean {
  try {
    return window.localStorage.getItem(storageKey(panel)) !== "false";
  } catch {
    // Storage blocked (private mode, policy): panels stay open.
    return true;
  }
}

/** Opens or folds a panel and remembers it; usable outside React (the canvas opens the inspector on double-click). */
export function setPanelOpen(panel: PanelId, open: boolean): void {
  try {
    window.localStorage.setItem(storageKey(panel), String(open));
  } catch {
    // Not remembered, but the click still works for this page.
  }
  for (const listener of panelListeners) listener();
}

/** Whether a panel is open (open unless this browser closed it), and a setter that remembers. */
export function usePanelOpen(panel: PanelId): [boolean, (open: boolean) => void] {
  const open = useSyncExternalStore(subscribePanels, () => readPanelOpen(panel), () => true);
  const setOpen = useCallback((next: boolean) => setPanelOpen(panel, next), [panel]);
  return [open, setOpen];
}

function ChevronIcon({ pointing }: { pointing: "left" | "right" }) {
  return (
    <svg viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" strokeLinejoin="round" className="size-4" aria-hidden>
      <path d={pointing === "left" ? "M10 3.5 5.5 8l4.5 4.5" : "M6 3.5 10.5 8 6 12.5"} />
    </svg>
  );
}

/** The button that folds a panel away or brings it back; its name says which panel and what it does. */
export function PanelToggle({ panel, open, onToggle, side, title }: { panel: PanelId; open: boolean; onToggle: () => void; side: "left" | "right"; title: string }) {
  // A left panel folds to the left; a right one to the right.
  const pointing = open === (side === "left") ? "left" : "right";
  return (
    <button
      type="button"
      onClick={onToggle}
      aria-expanded={open}
      aria-label={`${open ? "Hide" : "Show"} ${title}`}
      title={`${open ? "Hide" : "Show"} ${title}`}
      data-panel-toggle={panel}
      className="grid size-7 shrink-0 place-items-center rounded-md text-slate-500 hover:bg-slate-200/70 hover:text-slate-800 focus-visible:outline-2 focus-visible:outline-accent-500"
    >
      <ChevronIcon pointing={pointing} />
    </button>
  );
}

/** A folded panel: a narrow strip with the button that opens it and the panel's name written down the side. */
export function CollapsedRail({ panel, side, title, onOpen }: { panel: PanelId; side: "left" | "right"; title: string; onOpen: () => void }) {
  return (
    <aside
      aria-label={title}
      data-panel={panel}
      data-collapsed=""
      className={`flex w-9 shrink-0 flex-col items-center gap-2 bg-slate-50 py-2 ${side === "left" ? "border-r" : "border-l"} border-slate-200`}
    >
      <PanelToggle panel={panel} open={false} onToggle={onOpen} side={side} title={title} />
      <button
        type="button"
        onClick={onOpen}
        tabIndex={-1}
        aria-hidden
        className="text-xs font-semibold tracking-wide text-slate-500 uppercase [writing-mode:vertical-rl] hover:text-slate-800"
      >
        {title}
      </button>
    </aside>
  );
}

/** The right-hand panel: the inspector first, then whatever tabs the page adds (trigger API, versions). */
export function SidePanel({ tabs, initialTab }: { tabs: readonly SidePanelTab[]; initialTab?: string }) {
  const first = tabs[0]?.id ?? "";
  const [tab, setTab] = useState(initialTab ?? first);
  const [open, setOpen] = usePanelOpen("inspector");
  const selectedNodeId = useEditorStore(selectSelectedNodeId);
  const [lastSelected, setLastSelected] = useState(selectedNodeId);
  // Selecting a node is a request to edit it: bring the inspector (the first tab) forward.
  if (selectedNodeId !== lastSelected) {
    setLastSelected(selectedNodeId);
    if (selectedNodeId !== null) setTab(first);
  }
  const active = tabs.find((candidate) => candidate.id === tab) ?? tabs[0];

  if (!open) return <CollapsedRail panel="inspector" side="right" title="Side panel" onOpen={() => setOpen(true)} />;

  return (
    <aside aria-label="Side panel" data-panel="inspector" className="flex w-72 shrink-0 flex-col border-l border-slate-200 bg-white xl:w-80">
      <div className="flex shrink-0 items-center border-b border-slate-200 pr-1">
        <div role="tablist" aria-label="Side panel" className="flex min-w-0 flex-1 overflow-x-auto overflow-y-hidden px-1 [scrollbar-width:thin]">
          {tabs.map((candidate) => (
            <TabButton key={candidate.id} dense active={candidate.id === active?.id} onClick={() => setTab(candidate.id)}>
              {candidate.label}
            </TabButton>
          ))}
        </div>
        <PanelToggle panel="inspector" open onToggle={() => setOpen(false)} side="right" title="Side panel" />
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto" role="tabpanel" aria-label={active?.label}>
        {active?.content()}
      </div>
    </aside>
  );
}
