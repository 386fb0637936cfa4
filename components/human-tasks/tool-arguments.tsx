"use client";

import { useId } from "react";
import { prettyJson } from "./tool-call";
import type { HumanTaskResponse } from "./use-human-task-response";

/** Class sets for the two places a tool approval is answered: the canvas node and the Inbox row. */
const STYLES = {
  compact: {
    box: "mb-2",
    header: "mb-0.5 flex items-center justify-between text-[10px] text-amber-800",
    tool: "font-mono font-semibold",
    toggle: "underline hover:text-amber-950",
    view: "max-h-24 overflow-auto rounded border border-amber-200 bg-white p-1.5 font-mono text-[10px] break-all whitespace-pre-wrap text-slate-700",
    editor: "w-full resize-y rounded border bg-white p-1.5 font-mono text-[10px] focus:border-accent-500 focus:outline-none",
    editorBorder: "border-amber-300",
    rows: 5,
    error: "text-[10px] text-red-700",
  },
  roomy: {
    box: "mt-3",
    header: "mb-1 flex items-center justify-between text-xs text-slate-600",
    tool: "font-mono font-semibold text-slate-800",
    toggle: "font-medium text-accent-700 hover:underline",
    view: "max-h-48 overflow-auto rounded-md border border-slate-200 bg-slate-50 p-2.5 font-mono text-xs break-all whitespace-pre-wrap text-slate-700",
    editor:
      "w-full resize-y rounded-md border bg-white p-2.5 font-mono text-xs focus:border-accent-500 focus:ring-2 focus:ring-accent-500/20 focus:outline-none",
    editorBorder: "border-slate-300",
    rows: 8,
    error: "mt-1 text-xs text-red-700",
  },
} as const;

/**
 * A tool approval's call: the tool, its arguments, and an editor for them that reports
 * invalid JSON (the hook then keeps Approve disabled). Renders nothing for other kinds; without
 * the right to answer, the arguments are shown but cannot be edited.
 */
export function ToolArguments({ response, size }: { response: HumanTaskResponse; size: keyof typeof STYLES }) {
  const errorId = useId();
  const { toolCall, editedArguments, argumentsError } = response;
  if (!toolCall) return null;
  const styles = STYLES[size];
  return (
    <div className={styles.box}>
      <div className={styles.header}>
        <code className={styles.tool}>{toolCall.tool}</code>
        {response.canRespond && (
          <button type="button" className={styles.toggle} onClick={response.toggleArgumentsEditing}>
            {editedArguments === null ? "Edit arguments" : "Use the model's"}
          </button>
        )}
      </div>
      {editedArguments === null ? (
        <pre className={styles.view}>
          {prettyJson(toolCall.arguments)}
        </pre>
      ) : (
        <textarea
          value={editedArguments}
          onChange={(event) => response.setEditedArguments(event.target.value)}
          rows={styles.rows}
          spellCheck={false}
          aria-label="Tool arguments (JSON)"
          aria-invalid={argumentsError !== null}
          aria-describedby={argumentsError ? errorId : undefined}
          className={`${styles.editor} ${argumentsError ? "border-red-400" : styles.editorBorder}`}
        />
      )}
      {argumentsError && (
        <p id={errorId} className={styles.error}>
          {argumentsError}
        </p>
      )}
    </div>
  );
}
