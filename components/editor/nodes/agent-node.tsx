"use client";

import type { NodeProps } from "@xyflow/react";
import { memo } from "react";
import { firstLine } from "../node-kinds";
import type { AppNodeOf } from "../types";
import { NodeShell } from "./node-shell";
import { LiveTextOnCard } from "@/components/runs/live-text-view";

export const AgentNode = memo(function AgentNode({ id, data, selected }: NodeProps<AppNodeOf<"agent">>) {
  const tools = data.allowedTools.length;
  return (
    <NodeShell
      id={id}
      kind="agent"
      label={data.label}
      selected={selected}
      meta={`${data.model || "default model"}${tools ? ` · ${tools} tool${tools > 1 ? "s" : ""}` : ""}`}
      summary={firstLine(data.task) || <span className="text-red-600 italic">No task</span>}
    >
      <LiveTextOnCard nodeId={id} />
    </NodeShell>
  );
});
