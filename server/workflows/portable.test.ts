import { describe, expect, it } from "vitest";
import { exportWorkflow, parseWorkflowFile } from "./portable";
import { WORKFLOW_TEMPLATES } from "./templates";
import { UserInputError } from "../errors";

const graph = WORKFLOW_TEMPLATES[1]?.graph;

function importError(text: string): UserInputError {
  try {
    parseWorkflowFile(text);
  } catch (error) {
    if (error instanceof UserInputError) return error;
    throw error;
  }
  throw new Error("import succeeded");
}

describe("workflow files", () => {
  it("round-trips an export", () => {
    if (!graph) throw new Error("no template");
    const file = exportWorkflow({ name: "Pipeline", description: "", graph });
    expect(parseWorkflowFile(JSON.stringify(file))).toEqual(file);
  });

  it("points at the bad field", () => {
    if (!graph) throw new Error("no template");
    const file = exportWorkflow({ name: "Pipeline", description: "", graph }) as unknown as { graph: { nodes: { data: Record<string, unknown> }[] } };
    const bad = structuredClone(file);
    const agentNode = bad.graph.nodes[1];
    if (agentNode) agentNode.data.maxSteps = 1000;
    const error = importError(JSON.stringify(bad));
    expect(error.path).toBe("graph.nodes[1].data.maxSteps");
    expect(error.message).toMatch(/^Invalid workflow file at graph\.nodes\[1\]\.data\.maxSteps: /);
  });

  it("rejects what is not a workflow file", () => {
    expect(importError("{not json").message).toMatch(/not valid JSON/);
    expect(importError('{"format":"other"}').path).toBe("format");
  });
});
