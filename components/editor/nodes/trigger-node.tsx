"use client";

import type { NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { AppNodeOf } from "../types";
import { NodeShell } from "./node-shell";

/** Names the input fields of the sample so the builder sees what `{{input.x}}` can refer to. */
function sampleSummary(sample: string): string {
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
  return <NodeShell id={id} kind="trigger" label={data.label} selected={selected} meta="Manual or REST" summary={sampleSummary(data.sampleInput)} />;
});
