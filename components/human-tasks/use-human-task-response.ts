"use client";

import { useState } from "react";
import type { HumanDecision } from "@/server/engine/events";
import { useCan } from "@/components/session/session-context";
import { errorMessage } from "@/components/trpc";
import { contentEditorText, parseContentEdit } from "./content";
import { editedArgumentsToSend, jsonObjectError, prettyJson, toolCallOf, type PendingToolCall } from "./tool-call";

/**
 * What every place knows about a waiting task: its kind and the context the engine attached
 * (for a gate, the content under review). `allowEdit` is the human node's "Reviewer may edit
 * the content" (absent: allowed; the server refuses an edit the node does not allow).
 */
export type HumanTaskLike = { kind?: string; context: unknown; allowEdit?: boolean };

/** What a decision carries besides approve/reject (the tRPC `human.respond` fields). */
export type HumanTaskAnswer = { comment?: string; answer?: string; editedArguments?: string; editedContent?: unknown };

export type SendHumanResponse = (decision: HumanDecision, extras: HumanTaskAnswer) => Promise<unknown>;

export type HumanTaskResponse = {
  /**
   * Whether the signed-in role may answer ("human:respond", operator and above). Without it
   * every place shows the task read-only — no answer box, no editors, no buttons — and
   * `decide` does nothing.
   */
  canRespond: boolean;
  kind: string;
  isQuestion: boolean;
  /** The call a tool approval asks about; null for every other kind. */
  toolCall: PendingToolCall | null;
  answer: string;
  setAnswer: (answer: string) => void;
  /** The person's version of the tool arguments (JSON text), or null while the model's are used. */
  editedArguments: string | null;
  setEditedArguments: (text: string) => void;
  /** Starts editing from the model's arguments, or goes back to them. */
  toggleArgumentsEditing: () => void;
  /** Why the edited arguments cannot be sent ("Not valid JSON"), or null. */
  argumentsError: string | null;
  /** A gate whose node lets the reviewer correct the content before approving. */
  canEditContent: boolean;
  /** Whether the content is text (edited as text) or a JSON value (edited as JSON). */
  contentIsText: boolean;
  /** The reviewer's version of the content (text or JSON text), or null while not editing. */
  editedContent: string | null;
  setEditedContent: (text: string) => void;
  /** Starts editing from the content under review, or drops the edit. */
  toggleContentEditing: () => void;
  /** Why the edited content cannot be sent (not valid JSON), or null. */
  contentError: string | null;
  /** The edit differs from the original: approving sends it. */
  contentChanged: boolean;
  /** The reject reason box is open: the next step is confirming the reject. */
  rejecting: boolean;
  /** Opens the reason box (Reject), or closes it again (Cancel). */
  setRejecting: (rejecting: boolean) => void;
  reason: string;
  setReason: (reason: string) => void;
  /** The decision being sent; stays set after success until the task goes away. */
  sending: HumanDecision | null;
  /** Why the last send failed. */
  error: string | null;
  canApprove: boolean;
  approveLabel: string;
  decide: (decision: HumanDecision) => Promise<void>;
};

/**
 * The answering logic of a task waiting for a person, shared by the canvas card, its Review
 * dialog and the Inbox: the answer to a question, edited tool arguments, the edited content of a
 * gate, the reason for a reject, their validation, and sending the decision once. Each place
 * renders it in its own layout; `send` is how that place reaches the `human.respond` mutation.
 * Key the caller by task id so a new task starts fresh.
 */
export function useHumanTaskResponse(task: HumanTaskLike, send: SendHumanResponse): HumanTaskResponse {
  const [answer, setAnswer] = useState("");
  const [editedArguments, setEditedArguments] = useState<string | null>(null);
  const [editedContent, setEditedContent] = useState<string | null>(null);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState("");
  const [sending, setSending] = useState<HumanDecision | null>(null);
  const [error, setError] = useState<string | null>(null);

  const canRespond = useCan("human:respond");
  const kind = task.kind ?? "gate";
  const isQuestion = kind === "question";
  const toolCall = kind === "tool_approval" ? toolCallOf(task.context) : null;
  const argumentsError = editedArguments === null ? null : jsonObjectError(editedArguments);
  const canEditContent = canRespond && kind === "gate" && task.allowEdit !== false;
  const contentEdit = editedContent === null ? null : parseContentEdit(task.context, editedContent);
  const contentError = contentEdit && !contentEdit.ok ? contentEdit.error : null;
  const contentChanged = contentEdit?.ok === true && contentEdit.changed;
  const canApprove =
    canRespond && sending === null && !(isQuestion && answer.trim() === "") && argumentsError === null && contentError === null;

  const extrasFor = (decision: HumanDecision): HumanTaskAnswer => {
    if (decision === "reject") return reason.trim() === "" ? {} : { comment: reason.trim() };
    if (isQuestion) return { answer };
    if (contentEdit?.ok && contentEdit.changed) return { editedContent: contentEdit.value };
    const edited = toolCall ? editedArgumentsToSend(toolCall, editedArguments) : undefined;
    return edited === undefined ? {} : { editedArguments: edited };
  };

  const decide = async (decision: HumanDecision) => {
    if (!canRespond || sending !== null || (decision === "approve" && !canApprove)) return;
    setSending(decision);
    setError(null);
    try {
      await send(decision, extrasFor(decision));
      // On success the controls stay disabled until the task disappears (stream or refetch).
    } catch (cause) {
      setError(errorMessage(cause));
      setSending(null);
    }
  };

  return {
    canRespond,
    kind,
    isQuestion,
    toolCall,
    answer,
    setAnswer,
    editedArguments,
    setEditedArguments,
    toggleArgumentsEditing: () => setEditedArguments(canRespond && editedArguments === null && toolCall ? prettyJson(toolCall.arguments) : null),
    argumentsError,
    canEditContent,
    contentIsText: typeof task.context === "string",
    editedContent,
    setEditedContent,
    toggleContentEditing: () => setEditedContent(canEditContent && editedContent === null ? contentEditorText(task.context) : null),
    contentError,
    contentChanged,
    rejecting: canRespond && rejecting,
    setRejecting: (open: boolean) => {
      if (sending === null) setRejecting(open);
    },
    reason,
    setReason,
    sending,
    error,
    canApprove,
    approveLabel: isQuestion ? "Send answer" : contentChanged ? "Approve with edits" : "Approve",
    decide,
  };
}
