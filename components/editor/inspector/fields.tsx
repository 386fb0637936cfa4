"use client";

import { useId, useState, type ReactNode, type Ref, type TextareaHTMLAttributes } from "react";
import type { NumberRules } from "./field-rules";

/** Form controls of the inspector: label above, optional hint or error below. */

export const SELECT =
  "w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm text-slate-900 shadow-xs focus:border-accent-500 focus:ring-2 focus:ring-accent-500/20 focus:outline-none";

const CONTROL =
  "w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm text-slate-900 shadow-xs placeholder:text-slate-400 focus:border-accent-500 focus:ring-2 focus:ring-accent-500/20 focus:outline-none disabled:bg-slate-50 disabled:text-slate-500";

export function Field({
  label,
  hint,
  error,
  children,
  htmlFor,
}: {
  label: string;
  hint?: ReactNode;
  error?: string | null;
  children: ReactNode;
  htmlFor: string;
}) {
  return (
    <div className="space-y-1">
      <label htmlFor={htmlFor} className="block text-xs font-medium text-slate-700">
        {label}
      </label>
      {children}
      {error ? <p className="text-xs text-red-600">{error}</p> : hint ? <div className="text-xs text-slate-500">{hint}</div> : null}
    </div>
  );
}

export function TextField({
  label,
  value,
  onChange,
  placeholder,
  hint,
  error,
  mono,
  maxLength,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  hint?: ReactNode;
  error?: string | null;
  mono?: boolean;
  /** The graph schema's limit, so the draft can always be saved. */
  maxLength?: number;
}) {
  const id = useId();
  return (
    <Field label={label} hint={hint} error={error} htmlFor={id}>
      <input
        id={id}
        type="text"
        value={value}
        placeholder={placeholder}
        maxLength={maxLength}
        onChange={(event) => onChange(event.target.value)}
        className={`${CONTROL} ${mono ? "font-mono text-xs" : ""} ${error ? "border-red-400" : ""}`}
      />
    </Field>
  );
}

export function TextAreaField({
  label,
  value,
  onChange,
  hint,
  error,
  mono,
  rows = 4,
  textareaRef,
  ...rest
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: ReactNode;
  error?: string | null;
  mono?: boolean;
  rows?: number;
  textareaRef?: Ref<HTMLTextAreaElement>;
} & Pick<TextareaHTMLAttributes<HTMLTextAreaElement>, "placeholder" | "spellCheck" | "maxLength">) {
  const id = useId();
  return (
    <Field label={label} hint={hint} error={error} htmlFor={id}>
      <textarea
        id={id}
        ref={textareaRef}
        rows={rows}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        className={`${CONTROL} resize-y leading-relaxed ${mono ? "font-mono text-xs" : ""} ${error ? "border-red-400" : ""}`}
        {...rest}
      />
    </Field>
  );
}

/**
 * A number input that keeps what the user types ("0.", "") locally, shows at the field what
 * the engine's schema says is wrong with it as they type, and commits only values the
 * schema accepts, so the graph never holds an invalid number.
 */
export function NumberField({
  label,
  value,
  onChange,
  rules,
  step = 1,
  hint,
}: {
  label: string;
  value: number;
  onChange: (value: number) => void;
  rules: NumberRules;
  step?: number;
  hint?: ReactNode;
}) {
  const id = useId();
  const [text, setText] = useState(String(value));
  const [error, setError] = useState<string | null>(null);
  const [shown, setShown] = useState(value);

  // Undo/redo change the value from outside; show it unless the user is mid-edit of the same number.
  if (shown !== value) {
    setShown(value);
    if (Number(text) !== value) setText(String(value));
    setError(null);
  }

  const commit = (next: string) => {
    setText(next);
    // Number("") is 0: an emptied field is "no number", not zero.
    const parsed = next.trim() === "" ? Number.NaN : Number(next);
    const problem = rules.check(parsed);
    setError(problem);
    if (problem === null) onChange(parsed);
  };

  return (
    <Field label={label} hint={hint} error={error} htmlFor={id}>
      <input
        id={id}
        type="number"
        inputMode={rules.integer ? "numeric" : "decimal"}
        min={rules.min}
        max={rules.max}
        step={step}
        value={text}
        aria-invalid={error !== null}
        onChange={(event) => commit(event.target.value)}
        onBlur={() => {
          if (error) {
            setText(String(value));
            setError(null);
          }
        }}
        className={`${CONTROL} ${error ? "border-red-400" : ""}`}
      />
    </Field>
  );
}

export function jsonError(text: string): string | null {
  if (text.trim() === "") return null;
  try {
    JSON.parse(text);
    return null;
  } catch (error) {
    return error instanceof SyntaxError ? `Not valid JSON: ${error.message}` : "Not valid JSON";
  }
}
