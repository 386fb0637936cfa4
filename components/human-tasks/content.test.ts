import { describe, expect, it } from "vitest";
import { contentEditorText, isEmptyContent, parseContentEdit, toolCallReasonOf } from "./content";

describe("content under review", () => {
  it("is edited as text when it is text, as indented JSON otherwise", () => {
    expect(contentEditorText("# Draft\n\nHello")).toBe("# Draft\n\nHello");
    expect(contentEditorText({ title: "Draft", tags: ["a"] })).toBe('{\n  "title": "Draft",\n  "tags": [\n    "a"\n  ]\n}');
    expect(contentEditorText(42)).toBe("42");
    expect(contentEditorText(null)).toBe("null");
    expect(contentEditorText(undefined)).toBe("");
  });

  it("sends text edits as text, and only when they change it", () => {
    expect(parseContentEdit("Hello", "Hello")).toEqual({ ok: true, value: "Hello", changed: false });
    expect(parseContentEdit("Hello", "Hello, Ada")).toEqual({ ok: true, value: "Hello, Ada", changed: true });
    // Text that looks like JSON stays text: the content was a string.
    expect(parseContentEdit("Hello", '{"a":1}')).toEqual({ ok: true, value: '{"a":1}', changed: true });
  });

  it("sends JSON edits as the value they parse to, refusing invalid JSON", () => {
    const original = { title: "Draft", score: 1 };
    expect(parseContentEdit(original, '{\n  "title": "Draft",\n  "score": 1\n}')).toEqual({ ok: true, value: original, changed: false });
    expect(parseContentEdit(original, '{"title":"Final","score":1}')).toEqual({ ok: true, value: { title: "Final", score: 1 }, changed: true });
    expect(parseContentEdit(original, '"just text"')).toEqual({ ok: true, value: "just text", changed: true });
    expect(parseContentEdit(original, "{ title: Final")).toEqual({ ok: false, error: "Not valid JSON" });
    expect(parseContentEdit([1, 2], "[1, 2]")).toMatchObject({ ok: true, changed: false });
  });

  it("shows no content block for nothing", () => {
    expect(isEmptyContent(undefined)).toBe(true);
    expect(isEmptyContent(null)).toBe(true);
    expect(isEmptyContent("  \n")).toBe(true);
    expect(isEmptyContent("x")).toBe(false);
    expect(isEmptyContent(0)).toBe(false);
    expect(isEmptyContent({})).toBe(false);
  });

  it("reads the agent's reason from a tool approval's context", () => {
    expect(toolCallReasonOf({ tool: "http_request", arguments: "{}", reason: "Check the status page first" })).toBe("Check the status page first");
    expect(toolCallReasonOf({ tool: "http_request", arguments: "{}" })).toBeNull();
    expect(toolCallReasonOf({ tool: "http_request", arguments: "{}", reason: " " })).toBeNull();
    expect(toolCallReasonOf({ reason: 3 })).toBeNull();
    expect(toolCallReasonOf("text")).toBeNull();
  });
});
