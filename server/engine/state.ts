import type { ChatMessage, CommittedEvent, HumanDecision, RunStatus, Usage } from "./events";

/**
 * The whole state of a run as one serializable object (12-Factor: unify execution and
 * business state). It is only ever produced by folding events with `step`.
 */

export type NodeRunStatus = "pending" | "running" | "waiting" | "succeeded" | "failed" | "skipped";

export type NodeRunState = {
  status: NodeRunStatus;
  output?: unknown;
  /** The source handle the node finished through; decides which outgoing edges are taken. */
  handle?: string | null;
  error?: string;
  startedAt?: string;
  finishedAt?: string;
  /** Loop nodes: the current iteration (1-based). */
  iteration?: number;
};

export type AgentThread = {
  messages: ChatMessage[];
  /** Model calls made by this agent node. */
  modelCalls: number;
  consecutiveErrors: number;
  /** The latest model or tool error, compacted; shown when the node gives up. */
  lastError?: string;
};

export type PendingHuman = {
  nodeId: string;
  taskId: string;
  message: string;
  context: unknown;
  decision?: HumanDecision;
  comment?: string;
};

export type RunState = {
  status: RunStatus;
  input: unknown;
  nodes: Record<string, NodeRunState>;
  threads: Record<string, AgentThread>;
  humans: Record<string, PendingHuman>;
  usage: Usage & { costUsd: number; modelCalls: number };
  output?: unknown;
  error?: string;
  lastSeq: number;
  startedAt?: string;
  finishedAt?: string;
};

export function initialRunState(): RunState {
  return {
    status: "queued",
    input: null,
    nodes: {},
    threads: {},
    humans: {},
    usage: { promptTokens: 0, completionTokens: 0, costUsd: 0, modelCalls: 0 },
    lastSeq: 0,
  };
}

/** Rebuilds a run's state from its committed events (replay). */
export function replay(events: readonly CommittedEvent[], step: (s: RunState, e: CommittedEvent) => RunState): RunState {
  return events.reduce(step, initialRunState());
}
