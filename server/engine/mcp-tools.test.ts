import { describe, expect, it } from "vitest";
import { buildGraph, TestRun } from "./test-helpers";
import type { Effect } from "./decide";
import { graphSchema } from "./graph";
import { validateGraph } from "./validate";
import { inputSchemaProblem, isModelToolName, mcpToolName, needsApproval, parseMcpToolArgs, toolSpecsFor, type McpToolRef } from "./agent-tools";

/** MCP server tools on an agent: names a model accepts, schemas it can use, approvals, all decided without I/O. */

const addSchema = { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] };
const add: McpToolRef = { name: "calc__add", serverId: "mcp_1", serverName: "calc", tool: "add", description: "Add two numbers", inputSchema: addSchema, destructive: false };
const drop: McpToolRef = { name: "db__drop_table", serverId: "mcp_2", serverName: "db", tool: "drop_table", description: "", inputSchema: { type: "object", properties: { table: { type: "string" } } }, destructive: true };

function single<K extends Effect["kind"]>(effects: Effect[], kind: K): Extract<Effect, { kind: K }> {
  expect(effects.map((e) => e.kind)).toEqual([kind]);
  return effects[0] as Extract<Effect, { kind: K }>;
}

const reply = (calls: { id: string; name: string; arguments: string }[]) => ({
  type: "llm_response" as const,
  nodeId: "a",
  provider: "demo",
  model: "m",
  message: { role: "assistant" as const, content: null, toolCalls: calls },
  usage: { promptTokens: 10, completionTokens: 5 },
  costUsd: 0,
  latencyMs: 1,
  sentMessages: 2,
});

const agentGraph = (agent: Record<string, unknown>) => buildGraph([["trigger", "trigger"], ["a", "agent", agent], ["out", "output"]], [["trigger", "a"], ["a", "out"]]);

describe("mcpToolName", () => {
  it("joins server and tool, lower case, only [a-z0-9_], at most 64 characters", () => {
    expect(mcpToolName("GitHub Tools", "create-issue")).toBe("github_tools__create_issue");
    expect(mcpToolName("files", "read.file/v2")).toBe("files__read_file_v2");
    const long = mcpToolName("s".repeat(100), "t".repeat(100));
    expect(long.length).toBe(64);
    for (const name of [long, mcpToolName("ünïcode ✓", "名前"), mcpToolName("", "")]) expect(isModelToolName(name), name).toBe(true);
  });

  it("is unique against built-ins and the agent's other tools", () => {
    expect(mcpToolName("calc", "add", ["calc__add"])).toBe("calc__add_2");
    expect(mcpToolName("calc", "add", ["calc__add", "calc__add_2"])).toBe("calc__add_3");
    const long = "x".repeat(70);
    const first = mcpToolName("s", long);
    const second = mcpToolName("s", long, [first]);
    expect(second).not.toBe(first);
    expect(second.length).toBeLessThanOrEqual(64);
  });
});

describe("inputSchemaProblem", () => {
  it("accepts JSON Schema objects", () => {
    expect(inputSchemaProblem(addSchema)).toBeNull();
    expect(inputSchemaProblem({ type: "object" })).toBeNull();
    expect(inputSchemaProblem({ type: "object", properties: { tags: { type: "array", items: { type: ["string", "null"] } }, any: true } })).toBeNull();
  });

  it("refuses anything else, saying why", () => {
    expect(inputSchemaProblem(null)).toBe("the input schema is not a JSON object");
    expect(inputSchemaProblem([])).toBe("the input schema is not a JSON object");
    expect(inputSchemaProblem({ type: "string" })).toBe('the input schema\'s type must be "object" (got "string")');
    expect(inputSchemaProblem({ properties: {} })).toMatch(/type must be "object" \(got nothing\)/);
    expect(inputSchemaProblem({ type: "object", properties: { x: { type: "banana" } } })).toBe('x: "banana" is not a JSON Schema type');
    expect(inputSchemaProblem({ type: "object", properties: [] })).toBe("(root).properties is not an object");
    expect(inputSchemaProblem({ type: "object", properties: { x: 5 } })).toBe("x is not a schema (an object or a boolean)");
    expect(inputSchemaProblem({ type: "object", required: "a" })).toBe("(root).required is not a list of property names");
    expect(inputSchemaProblem({ type: "object", properties: { list: { type: "array", items: { type: 1 } } } })).toBe("list[]: 1 is not a JSON Schema type");
    expect(inputSchemaProblem({ type: "object", description: "x".repeat(60_000) })).toMatch(/too large/);
  });
});

describe("parseMcpToolArgs", () => {
  it("takes a JSON object carrying the required properties", () => {
    expect(parseMcpToolArgs(add, '{"a":1,"b":2}')).toEqual({ ok: true, value: { a: 1, b: 2 } });
    expect(parseMcpToolArgs(add, '{"a":1}')).toEqual({ ok: false, error: "b: required" });
    expect(parseMcpToolArgs(add, "[1,2]")).toEqual({ ok: false, error: "(root): the arguments must be a JSON object" });
    expect(parseMcpToolArgs(add, "{nope")).toEqual({ ok: false, error: "arguments are not valid JSON" });
    expect(parseMcpToolArgs(drop, "")).toEqual({ ok: true, value: {} });
  });
});

describe("agents with MCP tools", () => {
  it("send each picked tool's schema to the model under its safe name", () => {
    const specs = toolSpecsFor([], [add, drop]);
    expect(specs.map((spec) => spec.name)).toEqual(["complete_task", "calc__add", "db__drop_table"]);
    expect(specs[1]).toEqual({ name: "calc__add", description: "Add two numbers", parameters: addSchema });
    expect(specs[2]?.description).toBe("drop_table (MCP server db)");
  });

  it("ask before a destructive tool unless auto-approved; never for the others", () => {
    expect(needsApproval("db__drop_table", [], [add, drop])).toBe(true);
    expect(needsApproval("db__drop_table", ["db__drop_table"], [add, drop])).toBe(false);
    expect(needsApproval("calc__add", [], [add, drop])).toBe(false);
    expect(needsApproval("http_request", [], [add, drop])).toBe(true);
  });

  it("call a safe MCP tool at once, with the parsed arguments", () => {
    const run = new TestRun(agentGraph({ mcpTools: [add] }));
    run.apply({ type: "run_started", input: {} });
    const llm = single(run.settle(), "call_llm");
    expect(llm.request.tools.map((tool) => tool.name)).toEqual(["complete_task", "calc__add"]);
    run.apply(reply([{ id: "c1", name: "calc__add", arguments: '{"a":2,"b":3}' }]));
    expect(single(run.settle(), "call_tool")).toMatchObject({ name: "calc__add", args: { a: 2, b: 3 }, toolCallId: "c1" });
  });

  it("refuse bad arguments and unknown tools without a call", () => {
    const run = new TestRun(agentGraph({ mcpTools: [add] }));
    run.apply({ type: "run_started", input: {} });
    run.settle();
    run.apply(reply([{ id: "c1", name: "calc__add", arguments: '{"a":2}' }, { id: "c2", name: "calc__mul", arguments: "{}" }]));
    const effects = run.settle();
    expect(effects.map((effect) => effect.kind)).toEqual(["call_llm"]);
    const results = run.state.threads.a?.messages.filter((message) => message.role === "tool").map((message) => message.content);
    expect(results).toEqual(["Error: invalid arguments for calc__add: b: required", 'Error: unknown tool "calc__mul". Available: complete_task, calc__add']);
  });

  it("wait for a person before a destructive one; an approval runs it with the edited arguments", () => {
    const run = new TestRun(agentGraph({ mcpTools: [drop] }));
    run.apply({ type: "run_started", input: {} });
    run.settle();
    run.apply(reply([{ id: "c1", name: "db__drop_table", arguments: '{"table":"users"}' }]));
    const request = single(run.settle(), "request_human");
    expect(request).toMatchObject({ humanKind: "tool_approval", toolCallId: "c1", context: { tool: "db__drop_table" } });
    run.apply({ type: "human_requested", nodeId: "a", taskId: "t1", kind: "tool_approval", message: request.message, context: request.context, toolCallId: "c1" });
    run.apply({ type: "human_responded", nodeId: "a", taskId: "t1", decision: "approve", editedArguments: '{"table":"logs"}' });
    expect(single(run.settle(), "call_tool")).toMatchObject({ name: "db__drop_table", args: { table: "logs" } });
  });

  it("keep older graphs valid (mcpTools defaults to none) and flag a name that shadows a built-in", () => {
    const old = agentGraph({});
    const agent = old.nodes.find((node) => node.id === "a");
    if (agent?.type === "agent") delete (agent.data as Partial<typeof agent.data>).mcpTools;
    const parsed = graphSchema.parse(JSON.parse(JSON.stringify(old)));
    const reparsed = parsed.nodes.find((node) => node.id === "a");
    expect(reparsed?.type === "agent" ? reparsed.data.mcpTools : null).toEqual([]);
    const shadowing = agentGraph({ mcpTools: [{ ...add, name: "http_request" }, add, add] });
    const codes = validateGraph(shadowing).filter((problem) => problem.code === "duplicate_tool").map((problem) => problem.message);
    expect(codes).toEqual(['Agent "Agent": the MCP tool "add" is named "http_request" like a built-in tool', 'Agent "Agent": two MCP tools are named "calc__add"']);
  });
});
