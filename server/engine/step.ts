import type { CommittedEvent } from "./events";
import type { AgentThread, NodeRunState, RunState } from "./state";

/**
 * The reducer: `step(state, event) → state`. Pure and total: it never throws on a
 * well-typed event and never mutates its input, so replaying the log rebuilds the state.
 */
export function step(state: RunState, event: CommittedEvent): RunState {
  const next: RunState = { ...state, lastSeq: event.seq };
  switch (event.type) {
    case "run_started":
      return { ...next, status: "running", input: event.input, startedAt: event.at };

    case "node_started": {
      const withNode = setNode(next, event.nodeId, { status: "running", startedAt: event.at, startedSeq: event.seq });
      if (!event.messages) return withNode;
      return setThread(withNode, event.nodeId, {
        messages: event.messages,
        modelCalls: 0,
        consecutiveErrors: 0,
        extraSteps: 0,
        assistantSeqs: {},
        compactedMessages: 0,
      });
    }

    case "llm_response": {
      const thread = threadOf(next, event.nodeId);
      const withThread = setThread(next, event.nodeId, {
        ...thread,
        messages: [...thread.messages, event.message],
        modelCalls: thread.modelCalls + 1,
        consecutiveErrors: 0,
        assistantSeqs: { ...thread.assistantSeqs, [thread.messages.length]: event.seq },
      });
      return {
        ...withThread,
        usage: {
          promptTokens: next.usage.promptTokens + event.usage.promptTokens,
          completionTokens: next.usage.completionTokens + event.usage.completionTokens,
          costUsd: next.usage.costUsd + event.costUsd,
          modelCalls: next.usage.modelCalls + 1,
        },
      };
    }

    case "llm_error": {
      const thread = threadOf(next, event.nodeId);
      return setThread(next, event.nodeId, { ...thread, consecutiveErrors: thread.consecutiveErrors + 1, lastError: event.error });
    }

    case "tool_result": {
      const cleared = clearHumanFor(next, event.nodeId, event.toolCallId);
      if (event.toolCallId === null) {
        return setNode(cleared, event.nodeId, { toolResult: { ok: event.ok, content: event.content, data: event.data } });
      }
      const thread = threadOf(cleared, event.nodeId);
      return setThread(cleared, event.nodeId, {
        ...thread,
        messages: [...thread.messages, { role: "tool", toolCallId: event.toolCallId, content: event.content }],
        consecutiveErrors: event.ok ? thread.consecutiveErrors : thread.consecutiveErrors + 1,
        ...(event.ok ? {} : { lastError: event.content }),
      });
    }

    case "human_requested":
      return {
        ...setNode(next, event.nodeId, { status: "waiting" }),
        status: next.status === "paused" ? "paused" : "waiting_for_human",
        humans: {
          ...next.humans,
          [event.nodeId]: {
            nodeId: event.nodeId,
            taskId: event.taskId,
            kind: event.kind ?? "gate",
            message: event.message,
            context: event.context,
            ...(event.toolCallId ? { toolCallId: event.toolCallId } : {}),
          },
        },
      };

    case "human_responded": {
      const pending = next.humans[event.nodeId];
      if (!pending || pending.taskId !== event.taskId) return next;
      const answered = setNode(next, event.nodeId, { status: "running" });
      const stillWaiting = Object.values(answered.nodes).some((node) => node.status === "waiting");
      return {
        ...answered,
        // An answer to a paused run is recorded but does not resume it.
        status: next.status === "paused" ? "paused" : stillWaiting ? "waiting_for_human" : "running",
        humans: {
          ...next.humans,
          [event.nodeId]: {
            ...pending,
            decision: event.decision,
            comment: event.comment,
            answer: event.answer,
            editedArguments: event.editedArguments,
          },
        },
      };
    }

    case "context_compacted": {
      const thread = threadOf(next, event.nodeId);
      // Keeps the system prompt and the task; the removed turns become one summary message.
      const [system, task, ...rest] = thread.messages;
      const kept = rest.slice(event.removedMessages);
      const head = [system, task].filter((m) => m !== undefined);
      const shift = event.removedMessages - 1;
      const assistantSeqs: Record<number, number> = {};
      for (const [index, seq] of Object.entries(thread.assistantSeqs)) {
        if (Number(index) >= 2 + event.removedMessages) assistantSeqs[Number(index) - shift] = seq;
      }
      return setThread(next, event.nodeId, {
        ...thread,
        messages: [...head, { role: "user", content: event.summary }, ...kept],
        assistantSeqs,
        compactedMessages: thread.compactedMessages + event.removedMessages,
        compactedAtCall: thread.modelCalls,
      });
    }

    case "agent_unblocked": {
      const thread = threadOf(next, event.nodeId);
      return setThread({ ...next, humans: withoutKey(next.humans, event.nodeId) }, event.nodeId, {
        ...thread,
        extraSteps: thread.extraSteps + event.extraSteps,
        consecutiveErrors: event.resetErrors ? 0 : thread.consecutiveErrors,
      });
    }

    case "budget_raised": {
      return {
        ...next,
        humans: withoutKey(next.humans, event.nodeId),
        budgetRaise: { tokens: next.budgetRaise.tokens + event.tokens, usd: next.budgetRaise.usd + event.usd },
      };
    }

    case "node_finished":
      return setNode(next, event.nodeId, {
        status: "succeeded",
        output: event.output,
        handle: event.handle,
        finishedAt: event.at,
        toolResult: undefined,
      });

    case "node_skipped":
      return setNode(next, event.nodeId, { status: "skipped", finishedAt: event.at });

    case "node_failed": {
      const failed = setNode(next, event.nodeId, { status: "failed", error: event.error, finishedAt: event.at });
      return { ...failed, humans: withoutKey(next.humans, event.nodeId) };
    }

    case "loop_iteration": {
      const reset = new Set(event.resetNodeIds ?? []);
      const nodes = { ...next.nodes };
      const threads = { ...next.threads };
      const humans = { ...next.humans };
      for (const id of reset) {
        nodes[id] = { status: "pending" };
        delete threads[id];
        delete humans[id];
      }
      const loop: NodeRunState = nodes[event.nodeId] ?? { status: "running" };
      nodes[event.nodeId] = { ...loop, iteration: event.iteration };
      return { ...next, nodes, threads, humans };
    }

    case "run_paused":
      return { ...next, status: "paused" };

    case "run_resumed": {
      const waiting = Object.values(next.nodes).some((node) => node.status === "waiting");
      return { ...next, status: waiting ? "waiting_for_human" : "running" };
    }

    case "run_finished":
      return {
        ...next,
        status: event.status,
        output: event.output,
        error: event.error,
        finishedAt: event.at,
      };
  }
}

function setNode(state: RunState, nodeId: string, patch: Partial<NodeRunState>): RunState {
  const current: NodeRunState = state.nodes[nodeId] ?? { status: "pending" };
  return { ...state, nodes: { ...state.nodes, [nodeId]: { ...current, ...patch } } };
}

function threadOf(state: RunState, nodeId: string): AgentThread {
  return (
    state.threads[nodeId] ?? { messages: [], modelCalls: 0, consecutiveErrors: 0, extraSteps: 0, assistantSeqs: {}, compactedMessages: 0 }
  );
}

function setThread(state: RunState, nodeId: string, thread: AgentThread): RunState {
  return { ...state, threads: { ...state.threads, [nodeId]: thread } };
}

/** A tool result answers the question or approval that was pending for that call. */
function clearHumanFor(state: RunState, nodeId: string, toolCallId: string | null): RunState {
  const pending = state.humans[nodeId];
  if (!pending || pending.kind === "gate" || (pending.toolCallId ?? null) !== toolCallId) return state;
  return { ...state, humans: withoutKey(state.humans, nodeId) };
}

function withoutKey<T>(record: Record<string, T>, key: string): Record<string, T> {
  const copy = { ...record };
  delete copy[key];
  return copy;
}
