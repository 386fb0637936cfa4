"use client";

import type { NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { AppNodeOf } from "../types";
import { NodeShell } from "./node-shell";

export const LoopNode = memo(function LoopNode({ id, data, selected }: NodeProps<AppNodeOf<"loop">>) {
  const times = `Up to ${data.maxIterations} iteration${data.maxIterations > 1 ? "s" : ""}`;
  return (
    <NodeShell
      id={id}
      kind="loop"
      label={data.label}
      selected={selected}
      summary={data.whileExpression ? `${times} while ${data.whileExpression}` : times}
    />
  );
});
