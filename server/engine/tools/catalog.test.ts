import { describe, expect, it } from "vitest";
import {
  TOOL_ARG_LIMITS,
  TOOL_CATALOG,
  TOOL_NAMES,
  parseToolArgs,
  toolCatalogEntry,
  toolJsonSchema,
  utf8Length,
} from "./catalog";

describe("tool catalog", () => {
  it("describes every built-in tool with a risk level and an approval default", () => {
    expect(TOOL_NAMES.sort()).toEqual(["http_request", "list_files", "read_file", "run_code", "write_file"]);
    for (const name of TOOL_NAMES) {
      const found = toolCatalogEntry(name);
      expect(found?.name).toBe(name);
      expect(found?.description.length).toBeGreaterThan(10);
    }
    expect(TOOL_CATALOG.http_request.risk).toBe("external");
    expect(TOOL_CATALOG.http_request.requiresApproval).toBe(true);
    expect(TOOL_CATALOG.run_code.risk).toBe("compute");
    expect(TOOL_CATALOG.write_file.risk).toBe("write");
    expect(TOOL_CATALOG.read_file.risk).toBe("read");
    expect(toolCatalogEntry("rm_rf")).toBeUndefined();
    // Inherited object keys are not tools.
    expect(toolCatalogEntry("toString")).toBeUndefined();
  });

  it("gives JSON Schema for the model in input form (defaults optional, no extra keys)", () => {
    const schema = toolJsonSchema("http_request");
    expect(schema).toMatchObject({
      type: "object",
      required: ["url"],
      additionalProperties: false,
      properties: { method: { enum: ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"], default: "GET" } },
    });
    expect(toolJsonSchema("list_files")).toMatchObject({ type: "object", properties: { path: { default: "." } } });
    expect(toolJsonSchema("list_files")?.required).toBeUndefined();
    expect(toolJsonSchema("run_code")).toMatchObject({ required: ["code"] });
    expect(toolJsonSchema("nope")).toBeUndefined();
  });

  it("applies defaults", () => {
    expect(parseToolArgs("http_request", { url: "https://example.com/x" })).toEqual({
      ok: true,
      name: "http_request",
      args: { url: "https://example.com/x", method: "GET" },
    });
    expect(parseToolArgs("list_files", {})).toEqual({ ok: true, name: "list_files", args: { path: "." } });
    // A model that sends no arguments at all still gets the defaults.
    expect(parseToolArgs("list_files", "")).toMatchObject({ ok: true, args: { path: "." } });
  });

  it("refuses bad arguments with compact path: message errors", () => {
    const bad = parseToolArgs("http_request", { url: "file:///etc/passwd", method: "TRACE", timeoutMs: 60_000 });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error).toContain("url: must be an absolute http:// or https:// URL");
    expect(bad.error).toContain("method: ");
    expect(bad.error).toContain("timeoutMs: ");
    expect(bad.error.split("; ")).toHaveLength(3);

    expect(parseToolArgs("http_request", { url: "ftp://example.com/" })).toMatchObject({ ok: false });
    expect(parseToolArgs("run_code", { code: "" })).toEqual({ ok: false, error: "code: code must not be empty" });
    expect(parseToolArgs("run_code", { code: "x".repeat(TOOL_ARG_LIMITS.codeChars + 1) })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^code: /),
    });
    expect(parseToolArgs("read_file", { path: "a", extra: 1 })).toMatchObject({ ok: false, error: expect.stringContaining("extra") });
    expect(parseToolArgs("read_file", "{not json")).toEqual({ ok: false, error: "arguments are not valid JSON" });
    expect(parseToolArgs("read_file", [])).toMatchObject({ ok: false, error: expect.stringMatching(/^\(root\): /) });
    expect(parseToolArgs("shell", {})).toEqual({ ok: false, error: "unknown tool: shell" });
  });

  it("limits write_file content in UTF-8 bytes, not characters", () => {
    const limit = TOOL_ARG_LIMITS.fileBytes;
    expect(parseToolArgs("write_file", { path: "a.txt", content: "a".repeat(limit) }).ok).toBe(true);
    const twoByteChars = "é".repeat(limit / 2 + 1);
    expect(twoByteChars.length).toBeLessThan(limit);
    expect(parseToolArgs("write_file", { path: "a.txt", content: twoByteChars })).toMatchObject({
      ok: false,
      error: `content: content must be at most ${limit} bytes of UTF-8`,
    });
  });

  it("counts UTF-8 bytes like the encoder does", () => {
    for (const text of ["", "abc", "é", "€", "😀", "a😀b€é", "\ud800", "\udc00x"]) {
      expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
    }
  });
});
