"use client";

import { useId } from "react";
import type { HumanTaskResponse } from "./use-human-task-response";

/**
 * "Edit then approve": the reviewer's corrected version of a gate's content. Text is edited as
 * text, anything else as JSON (invalid JSON keeps Approve disabled and says why). What the
 * reviewer approves is what flows on; the original stays in the run's log.
 */
export function ContentEditor({ response }: { response: HumanTaskResponse }) {
  const errorId = useId();
  const hintId = useId();
  const editorId = useId();
  if (response.editedContent === null) return null;
  const label = response.contentIsText ? "Edited content" : "Edited content (JSON)";
  return (
    <div className="mt-3">
      <div className="mb-1 flex items-center justify-between">
        <label className="text-xs font-semibold tracking-wide text-slate-500 uppercase" htmlFor={editorId}>
          {label}
        </label>
        <button type="button" onClick={response.toggleContentEditing} className="text-xs font-medium text-accent-700 hover:underline">
          Discard edits
        </button>
      </div>
      <textarea
        id={editorId}
        value={response.editedContent}
        onChange={(event) => response.setEditedContent(event.target.value)}
        rows={Math.min(18, Math.max(6, response.editedContent.split("\n").length + 1))}
        spellCheck={response.contentIsText}
        aria-invalid={response.contentError !== null}
        aria-describedby={response.contentError ? errorId : hintId}
        className={`w-full resize-y rounded-md border bg-white p-2.5 text-sm focus:border-accent-500 focus:ring-2 focus:ring-accent-500/20 focus:outline-none ${
          response.contentIsText ? "" : "font-mono text-xs"
        } ${response.contentError ? "border-red-400" : "border-slate-300"}`}
      />
      {response.contentError ? (
        <p id={errorId} className="mt-1 text-xs text-red-700">
          {response.contentError}
        </p>
      ) : (
        <p id={hintId} className="mt-1 text-xs text-slate-500">
          {response.contentChanged
            ? "Approving sends your version on; the original stays in the run's log."
            : "Unchanged: approving sends the original."}
        </p>
      )}
    </div>
  );
}
