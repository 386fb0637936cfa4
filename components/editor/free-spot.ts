import type { Position } from "./commands";
import type { Box } from "./zoom-level";

/** Room kept between a card placed by a click and the cards around it, in flow pixels. */
export const FREE_SPOT_GAP = 16;
/** How far from the wanted spot a free one is looked for, in steps either way. */
const SEARCH_STEPS = 40;

let offsets: readonly { dx: number; dy: number }[] | null = null;

/**
 * Grid offsets around the wanted spot, nearest first; among equals, below before above and right
 * before left (where a graph grows). The same for every click, so sorted once, on the first.
 */
function searchOrder(): readonly { dx: number; dy: number }[] {
  if (offsets) return offsets;
  const all: { dx: number; dy: number; distance: number }[] = [];
  for (let dx = -SEARCH_STEPS; dx <= SEARCH_STEPS; dx++) {
    for (let dy = -SEARCH_STEPS; dy <= SEARCH_STEPS; dy++) all.push({ dx, dy, distance: dx * dx + dy * dy });
  }
  all.sort((a, b) => a.distance - b.distance || b.dy - a.dy || b.dx - a.dx);
  offsets = all;
  return all;
}

/**
 * The spot nearest `wanted` where a card of `size` overlaps none of `occupied` (with
 * FREE_SPOT_GAP around each), trying positions on a `step` grid around it. Clicking a palette
 * item drops the node in the middle of the view; on a busy canvas that spot is often under an
 * existing card, where the new one would hide it (or be hidden) until someone drags it away.
 * When nothing within reach is free, `wanted` itself.
 */
export function freeSpotNear(wanted: Position, size: { width: number; height: number }, occupied: readonly Box[], step: number): Position {
  const fits = (spot: Position) =>
    occupied.every(
      (box) =>
        spot.x + size.width + FREE_SPOT_GAP <= box.x ||
        box.x + box.width + FREE_SPOT_GAP <= spot.x ||
        spot.y + size.height + FREE_SPOT_GAP <= box.y ||
        box.y + box.height + FREE_SPOT_GAP <= spot.y,
    );
  if (fits(wanted)) return wanted;
  for (const { dx, dy } of searchOrder()) {
    const spot = { x: wanted.x + dx * step, y: wanted.y + dy * step };
    if (fits(spot)) return spot;
  }
  return wanted;
}
