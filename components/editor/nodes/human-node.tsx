"use client";

import type { NodeProps } from "@xyflow/react";
import { memo } from "react";
import { firstLine } from "../node-kinds";
import type { AppNodeOf } from "../types";
import { NodeShell } from "./node-shell";

/** The Approve/Reject buttons appear through NodeShell while the run waits here. */
export const HumanNode = memo(function HumanNode({ id, data, selected }: NodeProps<AppNodeOf<"human">>) {
  return <NodeShell id={id} kind="human" label={data.label} selected={selected} summary={firstLine(data.message)} />;
});
