"use client";

import { useRef } from "react";
import { useNodeData, useUpdateNodeData } from "../store/node-data";
import { NumberField, TextAreaField, TextField } from "./fields";
import { AgentTools } from "./agent-tools";
import { TemplateHints } from "./template-hints";

export function AgentForm({ nodeId }: { nodeId: string }) {
  const data = useNodeData(nodeId, "agent");
  const update = useUpdateNodeData(nodeId, "agent");
  const taskRef = useRef<HTMLTextAreaElement>(null);
  if (!data) return null;

  return (
    <div className="space-y-4">
      <TextField label="Label" value={data.label} maxLength={120} onChange={(label) => update({ label })} />
      <div className="grid grid-cols-2 gap-3">
        <TextField label="Provider" value={data.provider} maxLength={60} onChange={(provider) => update({ provider })} placeholder="default" />
        <TextField label="Model" value={data.model} maxLength={200} onChange={(model) => update({ model })} placeholder="provider default" />
      </div>
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
          min={0}
          max={2}
          step={0.1}
        />
        <NumberField
          label="Max steps"
          value={data.maxSteps}
          onChange={(maxSteps) => update({ maxSteps })}
          min={1}
          max={100}
          integer
        />
      </div>
      <NumberField
        label="Context budget (tokens)"
        value={data.contextBudgetTokens}
        onChange={(contextBudgetTokens) => update({ contextBudgetTokens })}
        min={256}
        max={2_000_000}
        step={1000}
        integer
      />
      <AgentTools nodeId={nodeId} allowed={data.allowedTools} autoApprove={data.autoApproveTools} />
    </div>
  );
}
