import { describe, expect, it } from "vitest";
import { inputFieldSchema } from "../engine/graph";
import { inputSchemaOf, slugOfName, toolNames } from "./workflow-tools";

const MCP_TOOL_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

describe("tool names", () => {
  it("are the workflow name as a slug and the id's first characters", () => {
    const names = toolNames([{ id: "wf_AbCdEfGh12345678", name: "Release notes (v2)!" }]);
    expect(names.get("wf_AbCdEfGh12345678")).toBe("release_notes_v2_AbCdEfGh");
  });

  it("stay within the MCP name pattern for any name", () => {
    const names = toolNames([
      { id: "wf_AAAAAAAAAAAAAAAA", name: "Résumé — über größe" },
      { id: "wf_BBBBBBBBBBBBBBBB", name: "日本語のワークフロー" },
      { id: "wf_CCCCCCCCCCCCCCCC", name: "x".repeat(120) },
      { id: "wf_DDDDDDDDDDDDDDDD", name: "   " },
    ]);
    expect([...names.values()]).toEqual(["resume_uber_gro_e_AAAAAAAA", "workflow_BBBBBBBB", `${"x".repeat(40)}_CCCCCCCC`, "workflow_DDDDDDDD"]);
    for (const name of names.values()) expect(name).toMatch(MCP_TOOL_NAME);
  });

  it("take the whole id when two would collide", () => {
    const names = toolNames([
      { id: "wf_SameStart1111111", name: "Echo" },
      { id: "wf_SameStart2222222", name: "echo" },
    ]);
    expect([...names.values()]).toEqual(["echo_SameStart1111111", "echo_SameStart2222222"]);
  });

  it("keep a slug without a trailing _ when cut", () => {
    expect(slugOfName(`${"a".repeat(39)} b`)).toBe("a".repeat(39));
  });
});

describe("input schema", () => {
  it("is any object without fields", () => {
    expect(inputSchemaOf([])).toEqual({ type: "object", additionalProperties: true });
  });

  it("maps each field type, requiredness and default", () => {
    const fields = [
      { name: "topic", type: "string", required: true },
      { name: "notes", type: "text", description: "Anything else" },
      { name: "count", type: "number", default: "3" },
      { name: "draft", type: "boolean", default: "false" },
      { name: "extra", type: "json", default: '{"a":1}' },
      // Required with a default: the default fills it in, so the caller may leave it out.
      { name: "lang", type: "string", required: true, default: "en" },
    ].map((field) => inputFieldSchema.parse(field));
    expect(inputSchemaOf(fields)).toEqual({
      type: "object",
      properties: {
        topic: { type: "string", pattern: "\\S" },
        notes: { type: "string", description: "Anything else (multi-line text)" },
        count: { type: "number", default: 3 },
        draft: { type: "boolean", default: false },
        extra: { description: "(any JSON value)", default: { a: 1 } },
        lang: { type: "string", pattern: "\\S", default: "en" },
      },
      required: ["topic"],
      additionalProperties: true,
    });
  });

  it("keeps a field named __proto__ as a property", () => {
    const schema = inputSchemaOf([inputFieldSchema.parse({ name: "__proto__", type: "number" })]);
    expect(Object.keys(schema.properties ?? {})).toEqual(["__proto__"]);
    expect(JSON.parse(JSON.stringify(schema)).properties.__proto__).toEqual({ type: "number" });
  });
});
