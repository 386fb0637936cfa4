"use client";

import { useCallback } from "react";
import { useEditorStore, useEditorStoreApi } from "@/components/editor/store/editor-store-provider";
import type { EditorState } from "@/components/editor/store/types";
import { HistoryIcon } from "@/components/ui/icons";
import { eventLabel } from "@/lib/event-labels";

const selectSeq = (s: EditorState) => s.timeTravel?.seq ?? null;

/** Over the canvas while it shows an earlier state: which one, and the way back to the live run. */
export function TimeTravelBanner() {
  const seq = useEditorStore(selectSeq);
  const event = useEditorStore(
    useCallback((s: EditorState) => (seq === null ? undefined : s.timeTravel?.live.events.find((item) => item.seq === seq)), [seq]),
  );
  const store = useEditorStoreApi();
  if (seq === null) return null;
  const nodeId = event && "nodeId" in event ? event.nodeId : null;

  return (
    <div
      role="status"
      data-testid="time-travel-banner"
      // Top left: the minimap holds the top right corner.
      className="absolute top-3 left-3 z-10 flex max-w-[calc(100%-15rem)] items-center gap-3 rounded-full border border-amber-300 bg-amber-50 py-1.5 pr-1.5 pl-3 text-sm whitespace-nowrap text-amber-900 shadow-md"
    >
      <HistoryIcon className="size-4 shrink-0 text-amber-600" />
      <span className="truncate">
        Viewing the state at event <strong>#{seq}</strong>
        {event && (
          <span className="text-amber-700">
            {" "}
            · {eventLabel(event.type)}
            {nodeId && (
              <>
                {" "}
                of <code className="font-mono text-xs">{nodeId}</code>
              </>
            )}
          </span>
        )}
      </span>
      <button
        type="button"
        onClick={() => store.getState().viewRunAt(null)}
        className="shrink-0 rounded-full bg-amber-600 px-3 py-1 text-xs font-semibold text-white shadow-sm hover:bg-amber-700"
      >
        Back to live
      </button>
    </div>
  );
}
