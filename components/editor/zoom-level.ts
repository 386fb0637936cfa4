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

/**
 * The lowest zoom a workflow opens at (a template, an import, after auto-layout): cards in full,
 * titles readable. A graph too big for the canvas at this zoom opens at its start instead of
 * shrinking into unreadable boxes; the rest is a pan or a scroll away.
 */
export const OPEN_MIN_ZOOM = 0.6;
/** Never magnify a small graph past its real size. */
export const OPEN_MAX_ZOOM = 1;
/** Screen pixels kept free around the graph (or its start) when it opens. */
export const OPEN_MARGIN = 40;

export type Box = { x: number; y: number; width: number; height: number };
export type OpeningViewport = { x: number; y: number; zoom: number };

/**
 * Where a workflow opens: the whole graph (`bounds`) fitted into a `width` × `height` canvas when
 * it fits at OPEN_MIN_ZOOM or more; otherwise OPEN_MIN_ZOOM with `start` (the trigger's card)
 * near the left edge and, if the graph is taller than the canvas, the trigger's row centred.
 */
export function openingViewport(bounds: Box, start: Box | null, width: number, height: number): OpeningViewport {
  const room = { width: Math.max(1, width - 2 * OPEN_MARGIN), height: Math.max(1, height - 2 * OPEN_MARGIN) };
  const fitZoom = Math.min(room.width / Math.max(1, bounds.width), room.height / Math.max(1, bounds.height));
  const zoom = Math.min(OPEN_MAX_ZOOM, Math.max(OPEN_MIN_ZOOM, fitZoom));
  const centred = (size: number, from: number, extent: number) => size / 2 - (from + extent / 2) * zoom;
  if (fitZoom >= OPEN_MIN_ZOOM) {
    return { x: centred(width, bounds.x, bounds.width), y: centred(height, bounds.y, bounds.height), zoom };
  }
  const anchor = start ?? { x: bounds.x, y: bounds.y, width: 0, height: 0 };
  const fitsAcross = bounds.width * zoom <= room.width;
  const fitsDown = bounds.height * zoom <= room.height;
  const x = fitsAcross ? centred(width, bounds.x, bounds.width) : OPEN_MARGIN - anchor.x * zoom;
  // The start's row in the middle, but no empty band above the graph's top edge.
  const y = fitsDown ? centred(height, bounds.y, bounds.height) : Math.min(centred(height, anchor.y, anchor.height), OPEN_MARGIN - bounds.y * zoom);
  return { x, y, zoom };
}
