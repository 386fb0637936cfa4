import type { ChatMessage, RunEvent, ToolCall } from "./events";
import type { Graph, NodeDataOf } from "./graph";
import type { AgentThread, PendingHuman, RunState } from "./state";
import type { Effect } from "./decide";
import type { ToolSpec } from "./agent-tools";
import { credentialNamesIn } from "./template";
import { countMessageTokens, countTokens } from "./tokens";
import {
  COMPLETE_TASK,
  isKnownTool,
  mcpToolNamed,
  needsApproval,
  parseAgentToolArgs,
  parseCompleteTask,
  parseRequestHumanInput,
  REQUEST_HUMAN_INPUT,
  toolSpecsFor,
} from "./agent-tools";

/**
 * One agent node as a stateless reducer step (12-Factor Agents): given the node's thread,
 * what happens next — a model call, tool calls, a question to a person, or the end. Limits
 * (errors in a row, max steps, budget) escalate to a person instead of failing silently.
 */

/** After this many failed model or tool calls in a row, a person decides: retry or stop. */
export const MAX_CONSECUTIVE_ERRORS = 3;
/** Fraction of the context budget compaction aims for, leaving room for the next turns. */
const COMPACTION_TARGET = 0.6;
const MAX_TOOL_RESULT_CHARS = 8_000;
/** Share of the context budget the compaction summary may take. */
const SUMMARY_SHARE = 0.2;

type AgentData = NodeDataOf<"agent">;

const emit = (event: RunEvent): Effect => ({ kind: "emit", event });

/**
 * Tokens of a thread as the model will receive it, counted with a real tokenizer (tokens.ts):
 * the figure for the context budget and `sentTokens`, before any provider reports usage.
 */
export function estimateTokens(messages: readonly ChatMessage[]): number {
  return countTokens(messages);
}

export function continueAgent(graph: Graph, nodeId: string, data: AgentData, state: RunState, runBudget: Budget): Effect[] {
  const thread = state.threads[nodeId];
  if (!thread) return [emit({ type: "node_failed", nodeId, error: "agent thread missing" })];

  const pending = state.humans[nodeId];
  if (pending) return pending.decision ? resolveHuman(nodeId, data, thread, pending) : [];

  // A model error no retry can fix (a refused key, an unknown model or provider) fails the
  // node with that message; asking a person "try again?" would only repeat it.
  if (thread.fatalError) return [emit({ type: "node_failed", nodeId, error: thread.fatalError })];

  if (thread.consecutiveErrors >= MAX_CONSECUTIVE_ERRORS) {
    return [askHuman(nodeId, "errors", `${data.label} failed ${thread.consecutiveErrors} times in a row. Retry, or stop the agent?`, { lastError: thread.lastError ?? "unknown" })];
  }

  const last = thread.messages[thread.messages.length - 1];
  if (last?.role === "assistant" && (!last.toolCalls || last.toolCalls.length === 0)) {
    return [emit({ type: "node_finished", nodeId, output: last.content ?? "", handle: null })];
  }
  // Also after some of the calls were answered: a call refused at once (bad arguments, a
  // credential the agent may not use) must not make the model's later calls go unanswered.
  const unanswered = unansweredCalls(thread.messages);
  if (unanswered.length > 0) return answerToolCalls(nodeId, data, thread, unanswered);

  if (thread.modelCalls >= data.maxSteps + thread.extraSteps) {
    return [
      askHuman(nodeId, "continue", `${data.label} used its ${thread.modelCalls} steps without finishing. Allow ${data.maxSteps} more?`, {
        steps: thread.modelCalls,
      }),
    ];
  }
  const overBudget = budgetExceeded(state, runBudget);
  if (overBudget?.kind === "spent") return [askHuman(nodeId, "budget", `The run reached its budget (${overBudget.spent}). Raise it and continue?`, state.usage)];
  if (overBudget?.kind === "unpriced") {
    const message =
      `The run has a $${runBudget.usd} budget, but ${overBudget.calls === 1 ? "1 model call has" : `${overBudget.calls} model calls have`} no known price, so the budget ` +
      "cannot count what they cost (set prices in Settings → Model prices). Continue without counting them?";
    return [askHuman(nodeId, "budget", message, { ...state.usage, unpricedUnderBudget: true })];
  }

  // At most one compaction per model call: if the rest still does not fit, the call goes out
  // anyway rather than compacting forever.
  const compaction = thread.compactedAtCall === thread.modelCalls ? null : planCompaction(thread, data.contextBudgetTokens);
  if (compaction) return [emit({ type: "context_compacted", nodeId, ...compaction })];

  return [
    {
      kind: "call_llm",
      nodeId,
      request: {
        provider: data.provider,
        model: data.model,
        temperature: data.temperature,
        messages: thread.messages,
        tools: describeCredentials(toolSpecsFor(data.allowedTools, data.mcpTools), data.credentials),
        ...(data.fallbacks.length > 0 ? { fallbacks: data.fallbacks, fallbackAfterMs: data.fallbackAfterSeconds * 1000 } : {}),
      },
    },
  ];
}

/**
 * Tells the model which credentials it may use, by name, in the one tool that sends them.
 * Names only: values are filled in by the worker when the request is sent, and a name
 * outside this list is refused there whatever the model writes.
 */
function describeCredentials(specs: ToolSpec[], credentials: readonly string[]): ToolSpec[] {
  if (credentials.length === 0) return specs;
  const names = credentials.map((name) => `"${name}"`).join(", ");
  const note =
    ` Credentials you may use: ${names}. Pass one as "credential" to send its auth header, or write {{credentials.<name>}} ` +
    "in a header value, the URL or the body; the secret is filled in when the request is sent and is never shown to you.";
  return specs.map((spec) => (spec.name === "http_request" ? { ...spec, description: spec.description + note } : spec));
}

function askHuman(nodeId: string, kind: PendingHuman["kind"], message: string, context: unknown, toolCallId?: string): Effect {
  return { kind: "request_human", nodeId, humanKind: kind, message, context, ...(toolCallId ? { toolCallId } : {}) };
}

export type Budget = { tokens: number; usd: number };

/**
 * Why the run may not spend more without a person: a budget reached, or — under a USD budget —
 * model calls whose price is unknown, which the budget cannot count (a silent $0 otherwise).
 */
function budgetExceeded(state: RunState, budget: Budget): { kind: "spent"; spent: string } | { kind: "unpriced"; calls: number } | null {
  const tokens = state.usage.promptTokens + state.usage.completionTokens;
  if (budget.tokens > 0 && tokens >= budget.tokens + state.budgetRaise.tokens) return { kind: "spent", spent: `${tokens} tokens` };
  if (budget.usd > 0 && state.usage.costUsd >= budget.usd + state.budgetRaise.usd) return { kind: "spent", spent: `$${state.usage.costUsd.toFixed(4)}` };
  const unpriced = state.usage.unpricedCalls ?? 0;
  if (budget.usd > 0 && unpriced > 0 && !state.budgetRaise.acceptUnpriced) return { kind: "unpriced", calls: unpriced };
  return null;
}

function resolveHuman(nodeId: string, data: AgentData, thread: AgentThread, pending: PendingHuman): Effect[] {
  const approved = pending.decision === "approve";
  const reason = pending.comment ? `: ${pending.comment}` : "";
  switch (pending.kind) {
    case "errors":
      return [approved ? emit({ type: "agent_unblocked", nodeId, extraSteps: 0, resetErrors: true }) : emit({ type: "node_failed", nodeId, error: `stopped by a reviewer after repeated errors${reason}` })];
    case "continue":
      return [approved ? emit({ type: "agent_unblocked", nodeId, extraSteps: data.maxSteps, resetErrors: false }) : emit({ type: "node_failed", nodeId, error: `stopped by a reviewer at max steps${reason}` })];
    case "budget":
      return [approved ? emit({ type: "budget_raised", nodeId, ...budgetRaiseOf(pending) }) : emit({ type: "node_failed", nodeId, error: `budget exhausted${reason}` })];
    case "question": {
      const content = approved ? (pending.answer ?? pending.comment ?? "") : `The person declined to answer${reason}`;
      return [emit({ type: "tool_result", nodeId, toolCallId: pending.toolCallId ?? "", name: REQUEST_HUMAN_INPUT, ok: approved, content })];
    }
    case "tool_approval": {
      const call = findCall(thread, pending.toolCallId);
      if (!call) return [emit({ type: "node_failed", nodeId, error: "approved tool call not found in the thread" })];
      if (!approved) {
        return [emit({ type: "tool_result", nodeId, toolCallId: call.id, name: call.name, ok: false, content: `The reviewer rejected this call${reason}` })];
      }
      const rawArguments = pending.editedArguments ?? call.arguments;
      const parsed = parseAgentToolArgs(call.name, rawArguments, data.mcpTools);
      if (!parsed.ok) {
        return [emit({ type: "tool_result", nodeId, toolCallId: call.id, name: call.name, ok: false, content: `Error: the reviewer's edited arguments are invalid: ${parsed.error}` })];
      }
      return [{ kind: "call_tool", nodeId, toolCallId: call.id, name: call.name, args: parsed.args, idempotencyKey: idempotencyKeyOf(thread, call.id) }];
    }
    case "gate":
      return [];
  }
}

/** Raising doubles what was allowed: the context holds the usage at the time of asking. */
/** What approving a budget question grants: as much again as was used, or going on with calls of unknown price (for the rest of the run). */
function budgetRaiseOf(pending: PendingHuman): { tokens: number; usd: number; acceptUnpriced?: true } {
  const usage = pending.context as { promptTokens?: number; completionTokens?: number; costUsd?: number; unpricedUnderBudget?: boolean } | null;
  if (usage?.unpricedUnderBudget === true) return { tokens: 0, usd: 0, acceptUnpriced: true };
  return { tokens: (usage?.promptTokens ?? 0) + (usage?.completionTokens ?? 0), usd: usage?.costUsd ?? 0 };
}

/** Tool calls of the latest assistant message that have no tool result yet. */
function unansweredCalls(messages: readonly ChatMessage[]): ToolCall[] {
  const lastAssistantIndex = messages.findLastIndex((m) => m.role === "assistant");
  const assistant = messages[lastAssistantIndex];
  if (!assistant || assistant.role !== "assistant" || !assistant.toolCalls) return [];
  const answered = new Set(messages.slice(lastAssistantIndex + 1).flatMap((m) => (m.role === "tool" ? [m.toolCallId] : [])));
  return assistant.toolCalls.filter((call) => !answered.has(call.id));
}

function findCall(thread: AgentThread, toolCallId: string | undefined): ToolCall | undefined {
  for (const message of thread.messages) {
    if (message.role !== "assistant") continue;
    const call = message.toolCalls?.find((c) => c.id === toolCallId);
    if (call) return call;
  }
  return undefined;
}

/** `<seq of the model response>:<call id>` — stable across retries and worker crashes. */
function idempotencyKeyOf(thread: AgentThread, toolCallId: string): string {
  const index = thread.messages.findLastIndex((m) => m.role === "assistant" && (m.toolCalls ?? []).some((c) => c.id === toolCallId));
  return `${thread.assistantSeqs[index] ?? "x"}:${toolCallId}`;
}

/**
 * Answers the open calls in order. A call that needs a person stops the round there, so
 * approvals are asked one at a time and the calls run in the order the model made them.
 */
function answerToolCalls(nodeId: string, data: AgentData, thread: AgentThread, calls: ToolCall[]): Effect[] {
  const effects: Effect[] = [];
  for (const call of calls) {
    const fail = (content: string) => emit({ type: "tool_result", nodeId, toolCallId: call.id, name: call.name, ok: false, content });
    const mcpTool = mcpToolNamed(call.name, data.mcpTools);
    if (!mcpTool && (!isKnownTool(call.name) || (call.name !== COMPLETE_TASK && !data.allowedTools.includes(call.name)))) {
      const available = [COMPLETE_TASK, ...data.allowedTools, ...data.mcpTools.map((tool) => tool.name)];
      effects.push(fail(`Error: unknown tool "${call.name}". Available: ${available.join(", ")}`));
      continue;
    }
    if (call.name === COMPLETE_TASK) {
      const parsed = parseCompleteTask(call.arguments);
      if (!parsed.ok) {
        effects.push(fail(`Error: invalid arguments for ${call.name}: ${parsed.error}`));
        continue;
      }
      effects.push(
        emit({ type: "tool_result", nodeId, toolCallId: call.id, name: call.name, ok: true, content: "done" }),
        emit({ type: "node_finished", nodeId, output: parsed.value.result, handle: null }),
      );
      return effects;
    }
    if (call.name === REQUEST_HUMAN_INPUT) {
      const parsed = parseRequestHumanInput(call.arguments);
      if (!parsed.ok) {
        effects.push(fail(`Error: invalid arguments for ${call.name}: ${parsed.error}`));
        continue;
      }
      effects.push(askHuman(nodeId, "question", parsed.value.question, { agent: data.label }, call.id));
      return effects;
    }
    const parsed = parseAgentToolArgs(call.name, call.arguments, data.mcpTools);
    if (!parsed.ok) {
      effects.push(fail(`Error: invalid arguments for ${call.name}: ${parsed.error}`));
      continue;
    }
    const notAllowed = call.name === "http_request" ? credentialOutsideAllowlist(parsed.args, data.credentials) : null;
    if (notAllowed) {
      // Told at once, before anyone is asked to approve a call that could not run (the worker checks again).
      effects.push(fail(`Error: credential "${notAllowed}" is not allowed for this agent; the builder can add it to the agent's credentials`));
      continue;
    }
    if (needsApproval(call.name, data.autoApproveTools, data.mcpTools)) {
      // The reviewer sees why: what the agent said with the call, if anything.
      const reason = reasonFor(thread, call.id);
      const context = { tool: call.name, arguments: call.arguments, ...(reason ? { reason } : {}) };
      effects.push(askHuman(nodeId, "tool_approval", `${data.label} wants to call ${call.name}`, context, call.id));
      return effects;
    }
    effects.push({ kind: "call_tool", nodeId, toolCallId: call.id, name: call.name, args: parsed.args, idempotencyKey: idempotencyKeyOf(thread, call.id) });
  }
  return effects;
}

/** The text the model wrote alongside a tool call (its stated reason), if any. */
function reasonFor(thread: AgentThread, toolCallId: string): string | null {
  const message = thread.messages.findLast((m) => m.role === "assistant" && (m.toolCalls ?? []).some((c) => c.id === toolCallId));
  const content = message?.role === "assistant" ? message.content?.trim() : undefined;
  return content ? content : null;
}

/** The first credential an http_request call names (picked, or as a reference) that the agent may not use. */
function credentialOutsideAllowlist(args: unknown, allowed: readonly string[]): string | null {
  if (args === null || typeof args !== "object") return null;
  const { url, headers, body, credential } = args as { url?: unknown; headers?: unknown; body?: unknown; credential?: unknown };
  const texts = [url, body, ...(headers !== null && typeof headers === "object" ? Object.values(headers) : [])].filter((text): text is string => typeof text === "string");
  const names = [...(typeof credential === "string" ? [credential] : []), ...texts.flatMap(credentialNamesIn)];
  return names.find((name) => !allowed.includes(name)) ?? null;
}

/** Caps what a tool result adds to the context. */
export function compactToolContent(content: string): string {
  if (content.length <= MAX_TOOL_RESULT_CHARS) return content;
  return `${content.slice(0, MAX_TOOL_RESULT_CHARS)}\n[... ${content.length - MAX_TOOL_RESULT_CHARS} more characters cut]`;
}

/**
 * Owning the context window: when the thread outgrows the budget, the oldest turns after the
 * system prompt and task are replaced by one summary message (what was called, what failed).
 * The cut never separates a tool result from the call it answers.
 */
export function planCompaction(
  thread: AgentThread,
  budgetTokens: number,
): { removedMessages: number; summary: string; tokensBefore: number; tokensAfter: number } | null {
  const tokensBefore = countTokens(thread.messages);
  if (tokensBefore <= budgetTokens) return null;
  const head = thread.messages.slice(0, 2);
  const rest = thread.messages.slice(2);
  const target = Math.floor(budgetTokens * COMPACTION_TARGET);
  // Dropping a message takes exactly its own tokens off the total (counts are per message).
  let remaining = tokensBefore;
  let removed = 0;
  while (removed < rest.length - 2 && remaining > target) {
    remaining -= countMessageTokens(rest[removed] as ChatMessage);
    removed += 1;
  }
  while (removed < rest.length - 1 && rest[removed]?.role === "tool") removed += 1;
  if (removed === 0) return null;
  // The summary's share of the budget, in characters: ~4 per token is enough for a cap.
  const summary = summarize(rest.slice(0, removed), thread.compactedMessages + removed, Math.floor(budgetTokens * 4 * SUMMARY_SHARE));
  const tokensAfter = countTokens([...head, { role: "user", content: summary }, ...rest.slice(removed)]);
  return { removedMessages: removed, summary, tokensBefore, tokensAfter };
}

function summarize(removed: ChatMessage[], totalRemoved: number, maxChars: number): string {
  const header = `[Context compacted: ${totalRemoved} earlier messages were removed to stay within the context budget.]`;
  const lines: string[] = [];
  for (const message of removed) {
    if (message.role === "user" && message.content.startsWith("[Context compacted")) {
      lines.push(...message.content.split("\n").slice(1));
    } else if (message.role === "assistant") {
      for (const call of message.toolCalls ?? []) lines.push(`- called ${call.name}(${call.arguments.slice(0, 80)})`);
      if (message.content) lines.push(`- said: ${message.content.slice(0, 120)}`);
    } else if (message.role === "tool") {
      lines.push(`  -> ${message.content.slice(0, 120).replace(/\s+/g, " ")}`);
    }
  }
  // Keep the most recent entries that fit: they matter most to what the agent does next.
  const kept: string[] = [];
  let size = header.length;
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const line = lines[i] as string;
    if (size + line.length + 1 > maxChars) break;
    kept.unshift(line);
    size += line.length + 1;
  }
  return [header, ...kept].join("\n");
}
