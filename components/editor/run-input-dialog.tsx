"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from "react";
import type { InputField } from "@/server/engine/graph";
import { toJsonText } from "@/server/engine/json-text";
import {
  checkRunInput,
  extraInputKeys,
  formValuesToDraft,
  formValuesToInput,
  inputToFormValues,
  isJsonObject,
  type FormValues,
} from "@/server/engine/run-input";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { PlayIcon } from "@/components/ui/icons";
import { TabButton } from "@/components/ui/tab-button";
import { useEditorStore, useEditorStoreApi } from "./store/editor-store-provider";
import type { EditorState } from "./store/types";
import { useLaunchRun } from "./use-editor-actions";

/**
 * The Run form: the input of a run, asked for with a form generated from the Trigger's input
 * fields (and a JSON tab for the whole input), prefilled from the workflow's last run, else
 * from the sample input and the defaults. It always opens, with the focus on "Start run" when
 * the prefilled input is valid, so running again as before is Run then Enter.
 */

const selectOpen = (s: EditorState) => s.launch.status === "asking" || s.launch.status === "starting";
const selectStarting = (s: EditorState) => s.launch.status === "starting";
const selectWorkflowId = (s: EditorState) => s.workflowId;
const selectName = (s: EditorState) => s.name;
const selectTrigger = (s: EditorState) => {
  const trigger = s.nodes.find((node) => node.type === "trigger");
  return trigger?.type === "trigger" ? trigger.data : null;
};

const NO_FIELDS: readonly InputField[] = [];

export function RunInputDialog() {
  const open = useEditorStore(selectOpen);
  return open ? <OpenRunInputDialog /> : null;
}

type Prefill = { source: "the last run" | "the sample input" | "the defaults"; input: unknown; jsonText: string };

/** Where the form starts: the last run's input, else the sample (as written, even if it does not parse), else the defaults. */
function prefillOf(fields: readonly InputField[], sampleText: string, lastRun: { input: unknown } | null): Prefill {
  // A last run from before the fields existed (no object input) says nothing about them: the sample does.
  if (lastRun && (fields.length === 0 || isJsonObject(lastRun.input))) return { source: "the last run", input: lastRun.input, jsonText: prettyJson(lastRun.input) };
  if (sampleText.trim() !== "") {
    let input: unknown = undefined;
    try {
      input = JSON.parse(sampleText);
    } catch {
      // Shown as written on the JSON tab, where Start run names the problem.
    }
    return { source: "the sample input", input, jsonText: sampleText };
  }
  const defaults = checkRunInput(fields, undefined);
  return { source: "the defaults", input: undefined, jsonText: fields.length > 0 && defaults.ok ? prettyJson(defaults.value) : "" };
}

function prettyJson(value: unknown): string {
  return value === undefined || value === null ? "" : (toJsonText(value, { pretty: true }) ?? "");
}

function OpenRunInputDialog() {
  const store = useEditorStoreApi();
  const trpc = useTRPC();
  const titleId = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const workflowId = useEditorStore(selectWorkflowId);
  const name = useEditorStore(selectName);
  const trigger = useEditorStore(selectTrigger);
  const starting = useEditorStore(selectStarting);
  // Read once per opening: a run started elsewhere since the last one is what "last" means.
  const lastRun = useQuery(trpc.workflow.lastRunInput.queryOptions({ workflowId }, { staleTime: 0, gcTime: 0, retry: false, refetchOnWindowFocus: false }));

  // A layout effect: the dialog is modal before the form's own effect moves the focus into it.
  useLayoutEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  const close = () => {
    if (store.getState().launch.status !== "starting") store.getState().setLaunch({ status: "idle" });
  };

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      data-testid="run-input-dialog"
      onCancel={(event) => {
        event.preventDefault();
        close();
      }}
      // The editor's shortcuts (undo, delete, paste…) listen on the window: keys typed here are the form's.
      onKeyDown={(event) => {
        event.stopPropagation();
        if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") event.preventDefault();
      }}
      className="nokey m-auto max-h-[min(44rem,calc(100%-2rem))] w-[min(36rem,calc(100%-2rem))] flex-col rounded-lg border border-slate-200 bg-white p-0 text-sm text-slate-700 shadow-xl backdrop:bg-slate-900/30 open:flex"
    >
      <div className="border-b border-slate-200 px-5 pt-4 pb-3">
        <h2 id={titleId} className="text-base font-semibold text-slate-900">
          Run workflow
        </h2>
        <p className="truncate text-xs text-slate-500">{name}</p>
      </div>
      {lastRun.isPending ? (
        <p className="px-5 py-6 text-slate-500">Loading the last input…</p>
      ) : (
        <RunInputForm
          fields={trigger?.inputFields ?? NO_FIELDS}
          prefill={prefillOf(trigger?.inputFields ?? NO_FIELDS, trigger?.sampleInput ?? "", lastRun.data ?? null)}
          starting={starting}
          onCancel={close}
        />
      )}
    </dialog>
  );
}

/** Where a refusal is shown: at a form field, under the JSON editor, or for the form as a whole. */
type InputError = { at: "field"; field: string; message: string } | { at: "json"; message: string } | { at: "form"; message: string };

type JsonParse = { ok: true; value: unknown } | { ok: false; message: string };

function parseJson(text: string): JsonParse {
  if (text.trim() === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: error instanceof SyntaxError ? `Not valid JSON: ${error.message}` : "Not valid JSON" };
  }
}

function RunInputForm({ fields, prefill, starting, onCancel }: { fields: readonly InputField[]; prefill: Prefill; starting: boolean; onCancel: () => void }) {
  const launch = useLaunchRun();
  const baseId = useId();
  const hasForm = fields.length > 0;
  const [tab, setTab] = useState<"form" | "json">(hasForm ? "form" : "json");
  const [values, setValues] = useState<FormValues>(() => inputToFormValues(fields, prefill.input));
  // Keys of the input no field asks for (from the last run or the JSON tab): kept, not shown in the form.
  const [extras, setExtras] = useState(() => extraInputKeys(fields, prefill.input));
  const [jsonText, setJsonText] = useState(prefill.jsonText);
  const [error, setError] = useState<InputError | null>(null);

  const controlId = (field: string) => `${baseId}-field-${field}`;
  const jsonId = `${baseId}-json`;
  const startId = `${baseId}-start`;
  const focus = (id: string) => document.getElementById(id)?.focus();

  // Focus Start run when the prefilled input would be accepted, else the first thing to fix.
  useEffect(() => {
    if (hasForm) {
      const checked = formValuesToInput(fields, values, extras);
      if (checked.ok) focus(startId);
      else focus(controlId(checked.field));
    } else if (parseJson(jsonText).ok) focus(startId);
    else focus(jsonId);
    // Only on opening: afterwards the focus is the person's.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const showTab = (next: "form" | "json") => {
    if (next === tab) return;
    if (next === "json") {
      setJsonText(prettyJson(formValuesToDraft(fields, values, extras)));
      setError(null);
      setTab("json");
      return;
    }
    const parsed = parseJson(jsonText);
    if (!parsed.ok) {
      setError({ at: "json", message: `${parsed.message}. Fix it to go back to the form.` });
      return;
    }
    if (parsed.value !== undefined && !isJsonObject(parsed.value)) {
      setError({ at: "json", message: "The form needs a JSON object: the input as a whole is an object of fields." });
      return;
    }
    setValues(inputToFormValues(fields, parsed.value));
    setExtras(extraInputKeys(fields, parsed.value));
    setError(null);
    setTab("form");
  };

  const refuse = (refusal: InputError) => {
    setError(refusal);
    if (refusal.at === "field") focus(controlId(refusal.field));
    else if (refusal.at === "json") focus(jsonId);
  };

  /** The input to send, or the refusal to show. */
  const readInput = (): { ok: true; input: unknown } | { ok: false; error: InputError } => {
    if (tab === "form") {
      const checked = formValuesToInput(fields, values, extras);
      return checked.ok ? { ok: true, input: checked.value } : { ok: false, error: { at: "field", field: checked.field, message: checked.message } };
    }
    const parsed = parseJson(jsonText);
    if (!parsed.ok) return { ok: false, error: { at: "json", message: parsed.message } };
    const checked = checkRunInput(fields, parsed.value);
    return checked.ok ? { ok: true, input: checked.value } : { ok: false, error: { at: "json", message: checked.message } };
  };

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (starting) return;
    const read = readInput();
    if (!read.ok) {
      refuse(read.error);
      return;
    }
    setError(null);
    const result = await launch(read.input);
    if (result.ok) return;
    // The server's answer names the field it refused (a 400 with path input.<field>): show it there.
    const field = result.field;
    if (tab === "form" && field !== null && fields.some((candidate) => candidate.name === field)) refuse({ at: "field", field, message: result.message });
    else refuse({ at: tab === "json" ? "json" : "form", message: result.message });
  };

  // Enter submits from one-line inputs (the form's own behaviour); Ctrl/Cmd+Enter from anywhere, text areas included.
  const onKeyDown = (event: KeyboardEvent<HTMLFormElement>) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void submit();
    }
  };

  const fieldError = (name: string) => (error?.at === "field" && error.field === name ? error.message : null);

  return (
    <form noValidate onSubmit={(event) => void submit(event)} onKeyDown={onKeyDown} className="flex min-h-0 flex-1 flex-col">
      {hasForm && (
        <div role="tablist" aria-label="Input as" className="flex shrink-0 gap-1 border-b border-slate-200 px-4">
          <TabButton active={tab === "form"} onClick={() => showTab("form")}>
            Form
          </TabButton>
          <TabButton active={tab === "json"} onClick={() => showTab("json")}>
            JSON
          </TabButton>
        </div>
      )}
      <div role={hasForm ? "tabpanel" : undefined} aria-label={hasForm ? (tab === "form" ? "Form" : "JSON") : undefined} className="min-h-0 flex-1 space-y-4 overflow-y-auto px-5 py-4">
        {tab === "form" ? (
          fields.map((field, index) => (
            <InputFieldControl
              key={`${index}:${field.name}`}
              id={controlId(field.name)}
              field={field}
              value={Object.hasOwn(values, field.name) ? values[field.name] : undefined}
              error={fieldError(field.name)}
              onChange={(value) => {
                setValues((current) => ({ ...current, [field.name]: value }));
                if (error?.at === "field" && error.field === field.name) setError(null);
              }}
            />
          ))
        ) : (
          <JsonEditor
            id={jsonId}
            value={jsonText}
            error={error?.at === "json" ? error.message : null}
            hasFields={hasForm}
            onChange={(text) => {
              setJsonText(text);
              if (error?.at === "json") setError(null);
            }}
          />
        )}
        {error?.at === "form" && (
          <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700">
            {error.message}
          </p>
        )}
      </div>
      <div className="flex shrink-0 items-center gap-2 border-t border-slate-200 px-5 py-3">
        <p className="min-w-0 flex-1 truncate text-xs text-slate-500" data-testid="run-input-source">
          Prefilled from {prefill.source}
        </p>
        <Button variant="ghost" onClick={onCancel} disabled={starting}>
          Cancel
        </Button>
        <Button id={startId} type="submit" variant="primary" disabled={starting} title="Start the run (Enter)">
          <PlayIcon className="size-3.5 fill-current" />
          {starting ? "Starting…" : "Start run"}
        </Button>
      </div>
    </form>
  );
}

const CONTROL =
  "block w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm text-slate-900 shadow-xs placeholder:text-slate-400 focus:border-accent-500 focus:ring-2 focus:ring-accent-500/20 focus:outline-none aria-invalid:border-red-400";

const TYPE_NOTES: Record<InputField["type"], string> = { string: "text", text: "text", number: "number", boolean: "yes / no", json: "JSON" };

function InputFieldControl({
  id,
  field,
  value,
  error,
  onChange,
}: {
  id: string;
  field: InputField;
  value: string | boolean | undefined;
  error: string | null;
  onChange: (value: string | boolean) => void;
}) {
  const descriptionId = `${id}-description`;
  const errorId = `${id}-error`;
  const describedBy = [field.description ? descriptionId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  const text = typeof value === "string" ? value : "";
  const shared = { id, name: field.name, "aria-invalid": error !== null, "aria-required": field.required, "aria-describedby": describedBy };

  let control: ReactNode;
  switch (field.type) {
    case "boolean":
      control = (
        <input
          {...shared}
          type="checkbox"
          checked={value === true}
          onChange={(event) => onChange(event.target.checked)}
          className="size-4 accent-accent-600"
        />
      );
      break;
    case "text":
    case "json":
      control = (
        <textarea
          {...shared}
          rows={field.type === "json" ? 4 : 3}
          value={text}
          spellCheck={field.type === "text"}
          onChange={(event) => onChange(event.target.value)}
          className={`${CONTROL} resize-y leading-relaxed ${field.type === "json" ? "font-mono text-xs" : ""}`}
        />
      );
      break;
    case "number":
      // A text input, not type=number: what was typed stays visible, and the form names what is wrong with it.
      control = <input {...shared} type="text" inputMode="decimal" autoComplete="off" value={text} onChange={(event) => onChange(event.target.value)} className={CONTROL} />;
      break;
    case "string":
      control = <input {...shared} type="text" autoComplete="off" value={text} onChange={(event) => onChange(event.target.value)} className={CONTROL} />;
      break;
  }

  const label = (
    <label htmlFor={id} className="font-medium text-slate-800">
      <span className="font-mono">{field.name}</span>
      {field.required && (
        <span className="ml-0.5 text-red-600" aria-hidden="true" title="Required">
          *
        </span>
      )}
    </label>
  );
  return (
    <div className="space-y-1" data-testid="run-input-field">
      {field.type === "boolean" ? (
        <div className="flex items-center gap-2">
          {control}
          {label}
        </div>
      ) : (
        <div className="flex items-baseline justify-between gap-2">
          {label}
          <span className="text-[11px] text-slate-400">
            {TYPE_NOTES[field.type]}
            {field.required ? " · required" : ""}
          </span>
        </div>
      )}
      {field.type !== "boolean" && control}
      {field.description && (
        <p id={descriptionId} className="text-xs text-slate-500">
          {field.description}
        </p>
      )}
      {error && (
        <p id={errorId} role="alert" className="text-xs font-medium text-red-600">
          {error}
        </p>
      )}
    </div>
  );
}

function JsonEditor({ id, value, error, hasFields, onChange }: { id: string; value: string; error: string | null; hasFields: boolean; onChange: (text: string) => void }) {
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="font-medium text-slate-800">
        Input (JSON)
      </label>
      <textarea
        id={id}
        rows={10}
        value={value}
        spellCheck={false}
        aria-invalid={error !== null}
        aria-describedby={[hintId, error ? errorId : null].filter(Boolean).join(" ")}
        onChange={(event) => onChange(event.target.value)}
        className={`${CONTROL} resize-y font-mono text-xs leading-relaxed`}
      />
      <p id={hintId} className="text-xs text-slate-500">
        {hasFields ? (
          "The whole input. Keys other than the form's fields are passed on as they are."
        ) : (
          <>
            Any JSON; empty runs without input. Templates read it as <code className="font-mono">{"{{input.<key>}}"}</code>. Add input fields
            on the Trigger node to get a form.
          </>
        )}
      </p>
      {error && (
        <p id={errorId} role="alert" className="text-xs font-medium text-red-600">
          {error}
        </p>
      )}
    </div>
  );
}
