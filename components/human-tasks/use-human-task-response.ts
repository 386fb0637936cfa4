"use client";

import { useState } from "react";
import type { HumanDecision } from "@/server/engine/events";
import { useCan } from "@/components/session/session-context";
import { errorMessage } from "@/components/trpc";
import { editedArgumentsToSend, jsonObjectError, prettyJson, toolCallOf, type PendingToolCall } from "./tool-call";

/** What both places know about a waiting task: its kind and the context the engine attached. */
export type HumanTaskLike = { kind?: string; context: unknown };

/** What a decision carries besides approve/reject (the tRPC `human.respond` fields). */
export type HumanTaskAnswer = { answer?: string; editedArguments?: string };

export type SendHumanResponse = (decision: HumanDecision, extras: HumanTaskAnswer) => Promise<unknown>;

export type HumanTaskResponse = {
  /**
   * Whether the signed-in role may answer ("human:respond", operator and above). Without it
   * both places show the task read-only — no answer box, no argument editor, no buttons —
   * and `decide` does nothing.
   */
  canRespond: boolean;
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
  /** The decision being sent; stays set after success until the task goes away. */
  sending: HumanDecision | null;
  /** Why the last send failed. */
  error: string | null;
  canApprove: boolean;
  approveLabel: string;
  decide: (decision: HumanDecision) => Promise<void>;
};

/**
 * The answering logic of a task waiting for a person, shared by the canvas node and the Inbox:
 * the answer to a question, edited tool arguments and their validation, and sending the
 * decision once. Each place renders it in its own layout; `send` is how that place reaches
 * the `human.respond` mutation. Key the caller by task id so a new task starts fresh.
 */
export function useHumanTaskResponse(task: HumanTaskLike, send: SendHumanResponse): HumanTaskResponse {
  const [answer, setAnswer] = useState("");
  const [editedArguments, setEditedArguments] = useState<string | null>(null);
  const [sending, setSending] = useState<HumanDecision | null>(null);
  const [error, setError] = useState<string | null>(null);

  const canRespond = useCan("human:respond");
  const isQuestion = task.kind === "question";
  const toolCall = task.kind === "tool_approval" ? toolCallOf(task.context) : null;
  const argumentsError = editedArguments === null ? null : jsonObjectError(editedArguments);
  const canApprove = canRespond && sending === null && !(isQuestion && answer.trim() === "") && argumentsError === null;

  const extrasFor = (decision: HumanDecision): HumanTaskAnswer => {
    if (decision !== "approve") return {};
    if (isQuestion) return { answer };
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
    isQuestion,
    toolCall,
    answer,
    setAnswer,
    editedArguments,
    setEditedArguments,
    toggleArgumentsEditing: () => setEditedArguments(canRespond && editedArguments === null && toolCall ? prettyJson(toolCall.arguments) : null),
    argumentsError,
    sending,
    error,
    canApprove,
    approveLabel: isQuestion ? "Send answer" : "Approve",
    decide,
  };
}
