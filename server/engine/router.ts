import type { ChatMessage, RunEvent } from "./events";
import type { NodeDataOf } from "./graph";
import type { RunState } from "./state";
import type { ToolSpec } from "./agent-tools";
import type { Effect } from "./decide";
import { renderTemplate, type TemplateScope } from "./template";

/**
 * The router node (the seeds' "intelligent routing"): one structured model call — the only
 * tool offered is `choose_branch`, whose `branch` argument is an enum of the branch names —
 * validated against those names. The model's choice and reason are committed as
 * `route_chosen`, then the node finishes through that branch's handle, passing its input on
 * unchanged. A model error, or an answer that names no branch, takes the default branch
 * instead, and `route_chosen.reason` says why: a router never fails the run.
 *
 * Pure, like the rest of the engine; the call itself is an ordinary `call_llm` effect the worker
 * performs and commits (llm_response / llm_error) like an agent's, in the node's thread.
 */

type RouterData = NodeDataOf<"router">;

export const ROUTER_TOOL_NAME = "choose_branch";

/** The tool the model answers with; its description lists each branch with what belongs there. */
export function routerTool(data: RouterData): ToolSpec {
  const names = data.branches.map((branch) => branch.name);
  const lines = data.branches.map((branch) => `- ${branch.name}: ${branch.description || "(no description)"}`);
  return {
    name: ROUTER_TOOL_NAME,
    description: `Choose the branch for this input. Branches:\n${lines.join("\n")}`,
    parameters: {
      type: "object",
      properties: {
        branch: { type: "string", enum: names, description: "One of the branch names" },
        reason: { type: "string", description: "One sentence: why this branch" },
      },
      required: ["branch", "reason"],
      additionalProperties: false,
    },
  };
}

/** The router's thread: its instructions and the branches, then the input to classify. */
export function routerThread(data: RouterData, scope: TemplateScope): ChatMessage[] {
  const branches = data.branches.map((branch) => `- ${branch.name}: ${branch.description || "(no description)"}`).join("\n");
  return [
    { role: "system", content: `${data.instructions}\n\nBranches:\n${branches}\n\nAnswer only by calling ${ROUTER_TOOL_NAME} with one branch name and a one-sentence reason.` },
    { role: "user", content: renderTemplate(data.input, scope) },
  ];
}

/** What the model's answer chose: a branch with its reason, or why it chose none. */
export function readRouterAnswer(data: RouterData, message: Extract<ChatMessage, { role: "assistant" }>): { branch: string; reason: string } | { problem: string } {
  const names = new Set(data.branches.map((branch) => branch.name));
  const call = message.toolCalls?.find((candidate) => candidate.name === ROUTER_TOOL_NAME);
  if (call) {
    let args: unknown;
    try {
      args = JSON.parse(call.arguments);
    } catch {
      return { problem: `the ${ROUTER_TOOL_NAME} arguments were not JSON` };
    }
    const { branch, reason } = (args && typeof args === "object" ? args : {}) as { branch?: unknown; reason?: unknown };
    if (typeof branch !== "string" || !names.has(branch.trim())) return { problem: `the model chose ${JSON.stringify(branch ?? null)}, which is not a branch` };
    return { branch: branch.trim(), reason: typeof reason === "string" ? reason.trim().slice(0, 2_000) : "" };
  }
  // A model that answered in words: accepted when the whole answer is exactly one branch name.
  const said = (message.content ?? "").trim().toLowerCase();
  if (names.has(said)) return { branch: said, reason: "" };
  return { problem: `the model answered without calling ${ROUTER_TOOL_NAME}` };
}

/** The next step of a running router node. */
export function continueRouter(nodeId: string, data: RouterData, state: RunState, previous: unknown): Effect[] {
  const thread = state.threads[nodeId];
  if (!thread) return [emit({ type: "node_failed", nodeId, error: "router thread missing" })];
  const route = state.nodes[nodeId]?.route;
  if (route) return [emit({ type: "node_finished", nodeId, output: previous, handle: route.branch })];

  const last = thread.messages[thread.messages.length - 1];
  if (last?.role === "assistant") {
    const answer = readRouterAnswer(data, last);
    if ("branch" in answer) return [emit({ type: "route_chosen", nodeId, branch: answer.branch, reason: answer.reason, defaulted: false })];
    return [takeDefault(nodeId, data, answer.problem)];
  }
  // The client already retried the call; one failed call is the model's failure.
  if (thread.consecutiveErrors > 0 || thread.fatalError) return [takeDefault(nodeId, data, `the model call failed: ${thread.fatalError ?? thread.lastError ?? "unknown error"}`)];
  return [
    {
      kind: "call_llm",
      nodeId,
      request: { provider: data.provider, model: data.model, temperature: 0, messages: thread.messages, tools: [routerTool(data)] },
    },
  ];
}

function takeDefault(nodeId: string, data: RouterData, why: string): Effect {
  return emit({ type: "route_chosen", nodeId, branch: data.defaultBranch, reason: `Default branch: ${why}`, defaulted: true });
}

function emit(event: RunEvent): Effect {
  return { kind: "emit", event };
}
