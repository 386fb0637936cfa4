import { describe, expect, it } from "vitest";
import { JsonStringFieldReader, LiveAnswerText } from "./live-answer";

/** Splits `text` into pieces of `size` characters, as a stream might. */
const pieces = (text: string, size: number) => text.match(new RegExp(`[\\s\\S]{1,${size}}`, "g")) ?? [];

describe("JsonStringFieldReader", () => {
  it("decodes a field's value while its JSON arrives, whatever the cuts (escapes, unicode, surrogates)", () => {
    const value = 'Line one\n"quoted" \\ back\tslash — é 😀 /done';
    const json = JSON.stringify({ other: "x", result: value, after: 1 });
    for (const size of [1, 2, 3, 5, 7, 64]) {
      const reader = new JsonStringFieldReader("result");
      const decoded = pieces(json, size).map((piece) => reader.push(piece)).join("");
      expect(decoded).toBe(value);
    }
    // \u escapes as a model may write them.
    const reader = new JsonStringFieldReader("result");
    expect(["{\"result\": \"caf\\u00", "e9 \\ud83d", "\\ude00\"}"].map((p) => reader.push(p)).join("")).toBe("café 😀");
  });
});

describe("LiveAnswerText", () => {
  it("shows the model's words, then complete_task's result as it is written; other calls by name", () => {
    const out: string[] = [];
    const live = new LiveAnswerText((text) => out.push(text));
    live.content("Let me check.");
    live.toolCall(0, "http_request", "");
    live.toolCall(0, "http_request", '{"url":');
    live.toolCall(0, undefined, '"https://a.example"}');
    const result = JSON.stringify({ result: "The answer:\n42" });
    live.toolCall(1, "complete_task", "");
    for (const piece of pieces(result, 4)) live.toolCall(1, undefined, piece);
    expect(out.join("")).toBe('Let me check.\n\n→ http_request {"url":"https://a.example"}\n\nThe answer:\n42');
  });

  it("is just the decoded result when complete_task is all the model sends", () => {
    const out: string[] = [];
    const live = new LiveAnswerText((text) => out.push(text));
    live.toolCall(0, "complete_task", '{"res');
    live.toolCall(0, undefined, 'ult":"Done');
    live.toolCall(0, undefined, ' and dusted"}');
    expect(out).toEqual(["Done", " and dusted"]);
  });
});
