"use client";

import { useCallback } from "react";
import { useShallow } from "zustand/react/shallow";
import type { HumanDecision } from "@/server/engine/events";
import type { HumanRequestKind, PendingHuman } from "@/server/engine/state";
import { AnswerField } from "@/components/human-tasks/answer-field";
import { ToolArguments } from "@/components/human-tasks/tool-arguments";
import { outcomeText } from "@/components/human-tasks/outcome";
import { useHumanTaskResponse, type HumanTaskAnswer, type HumanTaskResponse } from "@/components/human-tasks/use-human-task-response";
import { formatDateTime } from "@/components/ui/format";
import { useEditorStore } from "../store/editor-store-provider";
import { humanOutcomeOfNode } from "../store/selectors";
import type { EditorState } from "../store/types";

const selectRespond = (s: EditorState) => s.respondToHuman;

const TITLES: Record<HumanRequestKind, string> = {
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
  // Keyed by task: the next task on this node starts with a fresh answer and fresh arguments.
  return <PendingTaskPanel key={pending.taskId} nodeId={nodeId} pending={pending} />;
}

function PendingTaskPanel({ nodeId, pending }: { nodeId: string; pending: PendingHuman }) {
  const respond = useEditorStore(selectRespond);
  const send = useCallback(
    (decision: HumanDecision, extras: HumanTaskAnswer) => respond(nodeId, decision, extras),
    [respond, nodeId],
  );
  const response = useHumanTaskResponse(pending, send);
  const kind = pending.kind ?? "gate";

  return (
    <div
      className="nodrag nopan nowheel cursor-default border-t border-amber-200 bg-amber-50 px-3 py-2"
      data-testid="human-task"
      // Deciding is not selecting: keep the click from reaching React Flow's node selection.
      onClick={(event) => event.stopPropagation()}
    >
      <p className="text-[10px] font-semibold tracking-wide text-amber-700 uppercase">{TITLES[kind]}</p>
      {pending.message && <p className="mt-0.5 mb-2 line-clamp-4 text-xs break-words text-amber-950">{pending.message}</p>}
      <ToolArguments response={response} size="compact" />
      <AnswerField response={response} size="compact" />
      {response.canRespond ? (
        <Decision response={response} />
      ) : (
        <p className="text-[11px] font-medium text-amber-800" data-testid="human-task-waiting">
          Waiting for an operator
        </p>
      )}
    </div>
  );
}

function Decision({ response }: { response: HumanTaskResponse }) {
  return (
    <>
      <div className="flex gap-2">
        <button
          type="button"
          disabled={!response.canApprove}
          onClick={() => void response.decide("approve")}
          className="flex-1 rounded-md bg-emerald-600 px-2 py-1 text-xs font-semibold text-white shadow-sm hover:bg-emerald-700 disabled:opacity-60"
        >
          {response.approveLabel}
        </button>
        <button
          type="button"
          disabled={response.sending !== null}
          onClick={() => void response.decide("reject")}
          className="flex-1 rounded-md border border-red-300 bg-white px-2 py-1 text-xs font-semibold text-red-700 hover:bg-red-50 disabled:opacity-60"
        >
          Reject
        </button>
      </div>
      {response.error && <p className="mt-1.5 text-[11px] text-red-700">{response.error}</p>}
    </>
  );
}

/** Under a node a person answered: "Approved by Ada · 14:02". */
export function HumanOutcomeNote({ nodeId }: { nodeId: string }) {
  const outcome = useEditorStore(useShallow(useCallback((s: EditorState) => humanOutcomeOfNode(s, nodeId), [nodeId])));
  if (!outcome) return null;
  return (
    <p
      className="line-clamp-2 border-t border-slate-100 px-3 py-1.5 text-[11px] leading-snug break-words text-slate-500"
      data-testid="human-outcome"
      title={outcome.at ? formatDateTime(outcome.at) : undefined}
    >
      <span className="font-medium text-slate-700">{outcomeText(outcome)}</span>
      {outcome.at && ` · ${new Date(outcome.at).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })}`}
    </p>
  );
}
