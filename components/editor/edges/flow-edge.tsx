"use client";

import { BaseEdge, getBezierPath, useStore as useFlowStore, type EdgeProps, type EdgeTypes } from "@xyflow/react";
import { memo } from "react";
import { useEdgeTaken } from "../store/selectors";
import { selectZoomedOut } from "../zoom-level";

/** The default edge, turning green once the shown run has travelled along it. */
export const FlowEdge = memo(function FlowEdge({
  id,
  source,
  sourceHandleId,
  sourceX,
  sourceY,
  targetX,
  targetY,
  sourcePosition,
  targetPosition,
  markerEnd,
  style,
  interactionWidth,
}: EdgeProps) {
  const taken = useEdgeTaken(source, sourceHandleId);
  // Arrowheads are a few pixels when zoomed out, and each one is a costly SVG marker to paint.
  const zoomedOut = useFlowStore(selectZoomedOut);
  const [path] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  return (
    <BaseEdge
      id={id}
      path={path}
      markerEnd={zoomedOut ? undefined : markerEnd}
      interactionWidth={interactionWidth}
      style={taken ? { ...style, stroke: "var(--color-emerald-500)", strokeWidth: 2 } : style}
    />
  );
});

export const edgeTypes = { flow: FlowEdge } satisfies EdgeTypes;
