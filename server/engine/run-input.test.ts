import { describe, expect, it } from "vitest";
import { inputFieldSchema, type InputField } from "./graph";
import {
  checkRunInput,
  exampleRunInput,
  extraInputKeys,
  formValuesToDraft,
  formValuesToInput,
  inputFieldProblems,
  inputToFormValues,
  parseNumberText,
  runInputErrorPath,
  runInputFieldOfPath,
} from "./run-input";

const field = (name: string, type: InputField["type"], extra: Partial<InputField> = {}): InputField => inputFieldSchema.parse({ name, type, ...extra });

const FIELDS: InputField[] = [
  field("topic", "string", { required: true }),
  field("count", "number", { default: "3" }),
  field("urgent", "boolean"),
  field("notes", "text", { default: "none" }),
  field("meta", "json", { default: '{"a":1}' }),
];

describe("checkRunInput", () => {
  it("accepts any JSON when the trigger has no fields", () => {
    for (const input of [null, undefined, 42, "text", [1, 2], { any: { thing: true } }]) {
      expect(checkRunInput([], input)).toEqual({ ok: true, value: input });
    }
  });

  it("fills in the defaults of missing optional fields and keeps keys no field asks for", () => {
    expect(checkRunInput(FIELDS, { topic: "billing", extra: [1] })).toEqual({
      ok: true,
      value: { topic: "billing", extra: [1], count: 3, notes: "none", meta: { a: 1 } },
    });
  });

  it("keeps given values over defaults, including falsy ones", () => {
    const result = checkRunInput(FIELDS, { topic: "x", count: 0, urgent: false, notes: "", meta: null });
    expect(result).toEqual({ ok: true, value: { topic: "x", count: 0, urgent: false, notes: "", meta: null } });
  });

  it("refuses a missing or blank required string, naming the field", () => {
    expect(checkRunInput(FIELDS, {})).toEqual({ ok: false, field: "topic", message: "topic is required" });
    expect(checkRunInput(FIELDS, { topic: "   " })).toEqual({ ok: false, field: "topic", message: "topic is required" });
    expect(checkRunInput(FIELDS, { topic: null })).toEqual({ ok: false, field: "topic", message: "topic is required" });
    expect(checkRunInput(FIELDS, null)).toEqual({ ok: false, field: "topic", message: "topic is required" });
  });

  it("a required field with a default is satisfied by the default", () => {
    const fields = [field("lang", "string", { required: true, default: "en" })];
    expect(checkRunInput(fields, undefined)).toEqual({ ok: true, value: { lang: "en" } });
  });

  it("checks each present field's type", () => {
    expect(checkRunInput(FIELDS, { topic: 5 })).toMatchObject({ ok: false, field: "topic", message: "topic must be text" });
    expect(checkRunInput(FIELDS, { topic: "x", count: "3" })).toMatchObject({ ok: false, field: "count", message: "count must be a number" });
    expect(checkRunInput(FIELDS, { topic: "x", count: Number.NaN })).toMatchObject({ ok: false, field: "count" });
    expect(checkRunInput(FIELDS, { topic: "x", count: Number.POSITIVE_INFINITY })).toMatchObject({ ok: false, field: "count" });
    expect(checkRunInput(FIELDS, { topic: "x", urgent: "yes" })).toMatchObject({ ok: false, field: "urgent", message: "urgent must be true or false" });
    expect(checkRunInput(FIELDS, { topic: "x", notes: ["a"] })).toMatchObject({ ok: false, field: "notes", message: "notes must be text" });
    expect(checkRunInput(FIELDS, { topic: "x", meta: [1, "two", { three: 3 }] })).toMatchObject({ ok: true });
  });

  it("refuses an input that is not an object when there are fields", () => {
    for (const input of [42, "topic", [{ topic: "x" }], true]) {
      expect(checkRunInput(FIELDS, input)).toEqual({ ok: false, field: "", message: "The input must be a JSON object with the fields topic, count, urgent, notes, meta" });
    }
  });

  it("does not change the caller's object", () => {
    const input = { topic: "x" };
    checkRunInput(FIELDS, input);
    expect(input).toEqual({ topic: "x" });
  });

  it("treats field names like __proto__ and constructor as plain keys", () => {
    const fields = [field("__proto__", "string", { default: "p" }), field("constructor", "number", { required: true })];
    expect(checkRunInput(fields, {})).toEqual({ ok: false, field: "constructor", message: "constructor is required" });
    const result = checkRunInput(fields, JSON.parse('{"constructor": 1}'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Object.getPrototypeOf(result.value)).toBe(Object.prototype);
    expect(JSON.stringify(result.value)).toBe('{"constructor":1,"__proto__":"p"}');
  });
});

describe("the Run form's values", () => {
  it("prefill from an input, and from the defaults where it has nothing", () => {
    expect(inputToFormValues(FIELDS, { topic: "billing", count: 7, urgent: true, meta: [1] })).toEqual({
      topic: "billing",
      count: "7",
      urgent: true,
      notes: "none",
      meta: "[\n  1\n]",
    });
    expect(inputToFormValues(FIELDS, "not an object")).toEqual({ topic: "", count: "3", urgent: false, notes: "none", meta: '{"a":1}' });
  });

  it("show a value of the wrong type as text to fix, not as nothing", () => {
    expect(inputToFormValues(FIELDS, { count: "many", topic: 12 })).toMatchObject({ count: "many", topic: "12" });
  });

  it("become the input, typed", () => {
    const values = { topic: "billing", count: " 2.5 ", urgent: true, notes: "line 1\nline 2", meta: '{"b": [true]}' };
    expect(formValuesToInput(FIELDS, values)).toEqual({
      ok: true,
      value: { topic: "billing", count: 2.5, urgent: true, notes: "line 1\nline 2", meta: { b: [true] } },
    });
  });

  it("refuse what is wrong, naming the field", () => {
    const values = { topic: "billing", count: "3", urgent: false, notes: "", meta: "" };
    expect(formValuesToInput(FIELDS, { ...values, topic: "" })).toEqual({ ok: false, field: "topic", message: "topic is required" });
    expect(formValuesToInput(FIELDS, { ...values, count: "three" })).toEqual({ ok: false, field: "count", message: "count must be a number" });
    expect(formValuesToInput(FIELDS, { ...values, count: "0x10" })).toMatchObject({ ok: false, field: "count" });
    expect(formValuesToInput(FIELDS, { ...values, meta: "{ nope" })).toMatchObject({ ok: false, field: "meta", message: expect.stringMatching(/^meta is not valid JSON/) });
  });

  it("an emptied optional number or JSON field falls back to its default; an emptied text stays empty", () => {
    const result = formValuesToInput(FIELDS, { topic: "x", count: "", urgent: false, notes: "", meta: "  " });
    expect(result).toEqual({ ok: true, value: { topic: "x", count: 3, urgent: false, notes: "", meta: { a: 1 } } });
  });

  it("keep the keys of the JSON tab that no field asks for", () => {
    const input = { topic: "x", source: "api", count: 1 };
    const extras = extraInputKeys(FIELDS, input);
    expect(extras).toEqual({ source: "api" });
    const values = inputToFormValues(FIELDS, input);
    expect(formValuesToInput(FIELDS, values, extras)).toMatchObject({ ok: true, value: { source: "api", topic: "x", count: 1 } });
    // The form's fields come first, in its order, then the others; a field's own value is the form's, whatever the base says.
    const draft = formValuesToDraft(FIELDS, { ...values, count: "" }, { count: 99, source: "api" });
    expect(Object.keys(draft)).toEqual(["topic", "urgent", "notes", "meta", "source"]);
  });

  it("round-trip through the JSON tab without losing what does not parse yet", () => {
    const values = { topic: "x", count: "twelve", urgent: true, notes: "n", meta: "{ half" };
    const draft = formValuesToDraft(FIELDS, values);
    expect(draft).toEqual({ topic: "x", count: "twelve", urgent: true, notes: "n", meta: "{ half" });
    // meta holds text now, so it comes back pretty-printed as JSON text of that string.
    expect(inputToFormValues(FIELDS, draft)).toEqual({ ...values, meta: '"{ half"' });
    const good = { topic: "x", count: "4", urgent: false, notes: "n", meta: '{\n  "k": 1\n}' };
    expect(inputToFormValues(FIELDS, formValuesToDraft(FIELDS, good))).toEqual(good);
  });
});

describe("field definitions", () => {
  it("reports duplicate names and defaults the type cannot hold", () => {
    const fields = [
      field("a", "number", { default: "ten" }),
      field("b", "boolean", { default: "yes" }),
      field("a", "json", { default: "{" }),
      field("c", "string", { default: "anything" }),
      field("d", "boolean", { default: "false" }),
    ];
    expect(inputFieldProblems(fields)).toEqual([
      { index: 0, name: "a", part: "default", message: "The default of a is not a number" },
      { index: 1, name: "b", part: "default", message: "The default of b must be true or false" },
      { index: 2, name: "a", part: "name", message: "Two fields are named a" },
      { index: 2, name: "a", part: "default", message: "The default of a is not valid JSON" },
    ]);
  });

  it("skips an invalid default when checking an input (the workflow's problem, not the caller's)", () => {
    expect(checkRunInput([field("n", "number", { default: "x" })], {})).toEqual({ ok: true, value: {} });
  });
});

describe("helpers", () => {
  it("parses numbers as people type them", () => {
    expect(["42", "-0.5", "+3", ".5", "1e3", " 7 "].map(parseNumberText)).toEqual([42, -0.5, 3, 0.5, 1000, 7]);
    expect(["", "abc", "0x10", "Infinity", "1e999", "1,5", "--1"].map(parseNumberText)).toEqual([null, null, null, null, null, null, null]);
  });

  it("maps a refused field to the request path and back", () => {
    expect(runInputErrorPath("topic")).toBe("input.topic");
    expect(runInputErrorPath("")).toBe("input");
    expect(runInputFieldOfPath("input.topic")).toBe("topic");
    expect(runInputFieldOfPath("input")).toBe("");
    expect(runInputFieldOfPath("graph")).toBeNull();
    expect(runInputFieldOfPath(null)).toBeNull();
  });

  it("builds an example request input from the sample, the defaults and placeholders", () => {
    expect(exampleRunInput([], '{"topic": "t"}')).toEqual({ topic: "t" });
    expect(exampleRunInput([], "{ bad")).toEqual({});
    expect(exampleRunInput(FIELDS, '{"topic": "from sample", "other": 1}')).toEqual({ topic: "from sample", other: 1, count: 3, notes: "none", meta: { a: 1 } });
    expect(exampleRunInput([field("q", "string", { required: true }), field("n", "number", { required: true }), field("o", "text")], "")).toEqual({ q: "<q>", n: 0 });
  });
});
