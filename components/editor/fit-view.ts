"use client";

import { getNodesBounds, getViewportForBounds, useReactFlow, useStoreApi } from "@xyflow/react";
import { useCallback } from "react";
import type { AppEdge, AppNode } from "./types";

export type FitViewOptions = {
  /** The nodes to frame; every node when left out. */
  nodeIds?: readonly string[];
  padding: number;
  minZoom?: number;
  maxZoom?: number;
  duration?: number;
};

/**
 * React Flow's fitView, for a canvas where only the cards in view have been built. React Flow's
 * own waits until every node is measured before it moves; with the cards off screen never built
 * (estimated-handles.ts) that moment never comes on a large graph. This frames the nodes at once,
 * a card not measured yet counting with its initial size.
 */
export function useFitView(): (options: FitViewOptions) => Promise<boolean> {
  const flow = useStoreApi<AppNode, AppEdge>();
  const { setViewport } = useReactFlow<AppNode, AppEdge>();
  return useCallback(
    async ({ nodeIds, padding, minZoom, maxZoom, duration }: FitViewOptions) => {
      const { nodeLookup, nodeOrigin, width, height, minZoom: lowest, maxZoom: highest } = flow.getState();
      const ids = (nodeIds ?? [...nodeLookup.keys()]).filter((id) => nodeLookup.has(id));
      if (ids.length === 0 || width === 0 || height === 0) return false;
      const bounds = getNodesBounds(ids, { nodeLookup, nodeOrigin });
      return setViewport(getViewportForBounds(bounds, width, height, minZoom ?? lowest, maxZoom ?? highest, padding), { duration });
    },
    [flow, setViewport],
  );
}
