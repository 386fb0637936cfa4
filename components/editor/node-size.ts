import type { AppNode } from "./types";
import type { Box } from "./zoom-level";

/**
 * A card's size before React Flow has measured it (a node just loaded or pasted, a unit
 * test): close to the real card, and exactly the zoomed-out card's size (node-shell.tsx).
 */
export const DEFAULT_NODE_SIZE = { width: 220, height: 64 };

/** A full card is taller than the compact one (DEFAULT_NODE_SIZE): its summary and ports. */
export const ESTIMATED_CARD_HEIGHT = 112;

/** Where a card sits and how big it is: measured by React Flow, else the full card's estimate. */
export function cardBox(node: AppNode): Box {
  return {
    x: node.position.x,
    y: node.position.y,
    width: node.measured?.width ?? DEFAULT_NODE_SIZE.width,
    height: node.measured?.height ?? ESTIMATED_CARD_HEIGHT,
  };
}
