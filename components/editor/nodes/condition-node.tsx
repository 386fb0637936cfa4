"use client";

import type { NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { AppNodeOf } from "../types";
import { NodeShell } from "./node-shell";

export const ConditionNode = memo(function ConditionNode({ id, data, selected }: NodeProps<AppNodeOf<"condition">>) {
  return (
    <NodeShell
      id={id}
      kind="condition"
      label={data.label}
      selected={selected}
      summary={data.expression ? <code className="font-mono">{data.expression}</code> : <span className="italic">No expression</span>}
    />
  );
});
