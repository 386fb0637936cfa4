"use client";

import type { NodeProps } from "@xyflow/react";
import { memo, useCallback } from "react";
import { firstLine } from "../node-kinds";
import { useEditorStore } from "../store/editor-store-provider";
import type { EditorState } from "../store/types";
import type { AppNodeOf } from "../types";
import { NodeShell } from "./node-shell";

const WITH_TIMEOUT = ["approve", "reject", "timeout"] as const;
const WITHOUT_TIMEOUT = ["approve", "reject"] as const;

/**
 * The Approve/Reject buttons appear through NodeShell while the run waits here. The "timeout"
 * output shows only when a timeout takes it — or while an edge still leaves from it, so that
 * edge stays visible (and deletable) after the setting changed.
 */
export const HumanNode = memo(function HumanNode({ id, data, selected }: NodeProps<AppNodeOf<"human">>) {
  const timeoutEdge = useEditorStore(
    useCallback((s: EditorState) => s.edges.some((edge) => edge.source === id && edge.sourceHandle === "timeout"), [id]),
  );
  const takesTimeout = data.timeoutSeconds > 0 && data.onTimeout === "timeout";
  return (
    <NodeShell
      id={id}
      kind="human"
      label={data.label}
      selected={selected}
      summary={firstLine(data.message)}
      sourcePorts={takesTimeout || timeoutEdge ? WITH_TIMEOUT : WITHOUT_TIMEOUT}
    />
  );
});
