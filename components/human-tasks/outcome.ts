import type { CommittedEvent, HumanDecision } from "@/server/engine/events";

/**
 * Who answered a task and how, as people read it: "Approved by Ada · 14:02". Pure, shared by
 * the canvas card, the run page's node details and its events list.
 */
export type HumanOutcome = { verb: string; by: string | null; at: string | null };

/** "Answered" for a question (approving one sends the answer), otherwise approved or rejected. */
export function decisionVerb(kind: string | undefined, decision: HumanDecision): string {
  if (decision === "reject") return "Rejected";
  return kind === "question" ? "Answered" : "Approved";
}

/**
 * The outcome of task `taskId` from the run's events: the `human_responded` event names who
 * answered (`by`, absent on events older than sign-in) and was committed at `at`.
 */
export function humanOutcomeOf(
  events: readonly CommittedEvent[],
  task: { taskId: string; kind?: string; decision?: HumanDecision },
): HumanOutcome | null {
  if (!task.decision) return null;
  // The answer is usually among the latest events: search from the end.
  for (let index = events.length - 1; index >= 0; index--) {
    const event = events[index];
    if (event?.type === "human_responded" && event.taskId === task.taskId) {
      return { verb: decisionVerb(task.kind, event.decision), by: event.by ?? null, at: event.at };
    }
  }
  return { verb: decisionVerb(task.kind, task.decision), by: null, at: null };
}

/** "Approved by Ada", or just "Approved" when nobody is named. */
export function outcomeText(outcome: HumanOutcome): string {
  return outcome.by ? `${outcome.verb} by ${outcome.by}` : outcome.verb;
}
