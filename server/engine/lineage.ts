import type { ForkEdit } from "./events";
import type { RunState } from "./state";
import type { Graph } from "./graph";

/**
 * Pure rules for going on with a run after it stopped: a retry (the same run continues from
 * its failed or cancelled steps) and a fork (a new run continues from any committed event,
 * optionally with one edit). Both reopen the same nodes (see `reopen` in step.ts).
 */

/** The nodes a retry or fork reopens: whatever had not succeeded (failed, unfinished, skipped). */
export function reopenableNodeIds(state: RunState): string[] {
  return Object.entries(state.nodes)
    .filter(([, node]) => node.status === "failed" || node.status === "running" || node.status === "waiting" || node.status === "skipped")
    .map(([id]) => id);
}

/** Only a run that failed or was cancelled can be retried; a success or a rejection is final (re-run it instead). */
export function canRetry(state: RunState): boolean {
  return state.status === "failed" || state.status === "cancelled";
}

/** The node a retry goes on from, as shown on its button: the first failed node, else the first unfinished one. */
export function retryStartNode(graph: Graph, state: RunState): string | null {
  const failed = graph.nodes.find((node) => state.nodes[node.id]?.status === "failed");
  if (failed) return failed.id;
  const unfinished = graph.nodes.find((node) => {
    const status = state.nodes[node.id]?.status;
    return status === "running" || status === "waiting";
  });
  return unfinished?.id ?? null;
}

/** Why `edit` cannot apply to the state a fork starts from, or null when it can. */
export function forkEditProblem(state: RunState, edit: ForkEdit): string | null {
  switch (edit.kind) {
    case "input":
      return null;
    case "node_output": {
      const node = state.nodes[edit.nodeId];
      if (!node) return `node ${edit.nodeId} has not run at this point`;
      return node.status === "succeeded" ? null : `node ${edit.nodeId} has no output at this point (it is ${node.status})`;
    }
    case "agent_message": {
      const thread = state.threads[edit.nodeId];
      if (!thread) return `node ${edit.nodeId} is not an agent that has started at this point`;
      return thread.messages.some((message) => message.role === "assistant") ? null : `agent ${edit.nodeId} has no message yet at this point`;
    }
    case "tool_result": {
      if (edit.toolCallId === null) {
        const node = state.nodes[edit.nodeId];
        return node?.toolResult || node?.status === "succeeded" ? null : `tool node ${edit.nodeId} has no result at this point`;
      }
      const thread = state.threads[edit.nodeId];
      const found = thread?.messages.some((message) => message.role === "tool" && message.toolCallId === edit.toolCallId);
      return found ? null : `agent ${edit.nodeId} has no result for tool call ${edit.toolCallId} at this point`;
    }
  }
}
