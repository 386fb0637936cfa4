"use client";

import { memo } from "react";
import { useEditorStore } from "@/components/editor/store/editor-store-provider";
import type { EditorState } from "@/components/editor/store/types";
import { useLiveText } from "./live-text";

/** The card shows the end of the answer: a few lines fit, and only the last ones are news. */
const CARD_TAIL_CHARS = 280;

const selectTimeTravelling = (s: EditorState) => s.timeTravel !== null;

function TypingCursor() {
  return <span aria-hidden="true" className="ml-0.5 inline-block h-3 w-1.5 translate-y-0.5 animate-pulse bg-slate-400" />;
}

/**
 * On an agent's card while its model answers: the last lines of the text so far, muted, with a
 * typing cursor. At most four lines (the older ones scroll out at the top), so the card — and
 * the edges anchored to it — stop growing once they are full.
 */
export const LiveTextOnCard = memo(function LiveTextOnCard({ nodeId }: { nodeId: string }) {
  const live = useLiveText(nodeId);
  // The canvas then shows the run as it was at an earlier event: no answer is being written there.
  const timeTravelling = useEditorStore(selectTimeTravelling);
  if (!live || live.text === "" || timeTravelling) return null;
  const tail = live.text.length > CARD_TAIL_CHARS ? `…${live.text.slice(-CARD_TAIL_CHARS)}` : live.text;
  return (
    <div data-testid="node-live-text" aria-live="off" className="border-t border-slate-100 px-3 py-1.5 text-[11px] leading-[1.375] text-slate-500 italic">
      {/* Clipped on a line boundary: four lines of 1.375em, bottom-aligned. */}
      <div className="flex max-h-[5.5em] flex-col justify-end overflow-hidden">
        <p className="break-words whitespace-pre-wrap">
          {tail}
          <TypingCursor />
        </p>
      </div>
    </div>
  );
});

/** In the run page's node details: the whole answer so far, until the committed one replaces it. */
export function LiveTextDetails({ nodeId }: { nodeId: string }) {
  const live = useLiveText(nodeId);
  if (!live || live.text === "") return null;
  return (
    <div>
      <h4 className="mb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">Writing…</h4>
      <p data-testid="node-details-live-text" className="max-h-56 overflow-y-auto rounded-md border border-slate-200 bg-slate-50 p-2 text-xs break-words whitespace-pre-wrap text-slate-600">
        {live.text}
        <TypingCursor />
      </p>
    </div>
  );
}
