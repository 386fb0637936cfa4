import { createNode, GRAPH_SCHEMA_VERSION, type Graph, type GraphNode } from "../engine/graph";

function withData(node: GraphNode, data: Record<string, unknown>): GraphNode {
  return { ...node, data: { ...node.data, ...data } } as GraphNode;
}

/** Trigger → writer agent → human approval → output: the sample a fresh install can run. */
export function releaseNotesSample(): Graph {
  return {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: [
      withData(createNode("trigger", "trigger", { x: 0, y: 150 }), {
        sampleInput: JSON.stringify({ topic: "dark mode and faster exports" }, null, 2),
      }),
      withData(createNode("agent", "writer", { x: 300, y: 150 }), {
        label: "Release-notes writer",
        systemPrompt: "You write short, friendly release notes for end users. Finish by calling complete_task with the notes.",
        task: "Write release notes about: {{input.topic}}",
      }),
      withData(createNode("human", "review", { x: 600, y: 150 }), {
        label: "Editor approval",
        message: "Publish these release notes?",
      }),
      withData(createNode("output", "output", { x: 900, y: 150 }), { label: "Published notes" }),
    ],
    edges: [
      { id: "e-trigger-writer", source: "trigger", target: "writer", sourceHandle: null, targetHandle: null },
      { id: "e-writer-review", source: "writer", target: "review", sourceHandle: null, targetHandle: null },
      { id: "e-review-output", source: "review", target: "output", sourceHandle: "approve", targetHandle: null },
    ],
  };
}
