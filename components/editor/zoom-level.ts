import type { ReactFlowState } from "@xyflow/react";

/**
 * Below this zoom a card's text is a few pixels high and unreadable, so the canvas draws less:
 * nodes as plain coloured boxes with their title (React Flow's "contextual zoom"), edges
 * without arrowheads, no background dots (they would be 3 px apart). With hundreds of nodes
 * on screen this is what keeps panning and dragging smooth: the browser rasterises far less.
 */
export const COMPACT_BELOW_ZOOM = 0.45;

/** A boolean, so subscribers re-render only when the zoom crosses the threshold. */
export const selectZoomedOut = (s: ReactFlowState) => s.transform[2] < COMPACT_BELOW_ZOOM;
