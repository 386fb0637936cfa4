"use client";

import type { NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { AppNodeOf } from "../types";
import { NodeShell } from "./node-shell";

export const ToolNode = memo(function ToolNode({ id, data, selected }: NodeProps<AppNodeOf<"tool">>) {
  return (
    <NodeShell
      id={id}
      kind="tool"
      label={data.label}
      selected={selected}
      summary={data.tool ? <code className="font-mono">{data.tool}</code> : <span className="italic">No tool chosen</span>}
    />
  );
});
