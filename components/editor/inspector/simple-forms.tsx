"use client";

import { useId, useRef } from "react";
import { toolCatalogEntry, toolJsonSchema, TOOL_NAMES } from "@/server/engine/tools/catalog";
import { useNodeData, useUpdateNodeData } from "../store/node-data";
import { Field, jsonError, NumberField, SELECT, TextAreaField, TextField } from "./fields";
import { TemplateHints } from "./template-hints";
import { numberRules } from "./field-rules";
import { HttpCredentialPicker } from "./credential-fields";

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
      <TextAreaField
        label="Sample input (JSON)"
        value={data.sampleInput}
        maxLength={20_000}
        onChange={(sampleInput) => update({ sampleInput })}
        rows={8}
        mono
        spellCheck={false}
        error={jsonError(data.sampleInput)}
        hint={
          <>
            Used when you press Run. Templates read it as <code className="font-mono">{"{{input.<field>}}"}</code>.
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
        error={data.message.trim() === "" ? "The message is empty" : null}
        hint="Approve continues through the approve output; Reject through the reject output."
      />
    </div>
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
