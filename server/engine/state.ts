import { z } from "zod";
import {
  chatMessageSchema,
  CorruptRunDataError,
  describeZodIssue,
  humanDecisionSchema,
  humanRequestKindSchema,
  itemScopeSchema,
  runStatusSchema,
  usageSchema,
  type CommittedEvent,
} from "./events";
import type { HumanRequestKind } from "./events";

export type { HumanRequestKind };

export const nodeRunStatusSchema = z.enum(["pending", "running", "waiting", "succeeded", "failed", "skipped"]);
export type NodeRunStatus = z.infer<typeof nodeRunStatusSchema>;

export const childrenStateSchema = z.object({
  /** Items to run (1 for a sub-workflow). */
  total: z.number().int().min(0),
  /** Child runs started and not yet finished, by item index. */
  inFlight: z.record(z.string(), z.string()),
  /** Succeeded items' outputs, by index (emptied when the node finishes: its output holds them). */
  results: z.record(z.string(), z.unknown()),
  /** Set when the node finished: how many items succeeded. */
  succeeded: z.number().int().optional(),
  /** Failed (or cancelled, rejected) items' errors, by index. */
  errors: z.record(z.string(), z.string()),
  /** Times the node was reopened by a retry or fork: part of its child runs' keys, so a reopened item gets a new run. */
  generation: z.number().int().optional(),
});
export type ChildrenState = z.infer<typeof childrenStateSchema>;

export const nodeRunStateSchema = z.object({
  status: nodeRunStatusSchema,
  output: z.unknown().optional(),
  /** The source handle the node finished through; decides which outgoing edges are taken. */
  handle: z.string().nullable().optional(),
  error: z.string().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  /** Loop nodes: the current iteration (1-based). */
  iteration: z.number().optional(),
  /** Seq of the node's node_finished event (compensations run latest first). */
  finishedSeq: z.number().optional(),
  /** Seq of the node's node_started event; part of its tool calls' idempotency keys. */
  startedSeq: z.number().optional(),
  /** Router nodes: the branch chosen and why (`defaulted`: the model failed or named no branch). */
  route: z.object({ branch: z.string(), reason: z.string(), defaulted: z.boolean() }).optional(),
  /**
   * For-each and sub-workflow nodes: their child runs. Only the runs in flight and each item's
   * result or error are kept — an item's own thread lives in its run — so the state stays small.
   */
  children: childrenStateSchema.optional(),
  /** Tool nodes: the result of their one tool call, until the node finishes. */
  toolResult: z.object({ ok: z.boolean(), content: z.string(), data: z.unknown().optional() }).optional(),
});
export type NodeRunState = z.infer<typeof nodeRunStateSchema>;

export const agentThreadSchema = z.object({
  messages: z.array(chatMessageSchema),
  /** Model calls made by this agent node. */
  modelCalls: z.number(),
  consecutiveErrors: z.number(),
  /** The latest model or tool error, compacted; shown when the node gives up. */
  lastError: z.string().optional(),
  /** A model error a retry cannot fix (llm_error with retryable: false): the node fails with it. */
  fatalError: z.string().optional(),
  /** Model calls allowed beyond the node's maxSteps, granted by a human. */
  extraSteps: z.number(),
  /** Seq of the event that added each assistant message, by message index (idempotency keys). */
  assistantSeqs: z.record(z.string(), z.number()),
  /** Messages removed from the thread by context compaction so far. */
  compactedMessages: z.number(),
  /** `modelCalls` at the last compaction (compaction happens at most once per call). */
  compactedAtCall: z.number().optional(),
});
export type AgentThread = Omit<z.infer<typeof agentThreadSchema>, "assistantSeqs"> & { assistantSeqs: Record<number, number> };

export const pendingHumanSchema = z.object({
  nodeId: z.string(),
  taskId: z.string(),
  kind: humanRequestKindSchema,
  message: z.string(),
  context: z.unknown(),
  /** For question and tool_approval: the tool call this answers. */
  toolCallId: z.string().optional(),
  decision: humanDecisionSchema.optional(),
  comment: z.string().optional(),
  /** A question's answer. */
  answer: z.string().optional(),
  /** Tool approval: the arguments as the reviewer edited them (JSON text). */
  editedArguments: z.string().optional(),
  /** A gate approved with edits: the corrected content. */
  editedContent: z.unknown().optional(),
  /** Answered by the node's timeout (no person): which way it went. */
  timedOut: z.enum(["approve", "reject", "timeout"]).optional(),
});
export type PendingHuman = z.infer<typeof pendingHumanSchema>;

export const runStateSchema = z.object({
  status: runStatusSchema,
  input: z.unknown(),
  /** A for-each item's run: its index and what it sees of the run that started it. */
  item: itemScopeSchema.optional(),
  nodes: z.record(z.string(), nodeRunStateSchema),
  threads: z.record(z.string(), agentThreadSchema),
  humans: z.record(z.string(), pendingHumanSchema),
  usage: usageSchema.extend({
    costUsd: z.number(),
    modelCalls: z.number(),
    /** Model calls whose price is unknown: `costUsd` is then only what the priced calls cost. Absent: 0. */
    unpricedCalls: z.number().optional(),
  }),
  /**
   * Budget raised by humans beyond the trigger's budget (tokens, USD), and whether they let the
   * run go on although its USD budget cannot count model calls of unknown price.
   */
  budgetRaise: z.object({ tokens: z.number(), usd: z.number(), acceptUnpriced: z.boolean().optional() }),
  output: z.unknown().optional(),
  error: z.string().optional(),
  /** The run failed and is undoing its completed steps (saga): why, and the compensation steps in order. */
  compensation: z.object({ reason: z.string(), nodeIds: z.array(z.string()) }).optional(),
  lastSeq: z.number(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
});

/**
 * The whole state of a run as one serializable object (12-Factor: unify execution and
 * business state). It is only ever produced by folding events with `step`.
 */
export type RunState = Omit<z.infer<typeof runStateSchema>, "threads"> & { threads: Record<string, AgentThread> };

/** A run's stored state, checked (the stored value is returned, for the reason given in parseStoredEvents). */
export function parseStoredState(runId: string, stored: unknown): RunState {
  const parsed = runStateSchema.safeParse(stored);
  if (!parsed.success) throw new CorruptRunDataError(runId, "state", describeZodIssue(parsed.error));
  return stored as RunState;
}

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
