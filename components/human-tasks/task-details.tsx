"use client";

import type { PendingHuman } from "@/server/engine/state";
import { formatDateTime } from "@/components/ui/format";
import { outcomeText, type HumanOutcome } from "./outcome";
import { ContentView, ReviewContent } from "./review-content";

/**
 * A node's task on the run page's node details, read-only: the rendered message, who decided
 * and why (or that it still waits), and what was under review — with the reviewer's edited
 * version beside the original when they approved with edits.
 */
export function HumanTaskDetails({ human, outcome, waiting }: { human: PendingHuman; outcome: HumanOutcome | null; waiting: boolean }) {
  return (
    <div className="space-y-3" data-testid="human-task-details">
      <div className="rounded-md border border-amber-200 bg-amber-50 p-2.5 text-xs text-amber-900">
        <p className="break-words whitespace-pre-wrap" data-testid="human-task-message">
          {human.message}
        </p>
        {outcome ? (
          <p className="mt-1 break-words" data-testid="human-decision">
            <span className="font-semibold">{outcomeText(outcome)}</span>
            {outcome.at && ` · ${formatDateTime(outcome.at)}`}
          </p>
        ) : (
          <p className="mt-1 font-semibold" data-testid="human-decision">
            {waiting ? "Waiting for an operator" : "Not answered"}
          </p>
        )}
        {human.answer !== undefined && <p className="mt-1 break-words whitespace-pre-wrap">Answer: {human.answer}</p>}
      </div>
      <ReviewContent kind={human.kind} context={human.context} size="roomy" />
      {human.editedContent !== undefined && (
        <div>
          <p className="mb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">Approved with edits</p>
          <ContentView value={human.editedContent} size="roomy" label="Approved with edits" />
        </div>
      )}
    </div>
  );
}
