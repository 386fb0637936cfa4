"use client";

import type { NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { AppNodeOf } from "../types";
import { NodeShell } from "./node-shell";

export const ParallelNode = memo(function ParallelNode({ id, data, selected }: NodeProps<AppNodeOf<"parallel">>) {
  return <NodeShell id={id} kind="parallel" label={data.label} selected={selected} summary="Starts every outgoing branch at once" />;
});
