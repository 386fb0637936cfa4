"use client";

import { useState, type ReactNode } from "react";
import { useEditorStore } from "./store/editor-store-provider";
import { selectSelectedNodeId } from "./store/selectors";
import { TabButton } from "@/components/ui/tab-button";

export type SidePanelTab = { id: string; label: string; content: () => ReactNode };

/** The right-hand panel: the inspector first, then whatever tabs the page adds (trigger API, versions). */
export function SidePanel({ tabs, initialTab }: { tabs: readonly SidePanelTab[]; initialTab?: string }) {
  const first = tabs[0]?.id ?? "";
  const [tab, setTab] = useState(initialTab ?? first);
  const selectedNodeId = useEditorStore(selectSelectedNodeId);
  const [lastSelected, setLastSelected] = useState(selectedNodeId);
  // Selecting a node is a request to edit it: bring the inspector (the first tab) forward.
  if (selectedNodeId !== lastSelected) {
    setLastSelected(selectedNodeId);
    if (selectedNodeId !== null) setTab(first);
  }
  const active = tabs.find((candidate) => candidate.id === tab) ?? tabs[0];

  return (
    <aside className="flex w-80 shrink-0 flex-col border-l border-slate-200 bg-white">
      <div role="tablist" aria-label="Side panel" className="flex shrink-0 gap-0.5 overflow-x-auto overflow-y-hidden border-b border-slate-200 px-2 [scrollbar-width:thin]">
        {tabs.map((candidate) => (
          <TabButton key={candidate.id} active={candidate.id === active?.id} onClick={() => setTab(candidate.id)}>
            {candidate.label}
          </TabButton>
        ))}
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto" role="tabpanel" aria-label={active?.label}>
        {active?.content()}
      </div>
    </aside>
  );
}
