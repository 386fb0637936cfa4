"use client";

import { useReactFlow, useStoreApi } from "@xyflow/react";
import { useState, type DragEvent } from "react";
import { SearchIcon } from "@/components/ui/icons";
import { GRID, PALETTE_MIME, snapToGrid } from "./canvas";
import { freeSpotNear } from "./free-spot";
import { cardBox, DEFAULT_NODE_SIZE, ESTIMATED_CARD_HEIGHT } from "./node-size";
import { PALETTE_ITEMS, searchPaletteItems, type PaletteItem } from "./palette-items";
import { useEditorStoreApi } from "./store/editor-store-provider";

/**
 * Node kinds to drag onto the canvas (HTML5 drag and drop). Clicking or pressing Enter
 * adds the node in the middle of the view instead (for keyboard users), at the nearest spot there
 * that no card covers.
 */
export function Palette() {
  const [query, setQuery] = useState("");
  const store = useEditorStoreApi();
  const flow = useStoreApi();
  const { screenToFlowPosition } = useReactFlow();

  const items = searchPaletteItems(PALETTE_ITEMS, query);

  const addAtCentre = (item: PaletteItem) => {
    const { domNode } = flow.getState();
    const bounds = domNode?.getBoundingClientRect();
    if (!bounds) return;
    const centre = screenToFlowPosition({ x: bounds.left + bounds.width / 2, y: bounds.top + bounds.height / 2 });
    const wanted = snapToGrid({ x: centre.x - DEFAULT_NODE_SIZE.width / 2, y: centre.y - DEFAULT_NODE_SIZE.height / 2 });
    const occupied = store.getState().nodes.map(cardBox);
    const size = { width: DEFAULT_NODE_SIZE.width, height: ESTIMATED_CARD_HEIGHT };
    store.getState().addNode(item.kind, freeSpotNear(wanted, size, occupied, GRID), item.data);
  };

  const onDragStart = (event: DragEvent, item: PaletteItem) => {
    event.dataTransfer.setData(PALETTE_MIME, item.key);
    event.dataTransfer.effectAllowed = "copy";
  };

  const groups = [
    { id: "nodes", title: "Nodes", label: "Node palette", items: items.filter((item) => item.group === "nodes") },
    { id: "tools", title: "Tools", label: "Tools", items: items.filter((item) => item.group === "tools") },
    { id: "presets", title: "Agent presets", label: "Agent presets", items: items.filter((item) => item.group === "presets") },
  ].filter((group) => group.items.length > 0);

  return (
    <section aria-label="Palette" className="flex min-h-0 flex-1 flex-col">
      <div className="relative px-3 pt-3 pb-2">
        <SearchIcon className="pointer-events-none absolute top-1/2 left-5.5 mt-0.5 size-4 -translate-y-1/2 text-slate-400" />
        <input
          type="search"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          placeholder="Search"
          aria-label="Search nodes"
          className="w-full rounded-md border border-slate-300 bg-white py-1.5 pr-2 pl-8 text-sm placeholder:text-slate-400 focus:border-accent-500 focus:ring-2 focus:ring-accent-500/20 focus:outline-none"
        />
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto pb-2">
        {groups.map((group) => (
          <div key={group.id}>
            <h2 className="px-3 pt-2 pb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">{group.title}</h2>
            <ul className="space-y-0.5 px-2" aria-label={group.label}>
              {group.items.map((item) => (
                <li key={item.key}>
                  <div
                    role="button"
                    tabIndex={0}
                    draggable
                    data-kind={item.kind}
                    data-palette-key={item.key}
                    aria-label={`Add ${item.title}`}
                    title="Drag onto the canvas, or click to add"
                    onDragStart={(event) => onDragStart(event, item)}
                    onClick={() => addAtCentre(item)}
                    onKeyDown={(event) => {
                      if (event.key === "Enter" || event.key === " ") {
                        event.preventDefault();
                        addAtCentre(item);
                      }
                    }}
                    className="group flex cursor-grab items-center gap-2.5 rounded-md border border-transparent px-2 py-1.5 select-none hover:border-slate-200 hover:bg-white hover:shadow-xs focus-visible:outline-2 focus-visible:outline-accent-500 active:cursor-grabbing"
                  >
                    <span className={`grid size-7 shrink-0 place-items-center rounded-md ${item.tile}`}>
                      <item.Icon className="size-4" />
                    </span>
                    <span className="min-w-0">
                      <span className="block text-sm font-medium text-slate-800">{item.title}</span>
                      <span className="block truncate text-[11px] text-slate-500">{item.description}</span>
                    </span>
                  </div>
                </li>
              ))}
            </ul>
          </div>
        ))}
        {items.length === 0 && <p className="px-3 py-3 text-xs text-slate-500">Nothing matches “{query}”.</p>}
      </div>
    </section>
  );
}
