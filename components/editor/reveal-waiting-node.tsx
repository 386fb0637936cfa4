"use client";

import { useEffect } from "react";
import { useReactFlow, useStore, useStoreApi, type ReactFlowState } from "@xyflow/react";
import { estimatedCardSize } from "./estimated-handles";
import { useFitView } from "./fit-view";
import { useEditorStore } from "./store/editor-store-provider";
import type { EditorState } from "./store/types";
import type { AppEdge, AppNode } from "./types";

/** How long to wait for a card brought into view to be measured (frames, about a second). */
const UNMEASURED_WAIT_FRAMES = 60;

/** Space kept between a revealed card and the canvas edge, in screen pixels. */
const MARGIN = 24;

/** The first node of the shown run that waits for a person, or null. */
function selectWaitingNodeId(s: EditorState): string | null {
  const nodes = s.run.state?.nodes;
  if (!nodes) return null;
  for (const [id, node] of Object.entries(nodes)) if (node.status === "waiting") return id;
  return null;
}

/** How far to pan (screen px) so [start, start+size] sits inside [0, view] with a margin; 0 when it already does. */
export function panToFit(start: number, size: number, view: number): number {
  if (start < MARGIN) return MARGIN - start;
  if (start + size > view - MARGIN) return view - MARGIN - (start + size);
  return 0;
}

/**
 * When a node starts waiting for a person, brings its whole card — the question, the arguments,
 * Approve and Reject — on screen: a pan just large enough, or, for a card taller or wider than
 * the canvas, a zoom out to fit it (never in). A waiting card grows to hold the review form, and
 * on a short window it could otherwise reach below the canvas where nobody sees it. Once per
 * waiting node, and again whenever its card changes height while it waits (the reviewer opened
 * the reject form, whose Confirm would otherwise sit below the canvas): a user who pans away
 * afterwards is not pulled back by anything but their own change to the card.
 */
export function RevealWaitingNode() {
  const waitingId = useEditorStore(selectWaitingNodeId);
  // The waiting card's measured height: a change (a form opened or closed on it) reveals it again.
  const waitingHeight = useStore((s: ReactFlowState) => (waitingId === null ? undefined : s.nodeLookup.get(waitingId)?.measured.height));
  const { getInternalNode, setViewport } = useReactFlow<AppNode, AppEdge>();
  const fitView = useFitView();
  const flow = useStoreApi<AppNode, AppEdge>();

  useEffect(() => {
    if (waitingId === null) return;
    let estimatedPanDone = false;
    let framesLeft = UNMEASURED_WAIT_FRAMES;
    const reveal = () => {
      const internal = getInternalNode(waitingId);
      if (!internal) return;
      const { transform, width: viewWidth, height: viewHeight } = flow.getState();
      const [x, y, zoom] = transform;
      const left = internal.internals.positionAbsolute.x * zoom + x;
      const top = internal.internals.positionAbsolute.y * zoom + y;
      const width = internal.measured.width;
      const height = internal.measured.height;
      if (!width || !height) {
        // A card that was never in view has no measured size (only cards in view are built):
        // bring its estimated card into view, then reveal it exactly once it is measured.
        if (!estimatedPanDone) {
          estimatedPanDone = true;
          const estimate = estimatedCardSize(internal.internals.userNode);
          const dx = panToFit(left, estimate.width * zoom, viewWidth);
          const dy = panToFit(top, estimate.height * zoom, viewHeight);
          if (dx !== 0 || dy !== 0) void setViewport({ x: x + dx, y: y + dy, zoom });
        }
        if (framesLeft-- > 0) frame = requestAnimationFrame(reveal);
        return;
      }
      if (width * zoom + 2 * MARGIN > viewWidth || height * zoom + 2 * MARGIN > viewHeight) {
        void fitView({ nodeIds: [waitingId], maxZoom: zoom, padding: 0.05, duration: 250 });
        return;
      }
      const dx = panToFit(left, width * zoom, viewWidth);
      const dy = panToFit(top, height * zoom, viewHeight);
      if (dx === 0 && dy === 0) return;
      void setViewport({ x: x + dx, y: y + dy, zoom }, { duration: 250 });
    };
    // Two frames: the card re-renders with its review form, then React Flow measures it.
    let frame = requestAnimationFrame(() => {
      frame = requestAnimationFrame(reveal);
    });
    return () => cancelAnimationFrame(frame);
  }, [waitingId, waitingHeight, getInternalNode, setViewport, fitView, flow]);

  return null;
}
