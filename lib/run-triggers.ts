/**
 * What started a run: a person in the editor, another system over the REST API, a schedule, or
 * another run (a for-each item or a sub-workflow).
 * One list for the run's column, the runs list filter (REST and UI) and the API's contract.
 */
export const RUN_TRIGGERS = ["manual", "api", "schedule", "workflow"] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

export function isRunTrigger(value: string): value is RunTrigger {
  return (RUN_TRIGGERS as readonly string[]).includes(value);
}

/** `workflow`: a child run, started by another run's for-each or sub-workflow node. */
const LABELS: Record<RunTrigger, string> = { manual: "Manual", api: "API", schedule: "Schedule", workflow: "Workflow" };

export function triggerLabel(trigger: string): string {
  return isRunTrigger(trigger) ? LABELS[trigger] : trigger;
}
