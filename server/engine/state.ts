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
  /** Seq of the node's node_started event; part of its tool calls' idempotency keys. */
  startedSeq?: number;
  /** Tool nodes: the result of their one tool call, until the node finishes. */
  toolResult?: { ok: boolean; content: string; data?: unknown };
};

export type AgentThread = {
  messages: ChatMessage[];
  /** Model calls made by this agent node. */
  modelCalls: number;
  consecutiveErrors: number;
  /** The latest model or tool error, compacted; shown when the node gives up. */
  lastError?: string;
  /** Model calls allowed beyond the node's maxSteps, granted by a human. */
  extraSteps: number;
  /** Seq of the event that added each assistant message, by message index (idempotency keys). */
  assistantSeqs: Record<number, number>;
  /** Messages removed from the thread by context compaction so far. */
  compactedMessages: number;
  /** `modelCalls` at the last compaction (compaction happens at most once per call). */
  compactedAtCall?: number;
};

/**
 * Why a run asks a person: a human node's gate, an agent's question
 * (request_human_input), a tool call that needs approval, or an agent that hit a limit.
 */
export type HumanRequestKind = "gate" | "question" | "tool_approval" | "continue" | "errors" | "budget";

export type PendingHuman = {
  nodeId: string;
  taskId: string;
  kind: HumanRequestKind;
  message: string;
  context: unknown;
  /** For question and tool_approval: the tool call this answers. */
  toolCallId?: string;
  decision?: HumanDecision;
  comment?: string;
  /** A question's answer. */
  answer?: string;
  /** Tool approval: the arguments as the reviewer edited them (JSON text). */
  editedArguments?: string;
};

export type RunState = {
  status: RunStatus;
  input: unknown;
  nodes: Record<string, NodeRunState>;
  threads: Record<string, AgentThread>;
  humans: Record<string, PendingHuman>;
  usage: Usage & { costUsd: number; modelCalls: number };
  /** Budget raised by humans beyond the trigger's budget (tokens, USD). */
  budgetRaise: { tokens: number; usd: number };
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
    budgetRaise: { tokens: 0, usd: 0 },
    lastSeq: 0,
  };
}

/** Rebuilds a run's state from its committed events (replay). */
export function replay(events: readonly CommittedEvent[], step: (s: RunState, e: CommittedEvent) => RunState): RunState {
  return events.reduce(step, initialRunState());
}
