import { createNode, GRAPH_SCHEMA_VERSION, type Graph, type NodeDataOf } from "../../server/engine/graph";

/** trigger → agent → human approval → (approve) output; reject goes nowhere, so rejecting ends the run. */
export function approvalGraph(task = "Summarise {{input.topic}}"): Graph {
  const agent = createNode("agent", "agent_1", { x: 272, y: 112 });
  if (agent.type === "agent") agent.data.task = task;
  return {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: [
      createNode("trigger", "trigger", { x: 0, y: 112 }),
      agent,
      createNode("human", "review", { x: 544, y: 112 }),
      createNode("output", "output", { x: 816, y: 112 }),
    ],
    edges: [
      { id: "e-trigger-agent_1", source: "trigger", target: "agent_1", sourceHandle: null, targetHandle: null },
      { id: "e-agent_1-review", source: "agent_1", target: "review", sourceHandle: null, targetHandle: null },
      { id: "e-review:approve-output", source: "review", target: "output", sourceHandle: "approve", targetHandle: null },
    ],
  };
}

/** trigger → agent_1 → output, the agent's settings over its defaults. */
export function agentGraph(agentData: Partial<NodeDataOf<"agent">> = {}): Graph {
  const agent = createNode("agent", "agent_1", { x: 272, y: 112 });
  if (agent.type === "agent") Object.assign(agent.data, agentData);
  return {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: [createNode("trigger", "trigger", { x: 0, y: 112 }), agent, createNode("output", "output", { x: 544, y: 112 })],
    edges: [
      { id: "e-trigger-agent_1", source: "trigger", target: "agent_1", sourceHandle: null, targetHandle: null },
      { id: "e-agent_1-output", source: "agent_1", target: "output", sourceHandle: null, targetHandle: null },
    ],
  };
}

/**
 * trigger → agent → output, where the agent (on the demo model) calls `http_request` once with
 * `args`. http_request asks a person before it runs, so the run waits on a tool approval.
 */
export function toolApprovalGraph(args: Record<string, unknown>): Graph {
  return agentGraph({ task: `Check the status page.\n#demo:call:http_request ${JSON.stringify(args)}`, allowedTools: ["http_request"] });
}
