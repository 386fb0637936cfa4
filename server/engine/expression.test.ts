import { describe, expect, it } from "vitest";
import { checkExpression, evaluateExpression } from "./expression";
import { buildGraph, TestRun } from "./test-helpers";

const scope = { input: { priority: "high", count: 3, tags: ["a", "b"] }, previous: "Looks GOOD", nodes: { review: { output: "ok" } } };

function value(source: string) {
  const result = evaluateExpression(source, scope);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

describe("expressions", () => {
  it("compares, combines and calls the safe functions", () => {
    expect(value('input.priority == "high" && input.count >= 3')).toBe(true);
    expect(value("input.count > 3 || !false")).toBe(true);
    expect(value("1 + 2 == 4 - 1")).toBe(true);
    expect(evaluateExpression("2 * 3", scope)).toEqual({ ok: false, error: 'unexpected "*" at 3' });
  });

  it("supports functions and string operations", () => {
    expect(value('contains(lower(previous), "good")')).toBe(true);
    expect(value("len(input.tags) == 2")).toBe(true);
    expect(value('nodes.review.output != "rejected"')).toBe(true);
    expect(value("(input.count - 1) > 1")).toBe(true);
  });

  it("never reaches prototypes or globals", () => {
    expect(value("input.constructor")).toBeUndefined();
    expect(value("input.__proto__")).toBeUndefined();
    expect(value("process")).toBeUndefined();
    expect(evaluateExpression("constructor(1)", scope)).toMatchObject({ ok: false, error: expect.stringMatching(/unknown function/) });
    expect(evaluateExpression("toString()", scope)).toMatchObject({ ok: false });
  });

  it("reports syntax errors with a position", () => {
    expect(checkExpression('input.x == "unterminated')).toMatch(/unterminated string/);
    expect(checkExpression("input.x ==")).toMatch(/end of expression/);
    expect(checkExpression("a ; b")).toMatch(/unexpected ";"/);
    expect(checkExpression("input.count > 2")).toBeNull();
  });
});

describe("condition node", () => {
  it("routes through the true or false handle and skips the other branch", () => {
    const graph = buildGraph(
      [["trigger", "trigger"], ["check", "condition", { expression: 'input.priority == "high"' }], ["urgent", "output", { template: "urgent" }], ["normal", "output", { template: "normal" }]],
      [["trigger", "check"], ["check", "urgent", "true"], ["check", "normal", "false"]],
    );
    const run = new TestRun(graph);
    run.apply({ type: "run_started", input: { priority: "high" } });
    run.settle();
    expect(run.state.status).toBe("succeeded");
    expect(run.state.nodes.normal?.status).toBe("skipped");
    expect(run.state.output).toBe("urgent");
  });
});
