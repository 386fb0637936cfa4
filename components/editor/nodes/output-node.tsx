"use client";

import type { NodeProps } from "@xyflow/react";
import { memo } from "react";
import { firstLine } from "../node-kinds";
import type { AppNodeOf } from "../types";
import { NodeShell } from "./node-shell";

export const OutputNode = memo(function OutputNode({ id, data, selected }: NodeProps<AppNodeOf<"output">>) {
  return (
    <NodeShell
      id={id}
      kind="output"
      label={data.label}
      selected={selected}
      summary={firstLine(data.template) || <span className="italic">Output of the previous node</span>}
    />
  );
});
