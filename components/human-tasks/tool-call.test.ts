import { describe, expect, it } from "vitest";
import { editedArgumentsToSend, jsonObjectError, prettyJson, toolCallOf } from "./tool-call";

describe("tool approval helpers", () => {
  it("reads the tool call from a task's context", () => {
    expect(toolCallOf({ tool: "http_request", arguments: '{"url":"https://example.com"}' })).toEqual({
      tool: "http_request",
      arguments: '{"url":"https://example.com"}',
    });
    expect(toolCallOf(null)).toBeNull();
    expect(toolCallOf({ agent: "writer" })).toBeNull();
    expect(toolCallOf({ tool: "http_request", arguments: { url: "x" } })).toBeNull();
  });

  it("accepts only a JSON object as edited arguments", () => {
    expect(jsonObjectError('{"url": "https://example.com"}')).toBeNull();
    expect(jsonObjectError("{ not json")).toBe("Not valid JSON");
    expect(jsonObjectError("[1, 2]")).toBe("Arguments must be a JSON object");
    expect(jsonObjectError("null")).toBe("Arguments must be a JSON object");
    expect(jsonObjectError('"text"')).toBe("Arguments must be a JSON object");
  });

  it("sends an edit only when it changes the arguments, compacted", () => {
    const call = { tool: "http_request", arguments: '{"url":"https://a.example"}' };
    expect(editedArgumentsToSend(call, null)).toBeUndefined();
    expect(editedArgumentsToSend(call, prettyJson(call.arguments))).toBeUndefined();
    expect(editedArgumentsToSend(call, '{\n  "url": "https://b.example"\n}')).toBe('{"url":"https://b.example"}');
  });

  it("leaves text that is not JSON as it is when pretty-printing", () => {
    expect(prettyJson("{ broken")).toBe("{ broken");
    expect(prettyJson('{"a":1}')).toBe('{\n  "a": 1\n}');
  });
});
