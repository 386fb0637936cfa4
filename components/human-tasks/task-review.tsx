"use client";

import { Markdown } from "@/components/ui/markdown";
import { AnswerField } from "./answer-field";
import { ContentEditor } from "./content-editor";
import { DecisionBar } from "./decision-bar";
import { ReviewContent } from "./review-content";
import type { HumanTaskResponse } from "./use-human-task-response";

/**
 * A waiting task in full, where there is room (an Inbox row, the canvas card's Review dialog):
 * the rendered message, what is under review, the editors, and the decision. Without the right
 * to answer it is the same, read-only, with a note instead of buttons.
 */
export function TaskReview({
  task,
  response,
}: {
  task: { kind?: string; message: string; context: unknown };
  response: HumanTaskResponse;
}) {
  return (
    <>
      {task.message.trim() !== "" && (
        <div className="mt-2 text-slate-800" data-testid="human-task-message">
          <Markdown text={task.message} size="roomy" />
        </div>
      )}
      <ReviewContent kind={task.kind} context={task.context} size="roomy" response={response} />
      <ContentEditor response={response} />
      <AnswerField response={response} size="roomy" />
      {response.canRespond ? (
        <DecisionBar response={response} size="roomy" />
      ) : (
        <p className="mt-3 text-xs font-medium text-amber-800" data-testid="human-task-waiting">
          Waiting for an operator
        </p>
      )}
    </>
  );
}
