"use client";

import type { NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { AppNodeOf } from "../types";
import type { InputField } from "@/server/engine/graph";
import { NodeShell } from "./node-shell";

/**
 * Names what `{{input.x}}` can refer to: the declared input fields (required ones starred), or
 * else the keys of the sample.
 */
function inputSummary(fields: readonly InputField[], sample: string): string {
  if (fields.length > 0) return `Input: ${fields.map((field) => `${field.name}${field.required ? "*" : ""}`).join(", ")}`;
  if (sample.trim() === "") return "Input: any JSON";
  try {
    const parsed: unknown = JSON.parse(sample);
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
      const keys = Object.keys(parsed);
      return keys.length ? `Input: ${keys.join(", ")}` : "Input: {}";
    }
    return "Input: JSON value";
  } catch {
    return "Sample input is not valid JSON";
  }
}

export const TriggerNode = memo(function TriggerNode({ id, data, selected }: NodeProps<AppNodeOf<"trigger">>) {
  return <NodeShell id={id} kind="trigger" label={data.label} selected={selected} meta="Manual or REST" summary={inputSummary(data.inputFields, data.sampleInput)} />;
});
