"use client";

import { useRef } from "react";
import { useNodeData, useUpdateNodeData } from "../store/node-data";
import { NumberField, TextAreaField, TextField } from "./fields";
import { AgentTools } from "./agent-tools";
import { AgentProviderFields } from "./agent-provider-fields";
import { AgentFallbackFields } from "./agent-fallback-fields";
import { AgentCredentials } from "./credential-fields";
import { TemplateHints } from "./template-hints";
import { numberRules } from "./field-rules";

/** Module level: derived from the schema once, not on every render. */
const TEMPERATURE_RULES = numberRules("agent", "temperature");
const MAX_STEPS_RULES = numberRules("agent", "maxSteps");
const CONTEXT_BUDGET_TOKENS_RULES = numberRules("agent", "contextBudgetTokens");

export function AgentForm({ nodeId }: { nodeId: string }) {
  const data = useNodeData(nodeId, "agent");
  const update = useUpdateNodeData(nodeId, "agent");
  const taskRef = useRef<HTMLTextAreaElement>(null);
  if (!data) return null;

  return (
    <div className="space-y-4">
      <TextField label="Label" value={data.label} maxLength={120} onChange={(label) => update({ label })} />
      <AgentProviderFields provider={data.provider} model={data.model} onChange={update} />
      <AgentFallbackFields fallbacks={data.fallbacks} fallbackAfterSeconds={data.fallbackAfterSeconds} onChange={update} />
      <TextAreaField
        label="System prompt"
        value={data.systemPrompt}
        maxLength={50_000}
        onChange={(systemPrompt) => update({ systemPrompt })}
        rows={4}
        error={data.systemPrompt.trim() === "" ? "The system prompt is empty" : null}
      />
      <TextAreaField
        label="Task"
        value={data.task}
        maxLength={50_000}
        onChange={(task) => update({ task })}
        rows={5}
        textareaRef={taskRef}
        error={data.task.trim() === "" ? "The task is empty" : null}
        hint={<TemplateHints nodeId={nodeId} value={data.task} onChange={(task) => update({ task })} textareaRef={taskRef} />}
      />
      <div className="grid grid-cols-2 gap-3">
        <NumberField
          label="Temperature"
          value={data.temperature}
          onChange={(temperature) => update({ temperature })}
          rules={TEMPERATURE_RULES}
          step={0.1}
        />
        <NumberField
          label="Max steps"
          value={data.maxSteps}
          onChange={(maxSteps) => update({ maxSteps })}
          rules={MAX_STEPS_RULES}
        />
      </div>
      <NumberField
        label="Context budget (tokens)"
        value={data.contextBudgetTokens}
        onChange={(contextBudgetTokens) => update({ contextBudgetTokens })}
        rules={CONTEXT_BUDGET_TOKENS_RULES}
        step={1000}
      />
      <AgentTools nodeId={nodeId} allowed={data.allowedTools} autoApprove={data.autoApproveTools} />
      <AgentCredentials nodeId={nodeId} selected={data.credentials} />
    </div>
  );
}
