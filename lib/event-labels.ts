import type { RunEventType } from "@/server/engine/events";

/**
 * What each run event is called in the UI. The raw names (`node_started`) stay in the API and the
 * stored log; people read these. Keyed by the engine's event union: a new event type without a
 * label here fails typecheck.
 */
export const EVENT_LABELS: { readonly [Type in RunEventType]: string } = {
  run_started: "Run started",
  node_started: "Step started",
  llm_response: "Model replied",
  llm_error: "Model call failed",
  tool_result: "Tool returned",
  human_requested: "Waiting for a person",
  human_responded: "Person answered",
  human_timed_out: "No answer in time",
  context_compacted: "Conversation summarised",
  agent_unblocked: "Agent unblocked",
  budget_raised: "Budget raised",
  node_finished: "Step finished",
  node_failed: "Step failed",
  node_skipped: "Step skipped",
  run_finished: "Run finished",
  loop_iteration: "Loop went round",
  route_chosen: "Branch chosen",
  items_listed: "Items listed",
  child_started: "Child run started",
  child_finished: "Child run finished",
  compensation_started: "Undoing completed steps",
  run_paused: "Run paused",
  run_resumed: "Run resumed",
  run_retried: "Run retried",
  run_forked: "Run forked",
};

export function eventLabel(type: RunEventType): string {
  return EVENT_LABELS[type];
}
