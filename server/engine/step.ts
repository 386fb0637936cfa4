import type { CommittedEvent, ForkEdit } from "./events";
import type { AgentThread, ChildrenState, NodeRunState, PendingHuman, RunState } from "./state";

/**
 * The reducer: `step(state, event) → state`. Pure and total: it never throws on a
 * well-typed event and never mutates its input, so replaying the log rebuilds the state.
 */
export function step(state: RunState, event: CommittedEvent): RunState {
  const next: RunState = { ...state, lastSeq: event.seq };
  switch (event.type) {
    case "run_started":
      return { ...next, status: "running", input: event.input, startedAt: event.at, ...(event.item ? { item: event.item } : {}) };

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
      // An unknown price is counted, never added as $0: the total then reads "≥ $x + unknown".
      const unpricedCalls = (next.usage.unpricedCalls ?? 0) + (event.costUsd === null ? 1 : 0);
      return {
        ...withThread,
        usage: {
          promptTokens: next.usage.promptTokens + event.usage.promptTokens,
          completionTokens: next.usage.completionTokens + event.usage.completionTokens,
          costUsd: next.usage.costUsd + (event.costUsd ?? 0),
          modelCalls: next.usage.modelCalls + 1,
          ...(unpricedCalls > 0 ? { unpricedCalls } : {}),
        },
      };
    }

    case "llm_error": {
      const thread = threadOf(next, event.nodeId);
      return setThread(next, event.nodeId, {
        ...thread,
        consecutiveErrors: thread.consecutiveErrors + 1,
        lastError: event.error,
        // Non-retryable (key refused, model not found…): the agent fails the node at once.
        ...(event.retryable === false ? { fatalError: event.error } : {}),
      });
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
      return answerHuman(next, {
        ...pending,
        decision: event.decision,
        comment: event.comment,
        answer: event.answer,
        editedArguments: event.editedArguments,
        ...(event.editedContent !== undefined ? { editedContent: event.editedContent } : {}),
      });
    }

    case "human_timed_out": {
      const pending = next.humans[event.nodeId];
      if (!pending || pending.taskId !== event.taskId || pending.decision) return next;
      // A "timeout" outcome leaves through its own handle; the gate reads `timedOut`.
      return answerHuman(next, { ...pending, decision: event.outcome === "approve" ? "approve" : "reject", timedOut: event.outcome });
    }

    case "run_retried":
      return reopen(next, event.nodeIds);

    case "run_forked":
      // A fork's own clock and bill start here: its duration and usage are what it ran and spent
      // itself (the shared history was paid for by its parent; dashboards would count it twice).
      return {
        ...reopen(event.edit ? applyForkEdit(next, event.edit) : next, event.nodeIds),
        startedAt: event.at,
        usage: { promptTokens: 0, completionTokens: 0, costUsd: 0, modelCalls: 0 },
      };

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
        budgetRaise: {
          tokens: next.budgetRaise.tokens + event.tokens,
          usd: next.budgetRaise.usd + event.usd,
          ...(event.acceptUnpriced || next.budgetRaise.acceptUnpriced ? { acceptUnpriced: true } : {}),
        },
      };
    }

    case "node_finished": {
      const children = next.nodes[event.nodeId]?.children;
      return setNode(next, event.nodeId, {
        status: "succeeded",
        output: event.output,
        handle: event.handle,
        finishedAt: event.at,
        finishedSeq: event.seq,
        toolResult: undefined,
        // The results are the output now: kept once, with how many items succeeded.
        ...(children ? { children: { ...children, results: {}, succeeded: Object.keys(children.results).length } } : {}),
      });
    }

    case "node_skipped":
      return setNode(next, event.nodeId, { status: "skipped", finishedAt: event.at });

    case "node_failed": {
      const failed = setNode(next, event.nodeId, { status: "failed", error: event.error, finishedAt: event.at });
      return { ...failed, humans: withoutKey(next.humans, event.nodeId) };
    }

    case "items_listed":
      return setNode(next, event.nodeId, { children: { total: event.count, inFlight: {}, results: {}, errors: {} } });

    case "child_started": {
      const children = childrenOf(next, event.nodeId);
      return setNode(next, event.nodeId, { children: { ...children, inFlight: { ...children.inFlight, [event.index]: event.childRunId } } });
    }

    case "child_finished": {
      const children = childrenOf(next, event.nodeId);
      // Only the child the parent is waiting for at that index counts (a report may arrive twice).
      if (children.inFlight[event.index] !== event.childRunId) return next;
      const inFlight = withoutKey(children.inFlight, String(event.index));
      const finished =
        event.status === "succeeded"
          ? { ...children, inFlight, results: { ...children.results, [event.index]: event.output ?? null } }
          : { ...children, inFlight, errors: { ...children.errors, [event.index]: event.error ?? `the run ${event.status === "failed" ? "failed" : `was ${event.status}`}` } };
      return setNode(next, event.nodeId, { children: finished });
    }

    case "compensation_started":
      return { ...next, compensation: { reason: event.reason, nodeIds: event.nodeIds } };

    case "route_chosen":
      return setNode(next, event.nodeId, { route: { branch: event.branch, reason: event.reason, defaulted: event.defaulted } });

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

/** A person (or a timeout) answered: the node works again; the run too, unless paused or still waiting elsewhere. */
function answerHuman(state: RunState, answered: PendingHuman): RunState {
  const running = setNode(state, answered.nodeId, { status: "running" });
  const stillWaiting = Object.values(running.nodes).some((node) => node.status === "waiting");
  return {
    ...running,
    // An answer to a paused run is recorded but does not resume it.
    status: state.status === "paused" ? "paused" : stillWaiting ? "waiting_for_human" : "running",
    humans: { ...state.humans, [answered.nodeId]: answered },
  };
}

/**
 * A run goes on after it ended (a retry) or from an earlier point (a fork): the listed nodes
 * are reopened and the run is live again. What succeeded stays, and so does an agent's
 * thread: its committed model replies and tool results are the context it continues from.
 */
function reopen(state: RunState, nodeIds: readonly string[]): RunState {
  const nodes = { ...state.nodes };
  const threads = { ...state.threads };
  const humans = { ...state.humans };
  for (const id of nodeIds) {
    const node = nodes[id];
    if (!node) continue;
    const thread = threads[id];
    // An unanswered request's task was closed with the run; the node asks again.
    if (humans[id] && !humans[id].decision) delete humans[id];
    if (node.children && (node.status === "failed" || node.status === "running" || node.status === "waiting")) {
      // A for-each or sub-workflow goes on with the items that succeeded; the failed ones and
      // those in flight (their runs were cancelled with this one) run again as new child runs.
      const { children } = node;
      nodes[id] = {
        status: "running",
        startedAt: node.startedAt,
        startedSeq: node.startedSeq,
        ...(node.iteration !== undefined ? { iteration: node.iteration } : {}),
        children: { total: children.total, inFlight: {}, results: children.results, errors: {}, generation: (children.generation ?? 0) + 1 },
      };
    } else if (thread && (node.status === "failed" || node.status === "running" || node.status === "waiting")) {
      nodes[id] = { status: "running", startedAt: node.startedAt, startedSeq: node.startedSeq, ...(node.iteration !== undefined ? { iteration: node.iteration } : {}) };
      // A retry after fixing the provider calls the model again.
      threads[id] = { ...thread, consecutiveErrors: 0, fatalError: undefined };
    } else if (node.status === "running" || node.status === "waiting") {
      nodes[id] = { ...node, status: "running" };
    } else if (node.status === "failed" || node.status === "skipped") {
      // Starts afresh: a new node_started gives its tool call a new idempotency key.
      nodes[id] = { status: "pending" };
    }
  }
  const waiting = Object.values(nodes).some((node) => node.status === "waiting");
  // Live again: the run's end (output, error, finish time) is undone.
  const live: RunState = { ...state, status: waiting ? "waiting_for_human" : "running", nodes, threads, humans };
  delete live.output;
  delete live.error;
  delete live.finishedAt;
  return live;
}

/** The edit a fork starts with. The server checks it against the state first (forkEditProblem). */
function applyForkEdit(state: RunState, edit: ForkEdit): RunState {
  switch (edit.kind) {
    case "input":
      return { ...state, input: edit.value };
    case "node_output":
      return setNode(state, edit.nodeId, { output: edit.value });
    case "agent_message": {
      const thread = threadOf(state, edit.nodeId);
      const index = thread.messages.findLastIndex((message) => message.role === "assistant");
      const message = thread.messages[index];
      if (!message || message.role !== "assistant") return state;
      const messages = thread.messages.with(index, { ...message, content: edit.content });
      const edited = setThread(state, edit.nodeId, { ...thread, messages });
      // An agent that finished with this message as its answer finishes with the edited one.
      const node = state.nodes[edit.nodeId];
      return node?.status === "succeeded" && node.output === message.content ? setNode(edited, edit.nodeId, { output: edit.content }) : edited;
    }
    case "tool_result": {
      if (edit.toolCallId === null) {
        const node = state.nodes[edit.nodeId];
        if (node?.toolResult) return setNode(state, edit.nodeId, { toolResult: { ...node.toolResult, content: edit.content, data: undefined } });
        return node?.status === "succeeded" ? setNode(state, edit.nodeId, { output: edit.content }) : state;
      }
      const thread = threadOf(state, edit.nodeId);
      const messages = thread.messages.map((message) =>
        message.role === "tool" && message.toolCallId === edit.toolCallId ? { ...message, content: edit.content } : message,
      );
      return setThread(state, edit.nodeId, { ...thread, messages });
    }
  }
}

function setNode(state: RunState, nodeId: string, patch: Partial<NodeRunState>): RunState {
  const current: NodeRunState = state.nodes[nodeId] ?? { status: "pending" };
  return { ...state, nodes: { ...state.nodes, [nodeId]: { ...current, ...patch } } };
}

function childrenOf(state: RunState, nodeId: string): ChildrenState {
  return state.nodes[nodeId]?.children ?? { total: 1, inFlight: {}, results: {}, errors: {} };
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
