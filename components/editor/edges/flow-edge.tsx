"use client";

import { BaseEdge, EdgeLabelRenderer, getBezierPath, useStore as useFlowStore, type EdgeProps, type EdgeTypes } from "@xyflow/react";
import { memo } from "react";
import { useEdgeTaken } from "../store/selectors";
import { selectZoomedOut } from "../zoom-level";
import { COMPENSATE_HANDLE } from "@/server/engine/graph";
import { branchLead, branchTone } from "./branch-tones";

/**
 * The default edge, turning green once the shown run has travelled along it. An edge from a
 * named output (approve/reject, true/false, body/done, timeout, a router's branch) carries
 * the output's name next to the card, on a straight lead out of its handle: the curve only
 * starts after the label, so an edge never seems to come from the sibling handle it passes.
 */
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
  // Arrowheads and labels are a few pixels when zoomed out, and each one is costly to paint.
  const zoomedOut = useFlowStore(selectZoomedOut);
  const { path, label, edgeStyle } = sourceHandleId === COMPENSATE_HANDLE ? compensationEdge() : branchEdge();
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={zoomedOut ? undefined : markerEnd} interactionWidth={interactionWidth} style={edgeStyle} />
      {label && <BranchLabel edgeId={id} {...label} />}
    </>
  );

  /**
   * A saga's compensate edge, from the bottom of a step to the step that undoes it: dashed and
   * violet, labelled "undo" at its middle, never taken on a run that succeeds.
   */
  function compensationEdge() {
    const [curve, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
    return {
      path: curve,
      label: zoomedOut ? null : { branch: COMPENSATE_HANDLE, text: "undo", transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` },
      edgeStyle: { ...style, stroke: "var(--color-violet-500)", strokeDasharray: "6 4" },
    };
  }

  function branchEdge() {
    const branch = sourceHandleId && !zoomedOut ? sourceHandleId : null;
    const lead = branch ? branchLead(branch, targetX - sourceX) : 0;
    const [curve] = getBezierPath({ sourceX: sourceX + lead, sourceY, targetX, targetY, sourcePosition, targetPosition });
    return {
      // `curve` is "M x,y C …": the lead is a straight line from the handle to where it starts.
      path: lead > 0 ? `M${sourceX},${sourceY} L${curve.slice(1)}` : curve,
      // Left-aligned just past the handle, centred on the edge: it sits on the lead.
      label: branch ? { branch, text: branch, transform: `translate(${sourceX + 8}px, ${sourceY}px) translateY(-50%)` } : null,
      edgeStyle: taken ? { ...style, stroke: "var(--color-emerald-500)", strokeWidth: 2 } : style,
    };
  }
});

/** The name of the output an edge leaves through, in the output's colour, placed by `transform`. */
function BranchLabel({ edgeId, branch, text, transform }: { edgeId: string; branch: string; text: string; transform: string }) {
  return (
    <EdgeLabelRenderer>
      <div
        data-testid="edge-label"
        data-edge-id={edgeId}
        data-branch={branch}
        style={{ transform }}
        className={`nodrag nopan pointer-events-none absolute top-0 left-0 rounded border px-1.5 text-[11px] leading-4 font-medium whitespace-nowrap ${branchTone(branch)}`}
      >
        {text}
      </div>
    </EdgeLabelRenderer>
  );
}

export const edgeTypes = { flow: FlowEdge } satisfies EdgeTypes;
