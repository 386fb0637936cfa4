import { z } from "zod";

/**
 * The run's append-only event log. Every state change of a run is one of these events;
 * the run state is the fold of them (`step`). Persisted as RunStep rows with `seq`.
 *
 * The zod schemas are the source of truth: the types are inferred from them, and every log
 * read back from Postgres is parsed with them (`parseStoredEvents`), so a stored event that
 * does not match is reported with its place instead of being cast and folded into nonsense.
 */

export const toolCallSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** Raw JSON text exactly as the model produced it (may be invalid JSON). */
  arguments: z.string(),
});
export type ToolCall = z.infer<typeof toolCallSchema>;

const assistantMessageSchema = z.object({
  role: z.literal("assistant"),
  content: z.string().nullable(),
  toolCalls: z.array(toolCallSchema).optional(),
});

export const chatMessageSchema = z.discriminatedUnion("role", [
  z.object({ role: z.literal("system"), content: z.string() }),
  z.object({ role: z.literal("user"), content: z.string() }),
  assistantMessageSchema,
  z.object({ role: z.literal("tool"), toolCallId: z.string(), content: z.string() }),
]);
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const usageSchema = z.object({ promptTokens: z.number(), completionTokens: z.number() });

/** A provider that was tried for a model call and left for the next one in the agent's fallback chain. */
export const fallbackAttemptSchema = z.object({
  provider: z.string(),
  model: z.string(),
  /** "timeout": no answer within the agent's fallbackAfterSeconds; "error": a transient failure after retries. */
  reason: z.enum(["timeout", "error"]),
  error: z.string(),
  latencyMs: z.number(),
});
export type FallbackAttempt = z.infer<typeof fallbackAttemptSchema>;

export const humanDecisionSchema = z.enum(["approve", "reject"]);
export type HumanDecision = z.infer<typeof humanDecisionSchema>;

/**
 * Why a run asks a person: a human node's gate, an agent's question
 * (request_human_input), a tool call that needs approval, or an agent that hit a limit.
 */
export const humanRequestKindSchema = z.enum(["gate", "question", "tool_approval", "continue", "errors", "budget"]);
export type HumanRequestKind = z.infer<typeof humanRequestKindSchema>;

/** What a human node does when its task times out: decide for the reviewer, or take its "timeout" handle. */
export const timeoutOutcomeSchema = z.enum(["approve", "reject", "timeout"]);
export type TimeoutOutcome = z.infer<typeof timeoutOutcomeSchema>;

/**
 * `compensated`: the run failed and the compensations of its completed steps all ran;
 * `compensation_failed`: one of them failed too, and the error says what is left undone.
 */
export const terminalRunStatusSchema = z.enum(["succeeded", "failed", "rejected", "cancelled", "compensated", "compensation_failed"]);
export type TerminalRunStatus = z.infer<typeof terminalRunStatusSchema>;
export const runStatusSchema = z.enum(["queued", "running", "waiting_for_human", "paused", ...terminalRunStatusSchema.options]);
export type RunStatus = z.infer<typeof runStatusSchema>;

/**
 * The one change a fork makes to the state it starts from (none: a plain replay from there).
 * `tool_result` with `toolCallId: null` is a tool node's own result.
 */
export const forkEditSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("input"), value: z.unknown() }),
  z.object({ kind: z.literal("node_output"), nodeId: z.string().min(1).max(100), value: z.unknown() }),
  z.object({ kind: z.literal("agent_message"), nodeId: z.string().min(1).max(100), content: z.string().max(1_000_000) }),
  z.object({ kind: z.literal("tool_result"), nodeId: z.string().min(1).max(100), toolCallId: z.string().max(200).nullable(), content: z.string().max(1_000_000) }),
]);
export type ForkEdit = z.infer<typeof forkEditSchema>;

const nodeId = z.string();

/**
 * What a for-each item's run sees of the run that started it, besides its item (the input):
 * `{{index}}`, that run's `{{input…}}`, and the outputs of its nodes the body reads.
 */
export const itemScopeSchema = z.object({
  index: z.number().int().min(0),
  input: z.unknown(),
  nodes: z.record(z.string(), z.object({ output: z.unknown().optional() })),
});
export type ItemScope = z.infer<typeof itemScopeSchema>;

const childStatusSchema = terminalRunStatusSchema;

export const runEventSchema = z.discriminatedUnion("type", [
  /** `item`: this run is one item of a for-each, and `input` is the item. */
  z.object({ type: z.literal("run_started"), input: z.unknown(), item: itemScopeSchema.optional() }),
  /** For agent nodes, `messages` is the initial thread: the prompt exactly as the model will see it. */
  z.object({ type: z.literal("node_started"), nodeId, messages: z.array(chatMessageSchema).optional() }),
  z.object({
    type: z.literal("llm_response"),
    nodeId,
    provider: z.string(),
    model: z.string(),
    message: assistantMessageSchema,
    usage: usageSchema,
    /** USD of this call; null when its price is unknown (a paid model without a list or workspace price) — never a silent 0. */
    costUsd: z.number().nullable(),
    latencyMs: z.number(),
    /** How many messages of the thread were sent (what the model saw). */
    sentMessages: z.number(),
    /** Tokens of what was sent as counted by our tokenizer (the context the agent used for this step). */
    sentTokens: z.number().optional(),
    /** Milliseconds from sending the request to the first streamed delta (absent: not streamed, or older logs). */
    ttftMs: z.number().optional(),
    /** Providers tried before `provider` answered, and why each was left (absent: the first one answered). */
    fallbackFrom: z.array(fallbackAttemptSchema).optional(),
  }),
  z.object({
    type: z.literal("llm_error"),
    nodeId,
    provider: z.string(),
    model: z.string(),
    error: z.string(),
    latencyMs: z.number(),
    /**
     * false: trying again cannot help (key refused, model or URL not found, provider not
     * configured); the agent node fails at once with `error`. Absent in older logs: retryable.
     */
    retryable: z.boolean().optional(),
    /** Providers tried before `provider`, each of which failed too (absent: no fallback was configured or tried). */
    fallbackFrom: z.array(fallbackAttemptSchema).optional(),
  }),
  /** `toolCallId` is null for a tool node's own call; `data` is the structured result. */
  z.object({
    type: z.literal("tool_result"),
    nodeId,
    toolCallId: z.string().nullable(),
    name: z.string(),
    ok: z.boolean(),
    content: z.string(),
    data: z.unknown().optional(),
  }),
  /**
   * `context` is what the person is asked to look at: for a gate, the content under review
   * (the previous node's output); for a tool approval `{ tool, arguments, reason? }`.
   */
  z.object({
    type: z.literal("human_requested"),
    nodeId,
    taskId: z.string(),
    kind: humanRequestKindSchema.optional(),
    message: z.string(),
    context: z.unknown(),
    toolCallId: z.string().optional(),
    /** When the node's timeout decides (ISO time), if it has one. */
    dueAt: z.string().optional(),
  }),
  z.object({
    type: z.literal("human_responded"),
    nodeId,
    taskId: z.string(),
    decision: humanDecisionSchema,
    /** The reviewer's reason (on reject it is routed on the reject branch and told to the model). */
    comment: z.string().optional(),
    answer: z.string().optional(),
    editedArguments: z.string().optional(),
    /** A gate approved with edits: the corrected content, which flows on (the original stays in human_requested). */
    editedContent: z.unknown().optional(),
    /** Who answered, as shown to people (the audit trail has the account). */
    by: z.string().optional(),
  }),
  /** Nobody answered in time: the node's timeout setting answers. */
  z.object({ type: z.literal("human_timed_out"), nodeId, taskId: z.string(), outcome: timeoutOutcomeSchema }),
  /** Old turns of an agent's thread replaced by a summary to stay within its context budget. */
  z.object({
    type: z.literal("context_compacted"),
    nodeId,
    removedMessages: z.number(),
    summary: z.string(),
    tokensBefore: z.number(),
    tokensAfter: z.number(),
  }),
  /** A human let a stuck agent go on: more steps, or another try after repeated errors. */
  z.object({ type: z.literal("agent_unblocked"), nodeId, extraSteps: z.number(), resetErrors: z.boolean() }),
  /** A human raised the run's budget. */
  /** `acceptUnpriced`: a person let the run go on although a USD budget cannot count its calls of unknown price. */
  z.object({ type: z.literal("budget_raised"), nodeId, tokens: z.number(), usd: z.number(), acceptUnpriced: z.literal(true).optional() }),
  /**
   * A router chose its branch: the model's choice and reason, or the default branch with why
   * (`defaulted`: the model failed, or its answer named no branch).
   */
  z.object({ type: z.literal("route_chosen"), nodeId, branch: z.string(), reason: z.string(), defaulted: z.boolean() }),
  /** A for-each evaluated its list: `count` items are to run. */
  z.object({ type: z.literal("items_listed"), nodeId, count: z.number().int().min(0) }),
  /**
   * A child run was started for a for-each item (`index`) or a sub-workflow (index 0): the
   * run's id, and for a sub-workflow the workflow and the version it was pinned to.
   */
  z.object({
    type: z.literal("child_started"),
    nodeId,
    index: z.number().int().min(0),
    childRunId: z.string(),
    workflowId: z.string().optional(),
    versionId: z.string().optional(),
  }),
  /** A child run ended; its outcome as the parent takes it. */
  z.object({
    type: z.literal("child_finished"),
    nodeId,
    index: z.number().int().min(0),
    childRunId: z.string(),
    status: childStatusSchema,
    output: z.unknown().optional(),
    error: z.string().optional(),
  }),
  /**
   * The run failed (`reason`) after steps that can be undone had succeeded: their compensation
   * steps (`nodeIds`) run now, in this order (the latest completed step's first), each once.
   */
  z.object({ type: z.literal("compensation_started"), reason: z.string(), nodeIds: z.array(z.string()) }),
  z.object({ type: z.literal("node_finished"), nodeId, output: z.unknown(), handle: z.string().nullable() }),
  z.object({ type: z.literal("node_failed"), nodeId, error: z.string() }),
  /** No taken edge leads to the node (dead-path elimination after a branch). */
  z.object({ type: z.literal("node_skipped"), nodeId }),
  z.object({ type: z.literal("run_finished"), status: terminalRunStatusSchema, output: z.unknown().optional(), error: z.string().optional() }),
  /** A loop starts an iteration; its body's nodes are reset so they run again. */
  z.object({ type: z.literal("loop_iteration"), nodeId, iteration: z.number(), resetNodeIds: z.array(z.string()).optional() }),
  /** Operator controls; they take effect at the next step boundary. */
  z.object({ type: z.literal("run_paused"), by: z.string() }),
  z.object({ type: z.literal("run_resumed"), by: z.string() }),
  /**
   * A failed or cancelled run goes on from where it stopped: `nodeIds` (the failed, unfinished
   * and skipped nodes) are reopened; everything that succeeded is kept, so nothing paid for is paid again.
   */
  z.object({ type: z.literal("run_retried"), by: z.string(), nodeIds: z.array(z.string()) }),
  /**
   * The first event of a fork's own: its log holds a copy of `fromRunId`'s events 1..atSeq;
   * from here it continues with `edit` applied (unfinished work is reopened as in a retry).
   */
  z.object({
    type: z.literal("run_forked"),
    fromRunId: z.string(),
    atSeq: z.number().int(),
    by: z.string(),
    edit: forkEditSchema.optional(),
    nodeIds: z.array(z.string()),
  }),
]);

export type RunEvent = z.infer<typeof runEventSchema>;
export type RunEventType = RunEvent["type"];

/** An event as committed: its place in the log and the time the worker committed it. */
export type CommittedEvent = RunEvent & { seq: number; at: string };

export const committedEventSchema = z.intersection(runEventSchema, z.object({ seq: z.number().int().min(1), at: z.string() }));

export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = terminalRunStatusSchema.options;

/** The terminal statuses as an SQL list, for queries that pick ended runs: `"status" IN (…)`. */
export const TERMINAL_STATUSES_SQL = `(${terminalRunStatusSchema.options.map((status) => `'${status}'`).join(", ")})`;

export function isTerminalStatus(status: RunStatus): status is TerminalRunStatus {
  return TERMINAL_RUN_STATUSES.includes(status);
}

/** A stored run log or state that does not match the schema: reported with its place, never folded. */
export class CorruptRunDataError extends Error {
  constructor(runId: string, where: string, detail: string) {
    super(`run ${runId}: stored ${where} does not parse: ${detail}`);
    this.name = "CorruptRunDataError";
  }
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "invalid";
}

/**
 * Events as read back from Postgres, checked one by one so the error names the seq. The value
 * returned is the stored one, not zod's copy: run data may hold any key ("__proto__"
 * included), which a copy made by assignment would lose.
 */
export function parseStoredEvents(runId: string, payloads: readonly unknown[], firstSeq = 1): CommittedEvent[] {
  return payloads.map((payload, index) => {
    const parsed = committedEventSchema.safeParse(payload);
    if (!parsed.success) throw new CorruptRunDataError(runId, `event #${firstSeq + index}`, firstIssue(parsed.error));
    return payload as CommittedEvent;
  });
}

export { firstIssue as describeZodIssue };
