import { describe, expect, it } from "vitest";
import { createNode, GRAPH_SCHEMA_VERSION, type Graph, type GraphNode } from "./graph";
import { validateGraph } from "./validate";

/** trigger → summariser → output, with the summariser's task empty; `extra` nodes are added unconnected. */
function graphWith(extra: GraphNode[] = []): Graph {
  const summariser = createNode("agent", "agent_1", { x: 300, y: 0 });
  if (summariser.type === "agent") {
    summariser.data.label = "Summariser";
    summariser.data.task = " ";
  }
  return {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: [createNode("trigger", "trigger", { x: 0, y: 0 }), summariser, createNode("output", "output", { x: 600, y: 0 }), ...extra],
    edges: [
      { id: "e1", source: "trigger", target: "agent_1", sourceHandle: null, targetHandle: null },
      { id: "e2", source: "agent_1", target: "output", sourceHandle: null, targetHandle: null },
    ],
  };
}

const messagesOf = (graph: Graph) => validateGraph(graph).map((problem) => problem.message);

describe("problem messages name the node", () => {
  it("by its kind and label", () => {
    expect(messagesOf(graphWith())).toEqual(['Agent "Summariser": the task is empty']);
  });

  it("for every kind of problem at a node", () => {
    const review = createNode("human", "review", { x: 0, y: 200 });
    if (review.type === "human") {
      review.data.label = "Legal review";
      review.data.message = "";
    }
    const route = createNode("condition", "route", { x: 0, y: 400 });
    if (route.type === "condition") route.data.expression = "";
    const messages = messagesOf(graphWith([review, route]));
    expect(messages).toEqual(
      expect.arrayContaining([
        'Human approval "Legal review" is not connected to the Trigger',
        'Human approval "Legal review": the message is empty',
        'Condition "Condition": the expression is empty',
      ]),
    );
  });

  it("adds the id when two nodes share a label, and uses the id when the label is empty", () => {
    const twin = createNode("agent", "agent_2", { x: 0, y: 200 });
    if (twin.type === "agent") {
      twin.data.label = "Summariser";
      twin.data.task = "";
    }
    const nameless = createNode("tool", "tool_1", { x: 0, y: 400 });
    if (nameless.type === "tool") nameless.data.label = "";
    const messages = messagesOf(graphWith([twin, nameless]));
    expect(messages).toEqual(
      expect.arrayContaining([
        'Agent "Summariser" (agent_1): the task is empty',
        'Agent "Summariser" (agent_2): the task is empty',
        "Tool tool_1: choose a tool",
        "Tool tool_1 is not connected to the Trigger",
      ]),
    );
  });

  it("in edge and reference problems too", () => {
    const graph = graphWith();
    graph.edges.push({ id: "bad", source: "agent_1", target: "output", sourceHandle: "approve", targetHandle: null });
    const output = graph.nodes.find((node) => node.id === "output");
    if (output?.type === "output") output.data.template = "{{nodes.agent_1.output.title}}";
    const messages = messagesOf(graph);
    expect(messages).toContain('Agent "Summariser" has no output "approve"');
    expect(messages).toContain('Output "Output" (template): {{nodes.agent_1.output.title}} reads field "title" but Agent "Summariser" outputs plain text');
  });
});
