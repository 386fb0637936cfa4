import { Position, type NodeHandle } from "@xyflow/react";
import { COMPENSATE_HANDLE, sourceHandlesOf } from "@/server/engine/graph";
import { DEFAULT_NODE_SIZE } from "./node-size";
import type { AppNode } from "./types";

/**
 * Where a card's handles are before React Flow has measured the card.
 *
 * React Flow renders every node it has never measured, wherever it is, just to find its
 * handles: opening a 1,000-node workflow built all 1,000 cards (about 14,000 elements), measured
 * them, then removed the 950 outside the view — most of the time it took to open. A node that
 * declares its handles (`handles`) is not force-rendered: with `onlyRenderVisibleElements` only
 * the cards in view are built, and each is measured as it comes into view (its measured handles
 * then replace these). Until then the estimate places the ends of edges into cards off screen.
 * The numbers follow node-shell.tsx (full card) and the handle size in app/globals.css.
 */

/** `.react-flow__handle` in app/globals.css. */
const HANDLE_SIZE = 10;
/** A full card without output rows: borders, the title row and one line of summary. */
const CARD_HEIGHT = 88;
/** The output rows block: its top border and padding, then one 24 px row per named output. */
const PORT_BLOCK_PADDING = 9;
const PORT_ROW_HEIGHT = 24;

/** The outputs drawn as rows at the bottom of a card (node-shell.tsx); the default output and compensate are not rows. */
function namedOutputs(node: AppNode): string[] {
  return sourceHandlesOf(node).filter((handle): handle is string => handle !== null && handle !== COMPENSATE_HANDLE);
}

/** How many output rows the card shows: a human node shows "timeout" (its last output) only when a timeout takes it. */
function outputRows(node: AppNode): number {
  const named = namedOutputs(node).length;
  if (node.type === "human" && !(node.data.timeoutSeconds > 0 && node.data.onTimeout === "timeout")) return named - 1;
  return named;
}

/** A full card's size before it is measured: its title, one line of summary and its output rows. */
export function estimatedCardSize(node: AppNode): { width: number; height: number } {
  const rows = outputRows(node);
  return { width: DEFAULT_NODE_SIZE.width, height: rows > 0 ? CARD_HEIGHT + PORT_BLOCK_PADDING + rows * PORT_ROW_HEIGHT : CARD_HEIGHT };
}

/** Cards alike (same kind, same outputs, same rows) share one list: a large graph has hundreds of them. */
const handlesByShape = new Map<string, NodeHandle[]>();

export function estimatedHandles(node: AppNode): NodeHandle[] {
  const outputs = sourceHandlesOf(node);
  const shape = JSON.stringify([node.type, outputRows(node), outputs]);
  let handles = handlesByShape.get(shape);
  if (!handles) {
    handles = handlesOf(node, outputs);
    handlesByShape.set(shape, handles);
  }
  return handles;
}

function handlesOf(node: AppNode, outputs: readonly (string | null)[]): NodeHandle[] {
  const { width, height } = estimatedCardSize(node);
  const named = namedOutputs(node);
  const portsTop = CARD_HEIGHT + PORT_BLOCK_PADDING / 2;
  const half = HANDLE_SIZE / 2;
  const handles: NodeHandle[] = [];
  if (node.type !== "trigger") handles.push({ id: null, type: "target", position: Position.Left, x: -half, y: height / 2 - half, width: HANDLE_SIZE, height: HANDLE_SIZE });
  named.forEach((id, row) =>
    handles.push({ id, type: "source", position: Position.Right, x: width - half, y: portsTop + row * PORT_ROW_HEIGHT + PORT_ROW_HEIGHT / 2 - half, width: HANDLE_SIZE, height: HANDLE_SIZE }),
  );
  if (named.length === 0 && outputs.includes(null)) {
    handles.push({ id: null, type: "source", position: Position.Right, x: width - half, y: height / 2 - half, width: HANDLE_SIZE, height: HANDLE_SIZE });
  }
  if (outputs.includes(COMPENSATE_HANDLE)) {
    handles.push({ id: COMPENSATE_HANDLE, type: "source", position: Position.Bottom, x: width / 2 - half, y: height - half, width: HANDLE_SIZE, height: HANDLE_SIZE });
  }
  return handles;
}

/** React Flow's copy of each never-measured node, once per node object (so React Flow sees the same object until the node changes). */
const withHandles = new WeakMap<AppNode, AppNode>();

/**
 * The nodes as React Flow gets them: a node neither the store nor React Flow (`measuredByFlow`)
 * has measured carries estimated handles; any other node is passed as it is, so React Flow keeps
 * (or, for a node the store lost the size of, measures again) the handles it found in the page.
 */
export function withEstimatedHandles(nodes: readonly AppNode[], measuredByFlow: (id: string) => boolean): AppNode[] {
  return nodes.map((node) => {
    if (node.measured?.width !== undefined || measuredByFlow(node.id)) return node;
    let flowNode = withHandles.get(node);
    if (!flowNode) {
      flowNode = { ...node, handles: estimatedHandles(node) };
      withHandles.set(node, flowNode);
    }
    return flowNode;
  });
}
