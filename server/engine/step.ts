import type { CommittedEvent } from "./events";
import type { NodeRunState, RunState } from "./state";

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
      const withNode = setNode(next, event.nodeId, { status: "running", startedAt: event.at });
      if (!event.messages) return withNode;
      return {
        ...withNode,
        threads: {
          ...withNode.threads,
          [event.nodeId]: { messages: event.messages, modelCalls: 0, consecutiveErrors: 0 },
        },
      };
    }

    case "llm_response": {
      const thread = next.threads[event.nodeId] ?? { messages: [], modelCalls: 0, consecutiveErrors: 0 };
      return {
        ...next,
        threads: {
          ...next.threads,
          [event.nodeId]: {
            messages: [...thread.messages, event.message],
            modelCalls: thread.modelCalls + 1,
            consecutiveErrors: 0,
          },
        },
        usage: {
          promptTokens: next.usage.promptTokens + event.usage.promptTokens,
          completionTokens: next.usage.completionTokens + event.usage.completionTokens,
          costUsd: next.usage.costUsd + event.costUsd,
          modelCalls: next.usage.modelCalls + 1,
        },
      };
    }

    case "llm_error": {
      const thread = next.threads[event.nodeId] ?? { messages: [], modelCalls: 0, consecutiveErrors: 0 };
      return {
        ...next,
        threads: {
          ...next.threads,
          [event.nodeId]: { ...thread, consecutiveErrors: thread.consecutiveErrors + 1, lastError: event.error },
        },
      };
    }

    case "tool_result": {
      const thread = next.threads[event.nodeId] ?? { messages: [], modelCalls: 0, consecutiveErrors: 0 };
      return {
        ...next,
        threads: {
          ...next.threads,
          [event.nodeId]: {
            ...thread,
            messages: [...thread.messages, { role: "tool", toolCallId: event.toolCallId, content: event.content }],
            consecutiveErrors: event.ok ? thread.consecutiveErrors : thread.consecutiveErrors + 1,
            ...(event.ok ? {} : { lastError: event.content }),
          },
        },
      };
    }

    case "human_requested":
      return {
        ...setNode(next, event.nodeId, { status: "waiting" }),
        status: "waiting_for_human",
        humans: {
          ...next.humans,
          [event.nodeId]: { nodeId: event.nodeId, taskId: event.taskId, message: event.message, context: event.context },
        },
      };

    case "human_responded": {
      const pending = next.humans[event.nodeId];
      if (!pending) return next;
      return {
        ...setNode(next, event.nodeId, { status: "running" }),
        // An answer to a paused run is recorded but does not resume it.
        status: next.status === "paused" ? "paused" : "running",
        humans: { ...next.humans, [event.nodeId]: { ...pending, decision: event.decision, comment: event.comment } },
      };
    }

    case "node_finished":
      return setNode(next, event.nodeId, {
        status: "succeeded",
        output: event.output,
        handle: event.handle,
        finishedAt: event.at,
      });

    case "node_skipped":
      return setNode(next, event.nodeId, { status: "skipped", finishedAt: event.at });

    case "node_failed":
      return setNode(next, event.nodeId, { status: "failed", error: event.error, finishedAt: event.at });

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
