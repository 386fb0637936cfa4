"use client";

import { useId, useRef, useState } from "react";
import { toolCatalogEntry, toolJsonSchema, TOOL_NAMES } from "@/server/engine/tools/catalog";
import type { InputField } from "@/server/engine/graph";
import { checkRunInput } from "@/server/engine/run-input";
import { useNodeData, useUpdateNodeData } from "../store/node-data";
import { Field, jsonError, NumberField, SELECT, TextAreaField, TextField } from "./fields";
import { TemplateHints } from "./template-hints";
import { checkField, numberRules } from "./field-rules";
import { HttpCredentialPicker } from "./credential-fields";
import { RunCodeLanguagePicker } from "./run-code-fields";
import { InputFieldsEditor } from "./input-fields-editor";

/** Module level: derived from the schema once, not on every render. */
const BUDGET_TOKENS_RULES = numberRules("trigger", "budgetTokens");
const BUDGET_USD_RULES = numberRules("trigger", "budgetUsd");
const MAX_ITERATIONS_RULES = numberRules("loop", "maxIterations");

const EXPRESSION_HINT = (
  <>
    e.g. <code className="font-mono">input.priority == &quot;high&quot; &amp;&amp; len(previous) &gt; 0</code>
  </>
);

export function TriggerForm({ nodeId }: { nodeId: string }) {
  const data = useNodeData(nodeId, "trigger");
  const update = useUpdateNodeData(nodeId, "trigger");
  if (!data) return null;
  return (
    <div className="space-y-4">
      <TextField label="Label" value={data.label} maxLength={120} onChange={(label) => update({ label })} />
      <InputFieldsEditor fields={data.inputFields} onChange={(inputFields) => update({ inputFields })} />
      <TextAreaField
        label="Sample input (JSON)"
        value={data.sampleInput}
        maxLength={20_000}
        onChange={(sampleInput) => update({ sampleInput })}
        rows={data.inputFields.length > 0 ? 4 : 8}
        mono
        spellCheck={false}
        error={jsonError(data.sampleInput) ?? sampleFieldError(data.inputFields, data.sampleInput)}
        hint={
          <>
            Fills the Run form until the workflow has run (then it starts from the last run&apos;s input). Templates read it as{" "}
            <code className="font-mono">{"{{input.<field>}}"}</code>.
          </>
        }
      />
      <div className="grid grid-cols-2 gap-3">
        <NumberField
          label="Token budget"
          value={data.budgetTokens}
          onChange={(budgetTokens) => update({ budgetTokens })}
          rules={BUDGET_TOKENS_RULES}
          step={1000}
        />
        <NumberField
          label="Cost budget (USD)"
          value={data.budgetUsd}
          onChange={(budgetUsd) => update({ budgetUsd })}
          rules={BUDGET_USD_RULES}
          step={0.5}
        />
      </div>
      <p className="-mt-2 text-xs text-slate-500">Per run; when reached, the run asks a person before spending more. 0 = no budget.</p>
    </div>
  );
}

/** A sample the Run form would refuse (it prefills the form), named by its field. */
function sampleFieldError(fields: readonly InputField[], sample: string): string | null {
  if (fields.length === 0 || sample.trim() === "") return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(sample);
  } catch {
    return null; // jsonError reports it
  }
  const checked = checkRunInput(fields, parsed);
  return checked.ok ? null : `The sample does not fit the input fields: ${checked.message}`;
}

export function ToolForm({ nodeId }: { nodeId: string }) {
  const data = useNodeData(nodeId, "tool");
  const update = useUpdateNodeData(nodeId, "tool");
  const selectId = useId();
  const approvalId = useId();
  if (!data) return null;
  const entry = toolCatalogEntry(data.tool);
  const fields = entry ? argumentFields(data.tool) : [];
  return (
    <div className="space-y-4">
      <TextField label="Label" value={data.label} maxLength={120} onChange={(label) => update({ label })} />
      <Field label="Tool" htmlFor={selectId} hint={entry?.description} error={data.tool && !entry ? `Unknown tool "${data.tool}"` : null}>
        <select id={selectId} value={data.tool} onChange={(event) => update({ tool: event.target.value })} className={SELECT}>
          <option value="">Choose a tool…</option>
          {TOOL_NAMES.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </Field>
      {data.tool === "run_code" && <RunCodeLanguagePicker argumentsText={data.arguments} onChange={(args) => update({ arguments: args })} />}
      <TextAreaField
        label="Arguments (JSON)"
        value={data.arguments}
        maxLength={50_000}
        onChange={(args) => update({ arguments: args })}
        rows={6}
        mono
        spellCheck={false}
        error={jsonError(data.arguments)}
        hint={
          <>
            {fields.length > 0 && (
              <>
                Fields: <code className="font-mono">{fields.join(", ")}</code>.{" "}
              </>
            )}
            String values may contain templates such as <code className="font-mono">{"{{previous}}"}</code>
            {data.tool === "http_request" && (
              <>
                {" "}
                and credentials as <code className="font-mono">{"{{credentials.<name>}}"}</code>
              </>
            )}
            .
          </>
        }
      />
      {data.tool === "http_request" && <HttpCredentialPicker nodeId={nodeId} argumentsText={data.arguments} />}
      <Field label="Approval" htmlFor={approvalId} hint={approvalHint(data.approval, entry?.requiresApproval ?? false)}>
        <select
          id={approvalId}
          value={data.approval}
          onChange={(event) => {
            const approval = APPROVALS.find((value) => value === event.target.value);
            if (approval) update({ approval });
          }}
          className={SELECT}
        >
          <option value="default">Tool default</option>
          <option value="always">Always ask a person</option>
          <option value="never">Never ask</option>
        </select>
      </Field>
    </div>
  );
}

const APPROVALS = ["default", "always", "never"] as const;

function approvalHint(approval: (typeof APPROVALS)[number], toolAsks: boolean): string {
  if (approval === "always") return "Each call waits for a person to approve it.";
  if (approval === "never") return "Calls run without asking.";
  return toolAsks ? "This tool waits for a person's approval by default." : "This tool runs without asking by default.";
}

/** Top-level argument names from the tool's JSON Schema, as a reminder of what to fill in. */
function argumentFields(tool: string): string[] {
  const schema = toolJsonSchema(tool);
  const properties = schema?.properties;
  return properties !== null && typeof properties === "object" ? Object.keys(properties) : [];
}

export function HumanForm({ nodeId }: { nodeId: string }) {
  const data = useNodeData(nodeId, "human");
  const update = useUpdateNodeData(nodeId, "human");
  const messageRef = useRef<HTMLTextAreaElement>(null);
  const allowEditId = useId();
  const onTimeoutId = useId();
  const escalateToId = useId();
  if (!data) return null;
  return (
    <div className="space-y-4">
      <TextField label="Label" value={data.label} maxLength={120} onChange={(label) => update({ label })} />
      <TextAreaField
        label="Message to the reviewer"
        value={data.message}
        maxLength={5_000}
        onChange={(message) => update({ message })}
        rows={4}
        textareaRef={messageRef}
        error={data.message.trim() === "" ? "The message is empty" : null}
        hint={
          <>
            <p>
              A template, filled in when the task is created: <code className="font-mono">{"{{previous}}"}</code> is the content under
              review (the previous step&apos;s output, also shown to the reviewer below the message),{" "}
              <code className="font-mono">{"{{input.x}}"}</code> a run input field,{" "}
              <code className="font-mono">{"{{nodes.<id>.output}}"}</code> another node&apos;s output.
            </p>
            <TemplateHints nodeId={nodeId} value={data.message} onChange={(message) => update({ message })} textareaRef={messageRef} />
          </>
        }
      />
      <div className="space-y-1">
        <label htmlFor={allowEditId} className="flex items-center gap-2 text-xs font-medium text-slate-700">
          <input
            id={allowEditId}
            type="checkbox"
            checked={data.allowEdit}
            onChange={(event) => update({ allowEdit: event.target.checked })}
            className="size-3.5 rounded border-slate-300 accent-accent-600"
          />
          Reviewer may edit the content
        </label>
        <p className="text-xs text-slate-500">
          {data.allowEdit
            ? "Edit then approve: the corrected content flows on; the original stays in the run's log."
            : "The reviewer approves or rejects the content as it is."}
        </p>
      </div>
      <DurationField
        label="Timeout"
        seconds={data.timeoutSeconds}
        onChange={(timeoutSeconds) => update({ timeoutSeconds })}
        hint="How long the task may wait for a person. 0 = no timeout."
      />
      {data.timeoutSeconds > 0 && (
        <Field label="On timeout" htmlFor={onTimeoutId} hint={ON_TIMEOUT_HINT[data.onTimeout]}>
          <select
            id={onTimeoutId}
            value={data.onTimeout}
            onChange={(event) => {
              const onTimeout = ON_TIMEOUT.find((value) => value === event.target.value);
              if (onTimeout) update({ onTimeout });
            }}
            className={SELECT}
          >
            <option value="reject">Reject</option>
            <option value="approve">Approve</option>
            <option value="timeout">Take the timeout branch</option>
          </select>
        </Field>
      )}
      <DurationField
        label="Escalate after"
        seconds={data.escalateAfterSeconds}
        onChange={(escalateAfterSeconds) => update({ escalateAfterSeconds })}
        hint="If the task still waits by then, the role below is notified. 0 = never."
      />
      {data.escalateAfterSeconds > 0 && (
        <Field label="Escalate to" htmlFor={escalateToId}>
          <select
            id={escalateToId}
            value={data.escalateTo}
            onChange={(event) => {
              const escalateTo = ESCALATION_ROLES.find((value) => value === event.target.value);
              if (escalateTo) update({ escalateTo });
            }}
            className={SELECT}
          >
            <option value="operator">Operators and above</option>
            <option value="editor">Editors and above</option>
            <option value="admin">Admins and the owner</option>
            <option value="owner">The owner</option>
          </select>
        </Field>
      )}
      <p className="text-xs text-slate-500">
        Approve continues through the approve output; Reject through the reject output, carrying the content and the reviewer&apos;s
        reason{data.timeoutSeconds > 0 && data.onTimeout === "timeout" ? "; a timeout through the timeout output" : ""}.
      </p>
    </div>
  );
}

const ON_TIMEOUT = ["approve", "reject", "timeout"] as const;
const ESCALATION_ROLES = ["operator", "editor", "admin", "owner"] as const;

const ON_TIMEOUT_HINT: Record<(typeof ON_TIMEOUT)[number], string> = {
  reject: "The task is rejected: the run goes on through the reject output.",
  approve: "The task is approved as it is: the run goes on through the approve output.",
  timeout: "The run goes on through the node's timeout output; connect it to what should happen then.",
};

const DURATION_UNITS = [
  { name: "seconds", seconds: 1 },
  { name: "minutes", seconds: 60 },
  { name: "hours", seconds: 3_600 },
  { name: "days", seconds: 86_400 },
] as const;

/** The schema's limit for the human node's durations (both share it). */
const DURATION_CHECK = checkField("human", "timeoutSeconds");
const MAX_DURATION_DAYS = 30;

/** The largest unit that shows `seconds` as a whole number (0 shows in minutes). */
function durationUnitOf(seconds: number): number {
  if (seconds === 0) return 60;
  const unit = [...DURATION_UNITS].reverse().find((candidate) => seconds % candidate.seconds === 0);
  return unit?.seconds ?? 1;
}

/**
 * A duration stored in seconds, typed as a number and a unit. Like NumberField it keeps what
 * the person types and commits only values the schema accepts (whole seconds, 0 to 30 days).
 */
function DurationField({ label, seconds, onChange, hint }: { label: string; seconds: number; onChange: (seconds: number) => void; hint: string }) {
  const id = useId();
  const [unit, setUnit] = useState(() => durationUnitOf(seconds));
  const [text, setText] = useState(() => String(seconds / durationUnitOf(seconds)));
  const [error, setError] = useState<string | null>(null);
  const [shown, setShown] = useState(seconds);

  // Undo/redo change the value from outside: show it, in the unit that fits it.
  if (shown !== seconds) {
    setShown(seconds);
    if (Number(text) * unit !== seconds) {
      const fitting = durationUnitOf(seconds);
      setUnit(fitting);
      setText(String(seconds / fitting));
    }
    setError(null);
  }

  const commit = (nextText: string, nextUnit: number) => {
    setText(nextText);
    setUnit(nextUnit);
    const amount = nextText.trim() === "" ? Number.NaN : Number(nextText);
    const total = amount * nextUnit;
    const problem = !Number.isFinite(amount)
      ? "Enter a number (0 = none)"
      : !Number.isInteger(total)
        ? "Use whole seconds"
        : total > MAX_DURATION_DAYS * 86_400
          ? `At most ${MAX_DURATION_DAYS} days`
          : DURATION_CHECK(total);
    setError(problem);
    if (problem === null) onChange(total);
  };

  return (
    <Field label={label} hint={hint} error={error} htmlFor={id}>
      <div className="flex gap-2">
        <input
          id={id}
          type="number"
          inputMode="decimal"
          min={0}
          step={1}
          value={text}
          aria-invalid={error !== null}
          onChange={(event) => commit(event.target.value, unit)}
          onBlur={() => {
            // Leaving a wrong value shows the saved one again (as NumberField does).
            if (error) {
              setText(String(seconds / unit));
              setError(null);
            }
          }}
          className={`min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm text-slate-900 shadow-xs focus:border-accent-500 focus:ring-2 focus:ring-accent-500/20 focus:outline-none ${
            error ? "border-red-400" : ""
          }`}
        />
        <select
          aria-label={`${label} unit`}
          value={unit}
          onChange={(event) => commit(text, Number(event.target.value))}
          className="w-28 shrink-0 rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm text-slate-900 shadow-xs focus:border-accent-500 focus:ring-2 focus:ring-accent-500/20 focus:outline-none"
        >
          {DURATION_UNITS.map((option) => (
            <option key={option.name} value={option.seconds}>
              {option.name}
            </option>
          ))}
        </select>
      </div>
    </Field>
  );
}

export function ConditionForm({ nodeId }: { nodeId: string }) {
  const data = useNodeData(nodeId, "condition");
  const update = useUpdateNodeData(nodeId, "condition");
  if (!data) return null;
  return (
    <div className="space-y-4">
      <TextField label="Label" value={data.label} maxLength={120} onChange={(label) => update({ label })} />
      <TextField
        label="Expression"
        value={data.expression}
        maxLength={2_000}
        onChange={(expression) => update({ expression })}
        mono
        hint={EXPRESSION_HINT}
      />
    </div>
  );
}

export function LoopForm({ nodeId }: { nodeId: string }) {
  const data = useNodeData(nodeId, "loop");
  const update = useUpdateNodeData(nodeId, "loop");
  if (!data) return null;
  return (
    <div className="space-y-4">
      <TextField label="Label" value={data.label} maxLength={120} onChange={(label) => update({ label })} />
      <NumberField
        label="Max iterations"
        value={data.maxIterations}
        onChange={(maxIterations) => update({ maxIterations })}
        rules={MAX_ITERATIONS_RULES}
      />
      <TextField
        label="Continue while"
        value={data.whileExpression}
        maxLength={2_000}
        onChange={(whileExpression) => update({ whileExpression })}
        mono
        hint={EXPRESSION_HINT}
      />
    </div>
  );
}

export function OutputForm({ nodeId }: { nodeId: string }) {
  const data = useNodeData(nodeId, "output");
  const update = useUpdateNodeData(nodeId, "output");
  const templateRef = useRef<HTMLTextAreaElement>(null);
  if (!data) return null;
  return (
    <div className="space-y-4">
      <TextField label="Label" value={data.label} maxLength={120} onChange={(label) => update({ label })} />
      <TextAreaField
        label="Template"
        value={data.template}
        maxLength={50_000}
        onChange={(template) => update({ template })}
        rows={5}
        textareaRef={templateRef}
        placeholder="Empty: the output of the node before this one"
        hint={
          <TemplateHints nodeId={nodeId} value={data.template} onChange={(template) => update({ template })} textareaRef={templateRef} />
        }
      />
    </div>
  );
}

export function LabelOnlyForm({ nodeId, kind }: { nodeId: string; kind: "parallel" | "join" }) {
  const parallel = useNodeData(nodeId, "parallel");
  const join = useNodeData(nodeId, "join");
  const updateParallel = useUpdateNodeData(nodeId, "parallel");
  const updateJoin = useUpdateNodeData(nodeId, "join");
  const data = kind === "parallel" ? parallel : join;
  if (!data) return null;
  return (
    <div className="space-y-4">
      <TextField
        label="Label"
        value={data.label}
        maxLength={120}
        onChange={(label) => (kind === "parallel" ? updateParallel({ label }) : updateJoin({ label }))}
      />
    </div>
  );
}
