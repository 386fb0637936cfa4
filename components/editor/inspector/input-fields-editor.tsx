"use client";

import { useId, useState } from "react";
import { inputFieldSchema, type InputField } from "@/server/engine/graph";
import { inputFieldProblems, type InputFieldProblem } from "@/server/engine/run-input";
import { Button } from "@/components/ui/button";
import { PlusIcon, XIcon } from "@/components/ui/icons";
import { SELECT } from "./fields";

/**
 * The Trigger's input fields: what the Run form asks for and what the server checks a run's
 * input against. Each field is a small card (name, type, required, default, description);
 * problems show at the control they concern.
 */

const MAX_FIELDS = 50;

const TYPE_LABELS: Record<InputField["type"], string> = {
  string: "Text (one line)",
  text: "Text (multi-line)",
  number: "Number",
  boolean: "Yes / no",
  json: "JSON",
};
const TYPES = Object.keys(TYPE_LABELS) as InputField["type"][];

const CONTROL =
  "w-full rounded-md border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900 shadow-xs placeholder:text-slate-400 focus:border-accent-500 focus:ring-2 focus:ring-accent-500/20 focus:outline-none aria-invalid:border-red-400";

const isText = (type: InputField["type"]) => type === "string" || type === "text";

/** The graph schema's rule for a name, as a person-readable message (null when the name is fine). */
function nameError(name: string): string | null {
  const result = inputFieldSchema.shape.name.safeParse(name);
  return result.success ? null : (result.error.issues[0]?.message ?? "Not a valid field name");
}

/** A name no other field has: field_1, field_2, … */
function freshName(fields: readonly InputField[]): string {
  const taken = new Set(fields.map((field) => field.name));
  let n = fields.length + 1;
  while (taken.has(`field_${n}`)) n += 1;
  return `field_${n}`;
}

export function InputFieldsEditor({ fields, onChange }: { fields: readonly InputField[]; onChange: (fields: InputField[]) => void }) {
  const problems = inputFieldProblems(fields);
  const replace = (index: number, patch: Partial<InputField>) => onChange(fields.map((field, i) => (i === index ? { ...field, ...patch } : field)));
  const move = (index: number, by: -1 | 1) => {
    const next = [...fields];
    const [moved] = next.splice(index, 1);
    if (!moved) return;
    next.splice(index + by, 0, moved);
    onChange(next);
  };
  const add = () => onChange([...fields, inputFieldSchema.parse({ name: freshName(fields) })]);

  return (
    <section aria-labelledby="input-fields-heading" className="space-y-2">
      <div className="flex items-center justify-between">
        <h3 id="input-fields-heading" className="text-xs font-medium text-slate-700">
          Input fields
        </h3>
        <Button size="sm" onClick={add} disabled={fields.length >= MAX_FIELDS}>
          <PlusIcon className="size-3.5" />
          Add field
        </Button>
      </div>
      {fields.length === 0 ? (
        <p className="text-xs text-slate-500">None: Run asks for any JSON. Add fields to get a form with types, required fields and defaults.</p>
      ) : (
        <ol className="space-y-2">
          {fields.map((field, index) => (
            // Fields have no id of their own; a card's only local state (a name being typed) ends on blur, before any move.
            <li key={index}>
              <FieldCard
                field={field}
                position={index + 1}
                count={fields.length}
                problems={problems.filter((problem) => problem.index === index)}
                onChange={(patch) => replace(index, patch)}
                onMove={(by) => move(index, by)}
                onRemove={() => onChange(fields.filter((_, i) => i !== index))}
              />
            </li>
          ))}
        </ol>
      )}
      {fields.length > 0 && (
        <p className="text-xs text-slate-500">
          Templates read them as <code className="font-mono">{"{{input.<name>}}"}</code>. The REST trigger checks its input against them too.
        </p>
      )}
    </section>
  );
}

function FieldCard({
  field,
  position,
  count,
  problems,
  onChange,
  onMove,
  onRemove,
}: {
  field: InputField;
  position: number;
  count: number;
  problems: InputFieldProblem[];
  onChange: (patch: Partial<InputField>) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}) {
  const id = useId();
  // A name that breaks the rule stays here while typed, so the graph always holds a savable one.
  const [typedName, setTypedName] = useState<string | null>(null);
  const shownName = typedName ?? field.name;
  const nameProblem = (typedName !== null ? nameError(typedName) : null) ?? problems.find((p) => p.part === "name")?.message ?? null;
  const defaultProblem = problems.find((p) => p.part === "default")?.message ?? null;
  const label = field.name;

  return (
    <div className="space-y-2 rounded-md border border-slate-200 bg-slate-50/60 p-2.5" data-testid="input-field-card">
      <div className="flex items-start gap-1.5">
        <div className="min-w-0 flex-1">
          <label htmlFor={`${id}-name`} className="sr-only">
            Field {position} name
          </label>
          <input
            id={`${id}-name`}
            value={shownName}
            maxLength={64}
            spellCheck={false}
            aria-invalid={nameProblem !== null}
            aria-describedby={nameProblem ? `${id}-name-error` : undefined}
            onChange={(event) => {
              const text = event.target.value;
              if (nameError(text) === null) {
                setTypedName(null);
                onChange({ name: text });
              } else setTypedName(text);
            }}
            onBlur={() => setTypedName(null)}
            className={`${CONTROL} font-mono text-xs`}
          />
        </div>
        <Button size="sm" variant="ghost" aria-label={`Move ${label} up`} title="Move up" disabled={position === 1} onClick={() => onMove(-1)}>
          <span aria-hidden="true">↑</span>
        </Button>
        <Button size="sm" variant="ghost" aria-label={`Move ${label} down`} title="Move down" disabled={position === count} onClick={() => onMove(1)}>
          <span aria-hidden="true">↓</span>
        </Button>
        <Button size="sm" variant="ghost" aria-label={`Remove ${label}`} title="Remove field" onClick={onRemove}>
          <XIcon className="size-3.5" />
        </Button>
      </div>
      {nameProblem && (
        <p id={`${id}-name-error`} className="text-xs text-red-600">
          {nameProblem}
        </p>
      )}

      <div className="flex items-center gap-3">
        <div className="min-w-0 flex-1">
          <label htmlFor={`${id}-type`} className="sr-only">
            {label} type
          </label>
          <select
            id={`${id}-type`}
            value={field.type}
            onChange={(event) => {
              const type = TYPES.find((candidate) => candidate === event.target.value);
              // A default written for the old type rarely fits the new one (true is no number); text stays text.
              if (type) onChange({ type, default: isText(type) && isText(field.type) ? field.default : "" });
            }}
            className={SELECT}
          >
            {TYPES.map((type) => (
              <option key={type} value={type}>
                {TYPE_LABELS[type]}
              </option>
            ))}
          </select>
        </div>
        <label className="flex shrink-0 items-center gap-1.5 text-xs text-slate-700">
          <input
            type="checkbox"
            checked={field.required}
            onChange={(event) => onChange({ required: event.target.checked })}
            aria-label={`${label} required`}
            className="size-3.5 accent-accent-600"
          />
          Required
        </label>
      </div>

      <DefaultControl id={`${id}-default`} field={field} error={defaultProblem} onChange={(value) => onChange({ default: value })} />

      <div className="space-y-1">
        <label htmlFor={`${id}-description`} className="block text-[11px] font-medium text-slate-600">
          <span className="sr-only">{label} </span>Description
        </label>
        <input
          id={`${id}-description`}
          value={field.description}
          maxLength={500}
          placeholder="Shown under the field in the Run form"
          onChange={(event) => onChange({ description: event.target.value })}
          className={CONTROL}
        />
      </div>
    </div>
  );
}

function DefaultControl({ id, field, error, onChange }: { id: string; field: InputField; error: string | null; onChange: (value: string) => void }) {
  const errorId = `${id}-error`;
  const shared = { id, "aria-invalid": error !== null, "aria-describedby": error ? errorId : undefined };
  let control;
  if (field.type === "boolean") {
    control = (
      <select {...shared} value={field.default} onChange={(event) => onChange(event.target.value)} className={SELECT}>
        <option value="">No default (unchecked)</option>
        <option value="true">Checked</option>
        <option value="false">Unchecked</option>
      </select>
    );
  } else if (field.type === "text" || field.type === "json") {
    control = (
      <textarea
        {...shared}
        rows={2}
        value={field.default}
        maxLength={20_000}
        spellCheck={field.type === "text"}
        placeholder={field.type === "json" ? '{ "key": "value" }' : "None"}
        onChange={(event) => onChange(event.target.value)}
        className={`${CONTROL} resize-y ${field.type === "json" ? "font-mono text-xs" : ""}`}
      />
    );
  } else {
    control = (
      <input
        {...shared}
        value={field.default}
        maxLength={20_000}
        inputMode={field.type === "number" ? "decimal" : undefined}
        placeholder="None"
        onChange={(event) => onChange(event.target.value)}
        className={CONTROL}
      />
    );
  }
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-[11px] font-medium text-slate-600">
        <span className="sr-only">{field.name} </span>Default
      </label>
      {control}
      {error && (
        <p id={errorId} className="text-xs text-red-600">
          {error}
        </p>
      )}
    </div>
  );
}
