import type { CommittedEvent, ForkEdit } from "@/server/engine/events";
import type { RunState } from "@/server/engine/state";

/**
 * What a fork may change in the state at the event it starts from: the run input, the output
 * of a node that had succeeded, an agent's last message, or a tool result (in an agent's
 * thread, or a tool node's own). Pure: the panel lists these, the tests check them.
 */

export type EditTarget = {
  /** Stable within one state: the option value of the picker. */
  key: string;
  label: string;
  /** The value at that point, as the state holds it. */
  current: unknown;
  /** Strings are edited as plain text; anything else as JSON. */
  format: "text" | "json";
  toEdit: (value: unknown) => ForkEdit;
};

export type NodeLabels = (nodeId: string) => string;

export function editTargetsAt(state: RunState, labelOf: NodeLabels, triggerIds: ReadonlySet<string>): EditTarget[] {
  const targets: EditTarget[] = [
    { key: "input", label: "Run input", current: state.input, format: formatOf(state.input), toEdit: (value) => ({ kind: "input", value }) },
  ];
  for (const [nodeId, node] of Object.entries(state.nodes)) {
    // The trigger's output is the input: edited as "Run input".
    if (node.status === "succeeded" && !triggerIds.has(nodeId)) {
      targets.push({
        key: `output:${nodeId}`,
        label: `Output of ${labelOf(nodeId)}`,
        current: node.output,
        format: formatOf(node.output),
        toEdit: (value) => ({ kind: "node_output", nodeId, value }),
      });
    }
    if (node.toolResult) {
      targets.push({
        key: `tool:${nodeId}:`,
        label: `Tool result of ${labelOf(nodeId)}`,
        current: node.toolResult.content,
        format: "text",
        toEdit: (value) => ({ kind: "tool_result", nodeId, toolCallId: null, content: String(value) }),
      });
    }
  }
  for (const [nodeId, thread] of Object.entries(state.threads)) {
    const lastAssistant = thread.messages.findLast((message) => message.role === "assistant");
    if (lastAssistant) {
      targets.push({
        key: `message:${nodeId}`,
        label: `Last message of ${labelOf(nodeId)}`,
        current: lastAssistant.content ?? "",
        format: "text",
        toEdit: (value) => ({ kind: "agent_message", nodeId, content: String(value) }),
      });
    }
    const toolNames = new Map<string, string>();
    for (const message of thread.messages) {
      if (message.role === "assistant") for (const call of message.toolCalls ?? []) toolNames.set(call.id, call.name);
      if (message.role !== "tool") continue;
      const toolCallId = message.toolCallId;
      targets.push({
        key: `tool:${nodeId}:${toolCallId}`,
        label: `${toolNames.get(toolCallId) ?? "Tool"} result in ${labelOf(nodeId)}`,
        current: message.content,
        format: "text",
        toEdit: (value) => ({ kind: "tool_result", nodeId, toolCallId, content: String(value) }),
      });
    }
  }
  return targets;
}

/** The target the picked event is about: the output a node_finished produced, the reply an llm_response added… */
export function targetForEvent(targets: readonly EditTarget[], event: CommittedEvent | undefined): EditTarget | undefined {
  const byKey = (key: string) => targets.find((target) => target.key === key);
  if (!event) return targets[0];
  switch (event.type) {
    case "run_started":
      return byKey("input");
    case "node_finished":
      return byKey(`output:${event.nodeId}`) ?? byKey("input");
    case "llm_response":
      return byKey(`message:${event.nodeId}`);
    case "tool_result":
      return byKey(`tool:${event.nodeId}:${event.toolCallId ?? ""}`) ?? byKey(`output:${event.nodeId}`);
  }
  if ("nodeId" in event) {
    const node = event.nodeId;
    const forNode = targets.find((target) => target.key.endsWith(`:${node}`) || target.key.startsWith(`tool:${node}:`));
    if (forNode) return forNode;
  }
  return targets[0];
}

function formatOf(value: unknown): EditTarget["format"] {
  return typeof value === "string" ? "text" : "json";
}

/** The value as the editor shows it first. */
export function textOf(target: EditTarget): string {
  if (target.format === "text") return typeof target.current === "string" ? target.current : "";
  return target.current === undefined ? "null" : JSON.stringify(target.current, null, 2);
}

export type ParsedEdit = { ok: true; edit: ForkEdit | null } | { ok: false; error: string };

/** The edit a text means; null when it leaves the value as it was (a fork without changes). */
export function parseEdit(target: EditTarget, text: string): ParsedEdit {
  if (text === textOf(target)) return { ok: true, edit: null };
  if (target.format === "text") return { ok: true, edit: target.toEdit(text) };
  try {
    return { ok: true, edit: target.toEdit(JSON.parse(text) as unknown) };
  } catch (error) {
    return { ok: false, error: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}
