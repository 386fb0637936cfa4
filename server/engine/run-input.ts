import type { InputField } from "./graph";
import { toJsonText } from "./json-text";

/**
 * A run's input against the Trigger node's input fields: the one check the Run form, the
 * tRPC `run.start` and the REST trigger share, so a value the form accepts is one the server
 * accepts, and a refusal names the same field everywhere.
 *
 * Without fields any JSON is a valid input. With fields the input is an object: required
 * fields are present (a string not blank), present fields have their type, missing optional
 * fields get their default. Other keys are kept as they are: an API caller may send more than
 * the form asks for.
 *
 * Pure: safe for the browser and the engine.
 */

export type RunInputCheck = { ok: true; value: unknown } | { ok: false; field: string; message: string };

/** What the Run form holds per field: text for every control but the checkbox. */
export type FormValues = Record<string, string | boolean>;

export type InputFieldProblem = { index: number; name: string; part: "name" | "default"; message: string };

type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Read and write own keys only: a field may be named `constructor` or `__proto__`. */
function ownValue(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function setOwn(object: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

function copyOf(object: JsonObject): JsonObject {
  const copy: JsonObject = {};
  for (const [key, value] of Object.entries(object)) setOwn(copy, key, value);
  return copy;
}

const NUMBER_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A decimal number as people type it ("42", "-0.5", "1e3"); not "", "0x10", "Infinity". */
export function parseNumberText(text: string): number | null {
  const trimmed = text.trim();
  if (!NUMBER_TEXT.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

type ParsedDefault = { kind: "none" } | { kind: "value"; value: unknown } | { kind: "invalid"; message: string };

/** A field's default (stored as the form shows it) as a value of the field's type; "" = no default. */
export function parseDefault(field: InputField): ParsedDefault {
  const text = field.default;
  if (text === "") return { kind: "none" };
  switch (field.type) {
    case "string":
    case "text":
      return { kind: "value", value: text };
    case "number": {
      const value = parseNumberText(text);
      return value === null ? { kind: "invalid", message: `The default of ${field.name} is not a number` } : { kind: "value", value };
    }
    case "boolean":
      if (text === "true" || text === "false") return { kind: "value", value: text === "true" };
      return { kind: "invalid", message: `The default of ${field.name} must be true or false` };
    case "json":
      try {
        return { kind: "value", value: JSON.parse(text) };
      } catch {
        return { kind: "invalid", message: `The default of ${field.name} is not valid JSON` };
      }
  }
}

/** A value is missing when absent; null counts as missing except for a json field (where null is a value). */
function isMissing(field: InputField, value: unknown): boolean {
  return value === undefined || (value === null && field.type !== "json");
}

function typeProblem(field: InputField, value: unknown): string | null {
  switch (field.type) {
    case "string":
    case "text":
      if (typeof value !== "string") return `${field.name} must be text`;
      return field.required && value.trim() === "" ? `${field.name} is required` : null;
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? null : `${field.name} must be a number`;
    case "boolean":
      return typeof value === "boolean" ? null : `${field.name} must be true or false`;
    case "json":
      return null;
  }
}

/**
 * Checks a run's input and returns it with the defaults of missing optional fields filled in.
 * `field` names the refused field ("" for the input as a whole).
 */
export function checkRunInput(fields: readonly InputField[], input: unknown): RunInputCheck {
  if (fields.length === 0) return { ok: true, value: input };
  // No input at all (a REST call without a body's `input`) is an empty object: defaults apply.
  if (input !== undefined && input !== null && !isJsonObject(input)) {
    return { ok: false, field: "", message: `The input must be a JSON object with the fields ${fields.map((field) => field.name).join(", ")}` };
  }
  const value = isJsonObject(input) ? copyOf(input) : {};
  for (const field of fields) {
    let current = ownValue(value, field.name);
    if (isMissing(field, current)) {
      const fallback = parseDefault(field);
      if (fallback.kind === "value") {
        current = fallback.value;
        setOwn(value, field.name, current);
      }
    }
    if (isMissing(field, current)) {
      if (field.required) return { ok: false, field: field.name, message: `${field.name} is required` };
      continue;
    }
    const problem = typeProblem(field, current);
    if (problem !== null) return { ok: false, field: field.name, message: problem };
  }
  return { ok: true, value };
}

/** Where a refused field sits in a `run.start`/trigger request: the error `path` the server answers with. */
export function runInputErrorPath(field: string): string {
  return field === "" ? "input" : `input.${field}`;
}

/** The inverse of `runInputErrorPath` for an error the server answered with; null when it names no input field. */
export function runInputFieldOfPath(path: string | null): string | null {
  if (path === "input") return "";
  return path?.startsWith("input.") ? path.slice("input.".length) : null;
}

/** The form's values for an input (a field the input lacks shows its default). */
export function inputToFormValues(fields: readonly InputField[], input: unknown): FormValues {
  const source = isJsonObject(input) ? input : {};
  const values: FormValues = {};
  for (const field of fields) {
    const value = ownValue(source, field.name);
    setOwn(values, field.name, isMissing(field, value) ? defaultFormValue(field) : formValueOf(field, value));
  }
  return values;
}

function defaultFormValue(field: InputField): string | boolean {
  return field.type === "boolean" ? field.default === "true" : field.default;
}

function formValueOf(field: InputField, value: unknown): string | boolean {
  switch (field.type) {
    case "boolean":
      return value === true;
    case "json":
      return toJsonText(value, { pretty: true }) ?? "";
    case "string":
    case "text":
    case "number":
      // A value of another type (an older run's input) is shown as its JSON, for the person to fix.
      return typeof value === "string" ? value : typeof value === "number" ? String(value) : (toJsonText(value) ?? "");
  }
}

function textOf(values: FormValues, name: string): string {
  const value = Object.hasOwn(values, name) ? values[name] : undefined;
  return typeof value === "string" ? value : value === undefined ? "" : String(value);
}

/**
 * The form's values as an input object, never refusing: what does not parse stays the text
 * typed (so switching to the JSON tab loses nothing). `base` holds keys the form has no field
 * for, which are kept. An empty number or JSON field is left out; an empty text is "".
 */
export function formValuesToDraft(fields: readonly InputField[], values: FormValues, base: JsonObject = {}): JsonObject {
  const draft: JsonObject = {};
  for (const field of fields) {
    const raw = Object.hasOwn(values, field.name) ? values[field.name] : undefined;
    if (field.type === "boolean") {
      setOwn(draft, field.name, raw === true || raw === "true");
      continue;
    }
    const text = textOf(values, field.name);
    if (field.type === "string" || field.type === "text") {
      setOwn(draft, field.name, text);
      continue;
    }
    if (text.trim() === "") continue;
    if (field.type === "number") {
      setOwn(draft, field.name, parseNumberText(text) ?? text);
      continue;
    }
    try {
      setOwn(draft, field.name, JSON.parse(text));
    } catch {
      setOwn(draft, field.name, text);
    }
  }
  // The fields first, in the form's order; then the other keys. The form decides its own fields.
  const names = new Set(fields.map((field) => field.name));
  for (const [key, value] of Object.entries(base)) if (!names.has(key)) setOwn(draft, key, value);
  return draft;
}

/** The form's values as the run's input, or the first field that is wrong (see `checkRunInput`). */
export function formValuesToInput(fields: readonly InputField[], values: FormValues, base: JsonObject = {}): RunInputCheck {
  for (const field of fields) {
    const text = textOf(values, field.name);
    if (text.trim() === "") continue;
    if (field.type === "number" && parseNumberText(text) === null) return { ok: false, field: field.name, message: `${field.name} must be a number` };
    if (field.type === "json") {
      try {
        JSON.parse(text);
      } catch (error) {
        const detail = error instanceof SyntaxError ? `: ${error.message}` : "";
        return { ok: false, field: field.name, message: `${field.name} is not valid JSON${detail}` };
      }
    }
  }
  return checkRunInput(fields, formValuesToDraft(fields, values, base));
}

/** The keys of an input no field asks for (kept when the form is submitted). */
export function extraInputKeys(fields: readonly InputField[], input: unknown): JsonObject {
  const extras: JsonObject = {};
  if (!isJsonObject(input)) return extras;
  const names = new Set(fields.map((field) => field.name));
  for (const [key, value] of Object.entries(input)) if (!names.has(key)) setOwn(extras, key, value);
  return extras;
}

/**
 * What is wrong with the field definitions themselves (the graph schema checks each name's
 * pattern): two fields with one name, a default the field's type cannot hold.
 */
export function inputFieldProblems(fields: readonly InputField[]): InputFieldProblem[] {
  const problems: InputFieldProblem[] = [];
  const seen = new Set<string>();
  fields.forEach((field, index) => {
    if (seen.has(field.name)) problems.push({ index, name: field.name, part: "name", message: `Two fields are named ${field.name}` });
    seen.add(field.name);
    const fallback = parseDefault(field);
    if (fallback.kind === "invalid") problems.push({ index, name: field.name, part: "default", message: fallback.message });
  });
  return problems;
}

const PLACEHOLDERS: Record<InputField["type"], (field: InputField) => unknown> = {
  string: (field) => `<${field.name}>`,
  text: (field) => `<${field.name}>`,
  number: () => 0,
  boolean: () => false,
  json: () => ({}),
};

/**
 * An input to show in an example request: the sample input (JSON text), completed with each
 * missing field's default, or a placeholder for a required field without one.
 */
export function exampleRunInput(fields: readonly InputField[], sampleText: string): unknown {
  let sample: unknown = undefined;
  try {
    sample = sampleText.trim() === "" ? undefined : JSON.parse(sampleText);
  } catch {
    // An invalid sample is reported on the Trigger node; the example does without it.
  }
  if (fields.length === 0) return sample ?? {};
  const example = isJsonObject(sample) ? copyOf(sample) : {};
  for (const field of fields) {
    if (!isMissing(field, ownValue(example, field.name))) continue;
    const fallback = parseDefault(field);
    if (fallback.kind === "value") setOwn(example, field.name, fallback.value);
    else if (field.required) setOwn(example, field.name, PLACEHOLDERS[field.type](field));
  }
  return example;
}
