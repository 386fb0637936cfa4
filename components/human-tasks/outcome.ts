import type { CommittedEvent, HumanDecision, TimeoutOutcome } from "@/server/engine/events";

/**
 * Who answered a task and how, as people read it: "Rejected by Ada: too vague · 14:02",
 * "Approved with edits by Ada", "Timed out → reject". Pure, shared by the canvas card, the run
 * page's node details and its events list.
 */
export type HumanOutcome = {
  verb: string;
  /** Who answered; null for a timeout and for events recorded before sign-in existed. */
  by: string | null;
  at: string | null;
  /** The reviewer's words with the decision (the reject reason). */
  reason: string | null;
};

/** "Answered" for a question (approving one sends the answer), otherwise approved or rejected. */
export function decisionVerb(kind: string | undefined, decision: HumanDecision, edited = false): string {
  if (decision === "reject") return "Rejected";
  if (kind === "question") return "Answered";
  return edited ? "Approved with edits" : "Approved";
}

const TIMEOUT_VERB: Record<TimeoutOutcome, string> = {
  approve: "Timed out → approve",
  reject: "Timed out → reject",
  timeout: "Timed out → timeout branch",
};

/**
 * The outcome of task `taskId` from the run's events: the `human_responded` event names who
 * answered (`by`, absent on events older than sign-in), what they changed and why, and was
 * committed at `at`; a `human_timed_out` event says the node's timeout answered instead.
 */
export function humanOutcomeOf(
  events: readonly CommittedEvent[],
  task: { taskId: string; kind?: string; decision?: HumanDecision; comment?: string; timedOut?: TimeoutOutcome },
): HumanOutcome | null {
  if (!task.decision) return null;
  // The answer is usually among the latest events: search from the end.
  for (let index = events.length - 1; index >= 0; index--) {
    const event = events[index];
    if (event?.type === "human_responded" && event.taskId === task.taskId) {
      const edited = event.editedContent !== undefined || event.editedArguments !== undefined;
      return { verb: decisionVerb(task.kind, event.decision, edited), by: event.by ?? null, at: event.at, reason: reasonOf(event.comment) };
    }
    if (event?.type === "human_timed_out" && event.taskId === task.taskId) {
      return { verb: TIMEOUT_VERB[event.outcome], by: null, at: event.at, reason: null };
    }
  }
  // The events are not loaded (or were trimmed): say what the state knows.
  const verb = task.timedOut ? TIMEOUT_VERB[task.timedOut] : decisionVerb(task.kind, task.decision);
  return { verb, by: null, at: null, reason: reasonOf(task.comment) };
}

function reasonOf(comment: string | undefined): string | null {
  return comment !== undefined && comment.trim() !== "" ? comment.trim() : null;
}

/** "Rejected by Ada", or just "Rejected" when nobody is named. */
export function outcomeHeadline(outcome: HumanOutcome): string {
  return outcome.by ? `${outcome.verb} by ${outcome.by}` : outcome.verb;
}

/** "Rejected by Ada: too vague": the headline and the reason, when one was given. */
export function outcomeText(outcome: HumanOutcome): string {
  const headline = outcomeHeadline(outcome);
  return outcome.reason ? `${headline}: ${outcome.reason}` : headline;
}
