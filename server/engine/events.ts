/**
 * The run's append-only event log. Every state change of a run is one of these events;
 * the run state is the fold of them (`step`). Persisted as RunStep rows with `seq`.
 */

import type { HumanRequestKind } from "./state";

export type ToolCall = {
  id: string;
  name: string;
  /** Raw JSON text exactly as the model produced it (may be invalid JSON). */
  arguments: string;
};

export type ChatMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string }
  | { role: "assistant"; content: string | null; toolCalls?: ToolCall[] }
  | { role: "tool"; toolCallId: string; content: string };

export type Usage = { promptTokens: number; completionTokens: number };

export type HumanDecision = "approve" | "reject";

export type RunEvent =
  | { type: "run_started"; input: unknown }
  /** For agent nodes, `messages` is the initial thread: the prompt exactly as the model will see it. */
  | { type: "node_started"; nodeId: string; messages?: ChatMessage[] }
  | {
      type: "llm_response";
      nodeId: string;
      provider: string;
      model: string;
      message: Extract<ChatMessage, { role: "assistant" }>;
      usage: Usage;
      costUsd: number;
      latencyMs: number;
      /** How many messages of the thread were sent (what the model saw). */
      sentMessages: number;
      /** Estimated tokens of what was sent (the context the agent used for this step). */
      sentTokens?: number;
    }
  | { type: "llm_error"; nodeId: string; provider: string; model: string; error: string; latencyMs: number }
  /** `toolCallId` is null for a tool node's own call; `data` is the structured result. */
  | { type: "tool_result"; nodeId: string; toolCallId: string | null; name: string; ok: boolean; content: string; data?: unknown }
  | {
      type: "human_requested";
      nodeId: string;
      taskId: string;
      kind?: HumanRequestKind;
      message: string;
      context: unknown;
      toolCallId?: string;
    }
  | {
      type: "human_responded";
      nodeId: string;
      taskId: string;
      decision: HumanDecision;
      comment?: string;
      answer?: string;
      editedArguments?: string;
      /** Who answered, as shown to people (the audit trail has the account). */
      by?: string;
    }
  /** Old turns of an agent's thread replaced by a summary to stay within its context budget. */
  | { type: "context_compacted"; nodeId: string; removedMessages: number; summary: string; tokensBefore: number; tokensAfter: number }
  /** A human let a stuck agent go on: more steps, or another try after repeated errors. */
  | { type: "agent_unblocked"; nodeId: string; extraSteps: number; resetErrors: boolean }
  /** A human raised the run's budget. */
  | { type: "budget_raised"; nodeId: string; tokens: number; usd: number }
  | { type: "node_finished"; nodeId: string; output: unknown; handle: string | null }
  | { type: "node_failed"; nodeId: string; error: string }
  /** No taken edge leads to the node (dead-path elimination after a branch). */
  | { type: "node_skipped"; nodeId: string }
  | { type: "run_finished"; status: TerminalRunStatus; output?: unknown; error?: string }
  /** A loop starts an iteration; its body's nodes are reset so they run again. */
  | { type: "loop_iteration"; nodeId: string; iteration: number; resetNodeIds?: string[] }
  /** Operator controls; they take effect at the next step boundary. */
  | { type: "run_paused"; by: string }
  | { type: "run_resumed"; by: string };

export type RunEventType = RunEvent["type"];

/** An event as committed: its place in the log and the time the worker committed it. */
export type CommittedEvent = RunEvent & { seq: number; at: string };

export type TerminalRunStatus = "succeeded" | "failed" | "rejected" | "cancelled";

export type RunStatus = "queued" | "running" | "waiting_for_human" | "paused" | TerminalRunStatus;

export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ["succeeded", "failed", "rejected", "cancelled"];

export function isTerminalStatus(status: RunStatus): status is TerminalRunStatus {
  return TERMINAL_RUN_STATUSES.includes(status);
}

/** The node an event concerns, if any (the canvas re-renders only that node). */
export function eventNodeId(event: RunEvent): string | null {
  return "nodeId" in event ? event.nodeId : null;
}
