import { describe, expect, it } from "vitest";
import type { CommittedEvent, RunEvent } from "@/server/engine/events";
import { replay } from "@/server/engine/state";
import { step } from "@/server/engine/step";
import { editTargetsAt, parseEdit, targetForEvent, textOf, type EditTarget } from "./fork-edits";

function commit(events: RunEvent[]): CommittedEvent[] {
  return events.map((event, index) => ({ ...event, seq: index + 1, at: `2026-01-01T00:00:${String(index).padStart(2, "0")}.000Z` }) as CommittedEvent);
}

const log = commit([
  { type: "run_started", input: { topic: "kites" } },
  { type: "node_started", nodeId: "trigger" },
  { type: "node_finished", nodeId: "trigger", output: { topic: "kites" }, handle: null },
  {
    type: "node_started",
    nodeId: "research",
    messages: [
      { role: "system", content: "You research." },
      { role: "user", content: "kites" },
    ],
  },
  {
    type: "llm_response",
    nodeId: "research",
    provider: "demo",
    model: "m",
    message: { role: "assistant", content: null, toolCalls: [{ id: "call_1", name: "http_request", arguments: "{}" }] },
    usage: { promptTokens: 10, completionTokens: 5 },
    costUsd: 0,
    latencyMs: 1,
    sentMessages: 2,
  },
  { type: "tool_result", nodeId: "research", toolCallId: "call_1", name: "http_request", ok: true, content: "200 OK kites" },
  {
    type: "llm_response",
    nodeId: "research",
    provider: "demo",
    model: "m",
    message: { role: "assistant", content: "Kites fly." },
    usage: { promptTokens: 20, completionTokens: 5 },
    costUsd: 0,
    latencyMs: 1,
    sentMessages: 4,
  },
  { type: "node_finished", nodeId: "research", output: { summary: "Kites fly." }, handle: null },
]);

const labels = (nodeId: string) => ({ research: "Research", trigger: "Trigger" })[nodeId] ?? nodeId;
const targetsAt = (seq: number) => editTargetsAt(replay(log.slice(0, seq), step), labels, new Set(["trigger"]));
const keyOf = (target: EditTarget | undefined) => target?.key;

describe("what a fork may edit", () => {
  it("offers only what exists at that point of the run", () => {
    expect(targetsAt(1).map((target) => target.label)).toEqual(["Run input"]);
    expect(targetsAt(6).map((target) => target.label)).toEqual(["Run input", "Last message of Research", "http_request result in Research"]);
    expect(targetsAt(8).map((target) => target.label)).toEqual([
      "Run input",
      "Output of Research",
      "Last message of Research",
      "http_request result in Research",
    ]);
  });

  it("starts from the thing the picked event is about", () => {
    expect(keyOf(targetForEvent(targetsAt(8), log[7]))).toBe("output:research");
    expect(keyOf(targetForEvent(targetsAt(7), log[6]))).toBe("message:research");
    expect(keyOf(targetForEvent(targetsAt(6), log[5]))).toBe("tool:research:call_1");
    expect(keyOf(targetForEvent(targetsAt(3), log[2]))).toBe("input");
    expect(keyOf(targetForEvent(targetsAt(1), log[0]))).toBe("input");
  });

  it("turns the edited text into the server's edit: text for strings, validated JSON otherwise", () => {
    const targets = targetsAt(8);
    const output = targets.find((target) => target.key === "output:research");
    const message = targets.find((target) => target.key === "message:research");
    const tool = targets.find((target) => target.key === "tool:research:call_1");
    if (!output || !message || !tool) throw new Error("targets missing");

    expect(output.format).toBe("json");
    expect(textOf(output)).toBe('{\n  "summary": "Kites fly."\n}');
    expect(parseEdit(output, textOf(output))).toEqual({ ok: true, edit: null });
    expect(parseEdit(output, '{"summary": "Kites sink."}')).toEqual({
      ok: true,
      edit: { kind: "node_output", nodeId: "research", value: { summary: "Kites sink." } },
    });
    const broken = parseEdit(output, '{"summary": ');
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.error).toMatch(/^Not valid JSON/);

    expect(message.format).toBe("text");
    expect(parseEdit(message, "Kites sink.")).toEqual({ ok: true, edit: { kind: "agent_message", nodeId: "research", content: "Kites sink." } });
    expect(parseEdit(tool, "503")).toEqual({ ok: true, edit: { kind: "tool_result", nodeId: "research", toolCallId: "call_1", content: "503" } });

    const input = targets[0];
    if (!input) throw new Error("input missing");
    expect(parseEdit(input, '{"topic": "boats"}')).toEqual({ ok: true, edit: { kind: "input", value: { topic: "boats" } } });
  });

  it("offers a tool node's own result while it is pending", () => {
    const toolLog = commit([
      { type: "run_started", input: null },
      { type: "node_started", nodeId: "fetch" },
      { type: "tool_result", nodeId: "fetch", toolCallId: null, name: "http_request", ok: true, content: "body" },
    ]);
    const targets = editTargetsAt(replay(toolLog, step), (id) => id, new Set());
    const tool = targetForEvent(targets, toolLog[2]);
    expect(tool?.label).toBe("Tool result of fetch");
    if (!tool) throw new Error("tool target missing");
    expect(parseEdit(tool, "other")).toEqual({ ok: true, edit: { kind: "tool_result", nodeId: "fetch", toolCallId: null, content: "other" } });
  });
});
