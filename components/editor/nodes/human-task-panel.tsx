"use client";

import { useCallback, useState } from "react";
import type { HumanDecision } from "@/server/engine/events";
import type { HumanRequestKind } from "@/server/engine/state";
import { useEditorStore } from "../store/editor-store-provider";
import type { EditorState, HumanResponseExtras } from "../store/types";

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
  const respond = useEditorStore(selectRespond);
  const pending = useEditorStore(useCallback((s: EditorState) => s.run.state?.humans[nodeId], [nodeId]));
  const [sending, setSending] = useState<HumanDecision | null>(null);
  const [answer, setAnswer] = useState("");
  const [editedArguments, setEditedArguments] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  if (!pending || pending.decision) return null;
  const kind = pending.kind ?? "gate";
  const isQuestion = kind === "question";
  const toolCall = kind === "tool_approval" ? toolCallOf(pending.context) : null;
  const argumentsError = editedArguments === null ? null : jsonObjectError(editedArguments);

  const extrasFor = (decision: HumanDecision): HumanResponseExtras => {
    if (decision !== "approve") return {};
    if (isQuestion) return { answer };
    if (toolCall && editedArguments !== null && compactJson(editedArguments) !== compactJson(toolCall.arguments)) {
      return { editedArguments: compactJson(editedArguments) };
    }
    return {};
  };

  const decide = async (decision: HumanDecision) => {
    setSending(decision);
    setError(null);
    try {
      await respond(nodeId, decision, extrasFor(decision));
      // On success the panel stays disabled until the stream reports the decision.
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : "Could not send the decision");
      setSending(null);
    }
  };

  return (
    <div
      className="nodrag nopan nowheel cursor-default border-t border-amber-200 bg-amber-50 px-3 py-2"
      data-testid="human-task"
      // Deciding is not selecting: keep the click from reaching React Flow's node selection.
      onClick={(event) => event.stopPropagation()}
    >
      <p className="text-[10px] font-semibold tracking-wide text-amber-700 uppercase">{TITLES[kind]}</p>
      {pending.message && <p className="mt-0.5 mb-2 line-clamp-4 text-xs break-words text-amber-950">{pending.message}</p>}
      {toolCall && (
        <div className="mb-2">
          <div className="mb-0.5 flex items-center justify-between text-[10px] text-amber-800">
            <code className="font-mono font-semibold">{toolCall.tool}</code>
            <button
              type="button"
              className="underline hover:text-amber-950"
              onClick={() => setEditedArguments(editedArguments === null ? prettyJson(toolCall.arguments) : null)}
            >
              {editedArguments === null ? "Edit arguments" : "Use the model's"}
            </button>
          </div>
          {editedArguments === null ? (
            <pre className="max-h-24 overflow-auto rounded border border-amber-200 bg-white p-1.5 font-mono text-[10px] break-all whitespace-pre-wrap text-slate-700">
              {prettyJson(toolCall.arguments)}
            </pre>
          ) : (
            <textarea
              value={editedArguments}
              onChange={(event) => setEditedArguments(event.target.value)}
              rows={5}
              spellCheck={false}
              aria-label="Tool arguments (JSON)"
              className={`w-full resize-y rounded border bg-white p-1.5 font-mono text-[10px] focus:border-accent-500 focus:outline-none ${
                argumentsError ? "border-red-400" : "border-amber-300"
              }`}
            />
          )}
          {argumentsError && <p className="text-[10px] text-red-700">{argumentsError}</p>}
        </div>
      )}
      {isQuestion && (
        <textarea
          value={answer}
          onChange={(event) => setAnswer(event.target.value)}
          rows={2}
          aria-label="Answer"
          placeholder="Your answer"
          className="mb-2 w-full resize-none rounded border border-amber-300 bg-white px-2 py-1 text-xs focus:border-accent-500 focus:outline-none"
        />
      )}
      <div className="flex gap-2">
        <button
          type="button"
          disabled={sending !== null || (isQuestion && answer.trim() === "") || argumentsError !== null}
          onClick={() => void decide("approve")}
          className="flex-1 rounded-md bg-emerald-600 px-2 py-1 text-xs font-semibold text-white shadow-sm hover:bg-emerald-700 disabled:opacity-60"
        >
          {isQuestion ? "Send answer" : "Approve"}
        </button>
        <button
          type="button"
          disabled={sending !== null}
          onClick={() => void decide("reject")}
          className="flex-1 rounded-md border border-red-300 bg-white px-2 py-1 text-xs font-semibold text-red-700 hover:bg-red-50 disabled:opacity-60"
        >
          Reject
        </button>
      </div>
      {error && <p className="mt-1.5 text-[11px] text-red-700">{error}</p>}
    </div>
  );
}

/** A tool approval's context as the engine writes it: `{ tool, arguments: <JSON text> }`. */
function toolCallOf(context: unknown): { tool: string; arguments: string } | null {
  if (context === null || typeof context !== "object") return null;
  const tool = "tool" in context ? context.tool : undefined;
  const args = "arguments" in context ? context.arguments : undefined;
  return typeof tool === "string" && typeof args === "string" ? { tool, arguments: args } : null;
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function compactJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

function jsonObjectError(text: string): string | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? null : "Arguments must be a JSON object";
  } catch {
    return "Not valid JSON";
  }
}
