"use client";

import { useCallback, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import type { HumanDecision } from "@/server/engine/events";
import type { PendingHuman } from "@/server/engine/state";
import { ReviewDialog } from "@/components/human-tasks/review-dialog";
import { useHumanTaskResponse, type HumanTaskAnswer } from "@/components/human-tasks/use-human-task-response";
import { useEditorStore } from "../store/editor-store-provider";
import type { EditorState } from "../store/types";
import { nodeFactsOf, selectViewingHistory, TITLES } from "./human-task-panel";

const selectRespond = (s: EditorState) => s.respondToHuman;

/**
 * A waiting node's decision when zoomed out (the compact card has no room for the task panel):
 * one large "Review" button under the card that opens the task in the full-size dialog, with
 * Approve and Reject. Positioned outside the card's box, so edges still anchor to the card.
 */
export function CompactHumanTask({ nodeId }: { nodeId: string }) {
  const pending = useEditorStore(useCallback((s: EditorState) => s.run.state?.humans[nodeId], [nodeId]));
  if (!pending || pending.decision) return null;
  return <CompactDecision key={pending.taskId} nodeId={nodeId} pending={pending} />;
}

function CompactDecision({ nodeId, pending }: { nodeId: string; pending: PendingHuman }) {
  const respond = useEditorStore(selectRespond);
  const facts = useEditorStore(useShallow(useCallback((s: EditorState) => nodeFactsOf(s, nodeId), [nodeId])));
  const send = useCallback((decision: HumanDecision, extras: HumanTaskAnswer) => respond(nodeId, decision, extras), [respond, nodeId]);
  const response = useHumanTaskResponse({ ...pending, allowEdit: facts.allowEdit }, send);
  const historical = useEditorStore(selectViewingHistory);
  const [reviewing, setReviewing] = useState(false);
  if (!response.canRespond || historical) return null;
  const title = TITLES[pending.kind];

  return (
    <div className="nodrag nopan absolute top-full right-0 left-0 mt-3" onClick={(event) => event.stopPropagation()}>
      <button
        type="button"
        data-testid="compact-review"
        aria-label={`Review: ${title} (${facts.label})`}
        onClick={() => setReviewing(true)}
        className="w-full rounded-lg border-2 border-amber-600 bg-amber-400 px-3 py-2 text-2xl font-bold text-amber-950 shadow-md hover:bg-amber-300"
      >
        Review
      </button>
      {reviewing && <ReviewDialog title={title} subtitle={facts.label} task={pending} response={response} onClose={() => setReviewing(false)} />}
    </div>
  );
}
