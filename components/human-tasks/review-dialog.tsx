"use client";

import { useId } from "react";
import { createPortal } from "react-dom";
import { TaskReview } from "./task-review";
import type { HumanTaskResponse } from "./use-human-task-response";
import { useModalDialog } from "@/components/ui/use-modal-dialog";

/**
 * The canvas card's task with room to read and decide: the full content, the editor for
 * "Edit then approve" and the reject reason. It shares the card's `response`, so an edit or
 * a reason typed here is what the card's buttons send too.
 *
 * Rendered into document.body (a native modal <dialog>: focus trap, Escape, backdrop), outside
 * the canvas's DOM, so React Flow neither drags, zooms nor selects through it. Keys stay
 * inside: the editor's shortcuts are for the canvas, not for this form.
 */
export function ReviewDialog({
  title,
  subtitle,
  task,
  response,
  onClose,
}: {
  title: string;
  subtitle?: string;
  task: { kind?: string; message: string; context: unknown };
  response: HumanTaskResponse;
  onClose: () => void;
}) {
  const ref = useModalDialog();
  const titleId = useId();

  return createPortal(
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      data-testid="review-dialog"
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onKeyDown={(event) => event.stopPropagation()}
      className="m-auto max-h-[calc(100vh-4rem)] w-[min(44rem,calc(100%-2rem))] overflow-y-auto rounded-lg border border-slate-200 bg-white p-5 text-sm text-slate-700 shadow-xl backdrop:bg-slate-900/30"
    >
      <div className="flex items-start justify-between gap-4">
        <div className="min-w-0">
          <h2 id={titleId} className="text-base font-semibold text-slate-900">
            {title}
          </h2>
          {subtitle && <p className="truncate text-xs text-slate-500">{subtitle}</p>}
        </div>
        <button
          type="button"
          onClick={onClose}
          className="shrink-0 rounded-md px-2 py-1 text-xs font-medium text-slate-600 hover:bg-slate-100 hover:text-slate-900"
        >
          Close
        </button>
      </div>
      <TaskReview task={task} response={response} />
    </dialog>,
    document.body,
  );
}
