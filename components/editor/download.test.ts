import { describe, expect, it } from "vitest";
import { workflowFileName } from "./download";

describe("workflowFileName", () => {
  it("names the file after the workflow", () => {
    expect(workflowFileName("Approval gate")).toBe("Approval gate.agentflow.json");
  });

  it("replaces characters file systems refuse and never starts with a dot", () => {
    expect(workflowFileName('a/b\\c:d*e?"f<g>h|i')).toBe("a-b-c-d-e-f-g-h-i.agentflow.json");
    expect(workflowFileName("..hidden")).toBe("hidden.agentflow.json");
    expect(workflowFileName("  ")).toBe("workflow.agentflow.json");
  });
});
