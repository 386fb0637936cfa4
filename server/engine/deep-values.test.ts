import { describe, expect, it } from "vitest";
import { toJsonText } from "./json-text";
import { renderTemplate, renderTemplateValue } from "./template";
import { checkExpression, evaluateExpression, MAX_NESTING } from "./expression";
import { buildGraph, TestRun } from "./test-helpers";
import { validateGraph } from "./validate";
import type { Effect } from "./decide";

/**
 * Run data may be nested far deeper than a recursive walk survives: JSON.parse accepts any
 * depth, JSON.stringify throws RangeError a few thousand levels down. The engine renders,
 * compares and copies such values without recursion.
 */

const DEPTH = 10_000;

/** `[[[…[leaf]…]]]`, `depth` arrays deep. */
function nestedArrays(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let level = 0; level < depth; level += 1) value = [value];
  return value;
}

const nestedText = (depth: number, leaf = "1") => `${"[".repeat(depth)}${leaf}${"]".repeat(depth)}`;

/** Objects and arrays alternating, with members JSON leaves out or writes as null on the way. */
function mixedDeep(depth: number): unknown {
  let value: unknown = { leaf: "tab\there \u2028 \"quoted\"", n: -0, big: 1e21, nan: Number.NaN };
  for (let level = 0; level < depth; level += 1) {
    value = level % 2 === 0 ? { a: value, skipped: undefined, list: [undefined, null, true] } : [1, value, "x"];
  }
  return value;
}

describe("JSON text of deep values", () => {
  it("is exactly JSON.stringify's text for ordinary values, compact and pretty", () => {
    const values = [null, 0, "x", [], {}, [[]], { a: [1, { b: undefined, c: null }] }, JSON.parse('{"__proto__":2}'), { when: new Date(0) }, mixedDeep(3)];
    for (const value of values) {
      expect(toJsonText(value)).toBe(JSON.stringify(value));
      expect(toJsonText(value, { pretty: true })).toBe(JSON.stringify(value, null, 2));
    }
    expect(toJsonText(undefined)).toBeUndefined();
  });

  it("writes what JSON.stringify would, compactly, past the depth where it recurses", () => {
    // 600 levels: deep enough for the explicit-stack writer, shallow enough to compare with JSON.stringify.
    const value = mixedDeep(600);
    expect(toJsonText(value)).toBe(JSON.stringify(value));
    expect(toJsonText(value, { pretty: true })).toBe(JSON.stringify(value));
  });

  it("writes 10,000 nested arrays, where JSON.stringify overflows the stack", () => {
    const value = nestedArrays(DEPTH);
    expect(() => JSON.stringify(value)).toThrow(RangeError);
    expect(toJsonText(value, { pretty: true })).toBe(nestedText(DEPTH));
  });

  it("refuses a value that contains itself", () => {
    const looped: unknown[] = [];
    let deep: unknown[] = looped;
    for (let level = 0; level < 300; level += 1) deep = [deep];
    looped.push(deep);
    expect(() => toJsonText(looped)).toThrow(TypeError);
  });
});

describe("templates over deep values", () => {
  const deepInput = nestedArrays(DEPTH);
  const scope = { input: deepInput, previous: deepInput, nodes: { a: { output: deepInput } } };

  it("renders {{input}}, {{previous}} and a node's output", () => {
    expect(renderTemplate("{{input}}|{{previous}}|{{nodes.a.output}}", scope)).toBe([1, 2, 3].map(() => nestedText(DEPTH)).join("|"));
  });

  it("copies deeply nested tool arguments, rendering the strings inside", () => {
    const args = JSON.parse(`{"code":"1","input":${nestedText(20_000, '"{{input.0.0}}"')}}`) as unknown;
    const rendered = renderTemplateValue(args, { input: [["deep"]], previous: null, nodes: {} });
    expect(toJsonText(rendered)).toBe(`{"code":"1","input":${nestedText(20_000, '"deep"')}}`);
  });

  it("keeps key order, array order and a __proto__ key as plain data", () => {
    const args = JSON.parse('{"b":["{{input.x}}",{"__proto__":{"polluted":true}},3],"a":"{{input}}"}') as unknown;
    const rendered = renderTemplateValue(args, { input: { x: "X" }, previous: null, nodes: {} }) as Record<string, unknown>;
    expect(JSON.stringify(rendered)).toBe('{"b":["X",{"__proto__":{"polluted":true}},3],"a":{"x":"X"}}');
    expect(Object.getPrototypeOf((rendered.b as unknown[])[1])).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("expressions over deep values and deep nesting", () => {
  it("compares and stringifies values nested 10,000 levels deep", () => {
    const scope = { input: nestedArrays(DEPTH), previous: nestedArrays(DEPTH) };
    expect(evaluateExpression("input == previous", scope)).toEqual({ ok: true, value: true });
    expect(evaluateExpression("len(string(input))", scope)).toEqual({ ok: true, value: 2 * DEPTH + 1 });
  });

  it("refuses nesting past the limit with a clear message, at any stack size", () => {
    expect(checkExpression(`${"(".repeat(MAX_NESTING)}1${")".repeat(MAX_NESTING)}`)).toBeNull();
    expect(checkExpression(`${"(".repeat(999)}1${")".repeat(999)}`)).toBe(`nested more than ${MAX_NESTING} levels deep`);
    expect(checkExpression(`${"!".repeat(1_999)}1`)).toBe(`nested more than ${MAX_NESTING} levels deep`);
  });

  it("evaluates a 1,000-term chain, which nests 1,000 levels to the left, without recursing down it", () => {
    expect(evaluateExpression(Array(1_000).fill("1").join("+"), {})).toEqual({ ok: true, value: 1_000 });
    expect(evaluateExpression(`${Array(600).fill("input").join(" && ")} && unknown()`, { input: 0 })).toEqual({ ok: true, value: false });
  });
});

describe("a run whose input is nested 10,000 levels deep", () => {
  it("passes it to a tool, a condition, an agent and the output without a stack overflow", () => {
    const graph = buildGraph(
      [
        ["trigger", "trigger"],
        ["code", "tool", { tool: "run_code", arguments: '{"code":"input","input":"{{input}}"}' }],
        ["check", "condition", { expression: "len(string(input)) > 0 && input == nodes.code.output" }],
        ["writer", "agent", { task: "Summarize {{input}}" }],
        ["out", "output", { template: "{{input}}" }],
      ],
      [["trigger", "code"], ["code", "check"], ["check", "writer", "true"], ["writer", "out"]],
    );
    expect(validateGraph(graph).filter((problem) => problem.severity === "error")).toEqual([]);
    const input = nestedArrays(DEPTH);
    const run = new TestRun(graph);
    run.apply({ type: "run_started", input });

    const call = only(run.settle(), "call_tool");
    // toBe, not toEqual: a deep comparison would itself recurse 10,000 levels.
    expect(call.args).toMatchObject({ code: "input" });
    expect((call.args as { input: unknown }).input).toBe(input);
    run.apply({ type: "tool_result", nodeId: "code", toolCallId: null, name: "run_code", ok: true, content: "…", data: input });

    const llm = only(run.settle(), "call_llm");
    expect(llm.request.messages[1]).toEqual({ role: "user", content: `Summarize ${nestedText(DEPTH)}` });
    run.apply({
      type: "llm_response",
      nodeId: "writer",
      provider: "demo",
      model: "m",
      message: { role: "assistant", content: "summary", toolCalls: [] },
      usage: { promptTokens: 1, completionTokens: 1 },
      costUsd: 0,
      latencyMs: 1,
      sentMessages: 2,
    });
    expect(run.settle()).toEqual([]);
    expect(run.state.status).toBe("succeeded");
    expect(run.state.output).toBe(nestedText(DEPTH));
  });
});

function only<K extends Effect["kind"]>(effects: Effect[], kind: K): Extract<Effect, { kind: K }> {
  expect(effects.map((effect) => effect.kind)).toEqual([kind]);
  return effects[0] as Extract<Effect, { kind: K }>;
}
