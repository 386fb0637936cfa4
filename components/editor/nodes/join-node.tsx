"use client";

import type { NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { AppNodeOf } from "../types";
import { NodeShell } from "./node-shell";

export const JoinNode = memo(function JoinNode({ id, data, selected }: NodeProps<AppNodeOf<"join">>) {
  return <NodeShell id={id} kind="join" label={data.label} selected={selected} summary="Continues when every incoming branch is done" />;
});
