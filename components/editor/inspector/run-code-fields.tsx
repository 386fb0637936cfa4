"use client";

import { useId } from "react";
import { CODE_LANGUAGES, type CodeLanguage } from "@/server/engine/tools/catalog";
import { Field, SELECT } from "./fields";

const LANGUAGE_LABELS: Record<CodeLanguage, string> = { javascript: "JavaScript", python: "Python 3 (standard library)" };

/**
 * run_code's language, as a select over the `language` key of the node's arguments JSON (the
 * JSON stays the one source of truth; this only edits that key). Absent means JavaScript.
 */
export function RunCodeLanguagePicker({ argumentsText, onChange }: { argumentsText: string; onChange: (argumentsText: string) => void }) {
  const selectId = useId();
  const args = parseObject(argumentsText);
  const current = args?.language;
  const language: CodeLanguage = current === "python" ? "python" : "javascript";
  return (
    <Field
      label="Language"
      htmlFor={selectId}
      hint={language === "python" ? "Python's result is the last expression, or a variable named result." : undefined}
      error={args === undefined ? "Fix the arguments JSON to choose the language" : null}
    >
      <select
        id={selectId}
        value={language}
        disabled={args === undefined}
        onChange={(event) => {
          const next = CODE_LANGUAGES.find((value) => value === event.target.value);
          if (!next || args === undefined) return;
          onChange(JSON.stringify({ ...args, language: next }, null, 2));
        }}
        className={SELECT}
      >
        {CODE_LANGUAGES.map((value) => (
          <option key={value} value={value}>
            {LANGUAGE_LABELS[value]}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** The arguments as an object; empty text is an empty object; anything else is undefined. */
function parseObject(text: string): Record<string, unknown> | undefined {
  if (text.trim() === "") return {};
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
