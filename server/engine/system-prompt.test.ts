import { describe, expect, it } from "vitest";
import { createNode } from "./graph";
import { systemPromptForRun } from "./decide";

describe("the agent's system prompt", () => {
  it("reads as a builder would write it: no engine internals in the default", () => {
    const node = createNode("agent", "a", { x: 0, y: 0 });
    expect(node.type === "agent" && node.data.systemPrompt).toBe("You are a helpful assistant. Answer clearly and concisely.");
    expect(node.type === "agent" && node.data.systemPrompt).not.toMatch(/complete_task/);
  });

  it("gets the closing instruction added at run time", () => {
    expect(systemPromptForRun("You write release notes.")).toBe(
      "You write release notes.\n\nWhen you are done, call complete_task with your final answer as `result`.",
    );
  });

  it("is left alone when it already names complete_task (presets, older drafts)", () => {
    const written = "Summarise. When you are done, call complete_task with your result.";
    expect(systemPromptForRun(written)).toBe(written);
  });
});
