"use client";

import { useCallback, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import type { HumanDecision } from "@/server/engine/events";
import type { HumanRequestKind, PendingHuman } from "@/server/engine/state";
import { AnswerField } from "@/components/human-tasks/answer-field";
import { DecisionBar } from "@/components/human-tasks/decision-bar";
import { DueNote } from "@/components/human-tasks/due-note";
import { outcomeHeadline, outcomeText } from "@/components/human-tasks/outcome";
import { ReviewContent } from "@/components/human-tasks/review-content";
import { ReviewDialog } from "@/components/human-tasks/review-dialog";
import { useHumanTaskResponse, type HumanTaskAnswer } from "@/components/human-tasks/use-human-task-response";
import { formatDateTime } from "@/components/ui/format";
import { useEditorStore } from "../store/editor-store-provider";
import { findNode, humanOutcomeOfNode } from "../store/selectors";
import type { EditorState } from "../store/types";

const selectRespond = (s: EditorState) => s.respondToHuman;

export const TITLES: Record<HumanRequestKind, string> = {
  gate: "Approval needed",
  question: "The agent asks",
  tool_approval: "Tool call needs approval",
  continue: "Step limit reached: continue?",
  errors: "Repeated errors: try again?",
  budget: "Budget reached: spend more?",
};

/**
 * Shown on a node while the run waits for a person there. The decision goes to the pending
 * task of this node in the run overlay (`state.humans[nodeId].taskId`), through a store action.
 */
export function HumanTaskPanel({ nodeId }: { nodeId: string }) {
  const pending = useEditorStore(useCallback((s: EditorState) => s.run.state?.humans[nodeId], [nodeId]));
  if (!pending || pending.decision) return null;
  // Keyed by task: the next task on this node starts with a fresh answer, edits and reason.
  return <PendingTaskPanel key={pending.taskId} nodeId={nodeId} pending={pending} />;
}

export const selectViewingHistory = (s: EditorState) => s.timeTravel !== null;

/** The node's label, and for a human node whether its reviewer may edit the content. */
export const nodeFactsOf = (s: EditorState, nodeId: string) => {
  const node = findNode(s, nodeId);
  return { label: node?.data.label ?? nodeId, allowEdit: node?.type === "human" ? node.data.allowEdit : undefined };
};

/** When the task times out: its request event says (absent without a timeout). */
const dueAtOf = (s: EditorState, taskId: string): string | null => {
  const events = s.run.events;
  // The request is usually among the latest events: search from the end.
  for (let index = events.length - 1; index >= 0; index--) {
    const event = events[index];
    if (event?.type === "human_requested" && event.taskId === taskId) return event.dueAt ?? null;
  }
  return null;
};

/**
 * Compact, at node width: the message, a small scrolling view of the content, and the
 * decision; "Review" opens the same task in a roomy dialog (the full content, Edit then
 * approve, the reject reason).
 */
function PendingTaskPanel({ nodeId, pending }: { nodeId: string; pending: PendingHuman }) {
  const respond = useEditorStore(selectRespond);
  const facts = useEditorStore(useShallow(useCallback((s: EditorState) => nodeFactsOf(s, nodeId), [nodeId])));
  const send = useCallback(
    (decision: HumanDecision, extras: HumanTaskAnswer) => respond(nodeId, decision, extras),
    [respond, nodeId],
  );
  const dueAt = useEditorStore(useCallback((s: EditorState) => dueAtOf(s, pending.taskId), [pending.taskId]));
  const response = useHumanTaskResponse({ ...pending, allowEdit: facts.allowEdit }, send);
  // Viewing an earlier event of the run (time travel): the task is history there, not a decision to make.
  const historical = useEditorStore(selectViewingHistory);
  const canDecide = response.canRespond && !historical;
  const [reviewing, setReviewing] = useState(false);
  const title = TITLES[pending.kind];

  return (
    <div
      className="nodrag nopan nowheel cursor-default border-t border-amber-200 bg-amber-50 px-3 py-2"
      data-testid="human-task"
      // Deciding is not selecting: keep the click from reaching React Flow's node selection.
      onClick={(event) => event.stopPropagation()}
    >
      <div className="flex items-center justify-between gap-2">
        <p className="text-[10px] font-semibold tracking-wide text-amber-700 uppercase">{title}</p>
        {/* Deciding needs room; reading does not (the card scrolls, the run page's node details are roomy). */}
        {canDecide && (
          <button
            type="button"
            onClick={() => setReviewing(true)}
            className="text-[11px] font-semibold text-amber-800 underline decoration-amber-400 underline-offset-2 hover:text-amber-950"
          >
            Review
          </button>
        )}
      </div>
      <DueNote dueAt={dueAt} className="text-[10px] text-amber-700" />
      {pending.message && (
        <p className="mt-0.5 mb-2 line-clamp-3 text-xs break-words whitespace-pre-line text-amber-950" data-testid="human-task-message">
          {pending.message}
        </p>
      )}
      <ReviewContent kind={pending.kind} context={pending.context} size="compact" response={response} />
      <AnswerField response={response} size="compact" />
      {canDecide ? (
        <DecisionBar response={response} size="compact" />
      ) : (
        <p className="text-[11px] font-medium text-amber-800" data-testid="human-task-waiting">
          {historical ? "Waiting for a person at this point" : "Waiting for an operator"}
        </p>
      )}
      {reviewing && (
        <ReviewDialog
          title={title}
          subtitle={facts.label}
          task={pending}
          response={response}
          onClose={() => setReviewing(false)}
        />
      )}
    </div>
  );
}

/** Under a node a person answered: "Rejected by Ada: too vague · 14:02", "Timed out → reject". */
export function HumanOutcomeNote({ nodeId }: { nodeId: string }) {
  const outcome = useEditorStore(useShallow(useCallback((s: EditorState) => humanOutcomeOfNode(s, nodeId), [nodeId])));
  if (!outcome) return null;
  const time = outcome.at ? new Date(outcome.at).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" }) : null;
  return (
    <p
      className="line-clamp-2 border-t border-slate-100 px-3 py-1.5 text-[11px] leading-snug break-words text-slate-500"
      data-testid="human-outcome"
      title={[outcomeText(outcome), outcome.at ? formatDateTime(outcome.at) : null].filter(Boolean).join(" · ")}
    >
      <span className="font-medium text-slate-700">{outcomeHeadline(outcome)}</span>
      {outcome.reason && `: ${outcome.reason}`}
      {time && ` · ${time}`}
    </p>
  );
}
