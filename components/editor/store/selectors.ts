"use client";

import { useCallback } from "react";
import { isTerminalStatus } from "@/server/engine/events";
import type { NodeRunStatus } from "@/server/engine/state";
import { useEditorStore } from "./editor-store-provider";
import type { EditorState } from "./types";

/**
 * Selectors live here, at module level, and return primitives or stable references so a
 * component re-renders only when its own slice changes (React Flow's performance guide).
 */

export const selectNodes = (s: EditorState) => s.nodes;
export const selectEdges = (s: EditorState) => s.edges;
export const selectSelectedNodeId = (s: EditorState) => s.selectedNodeId;
export const selectProblems = (s: EditorState) => s.problems;
export const selectReadOnly = (s: EditorState) => s.readOnly;
export const selectName = (s: EditorState) => s.name;
export const selectIsDirty = (s: EditorState) => s.editCount !== s.savedEditCount;
export const selectSave = (s: EditorState) => s.save;
export const selectCanUndo = (s: EditorState) => s.past.length > 0;
export const selectCanRedo = (s: EditorState) => s.future.length > 0;
export const selectRun = (s: EditorState) => s.run;
export const selectRunId = (s: EditorState) => s.run.runId;
export const selectRunStatus = (s: EditorState) => s.run.state?.status ?? null;
export const selectRunEvents = (s: EditorState) => s.run.events;
/** The shown run has ended; nodes it left running or waiting will not move again. */
export const selectRunEnded = (s: EditorState) => (s.run.state ? isTerminalStatus(s.run.state.status) : false);
export const selectErrorCount = (s: EditorState) => s.problems.filter((p) => p.severity === "error").length;

/** A node's status in the shown run: null when no run is shown, "pending" before the run reaches it. */
export function nodeRunStatusOf(s: EditorState, nodeId: string): NodeRunStatus | null {
  if (!s.run.state) return null;
  return s.run.state.nodes[nodeId]?.status ?? "pending";
}

export function findNode(s: EditorState, nodeId: string | null) {
  if (nodeId === null) return undefined;
  return s.nodes.find((node) => node.id === nodeId);
}

export function useNodeRunStatus(nodeId: string): NodeRunStatus | null {
  return useEditorStore(useCallback((s: EditorState) => nodeRunStatusOf(s, nodeId), [nodeId]));
}

/**
 * A node the run left "running" or "waiting" when it ended (cancelled, failed elsewhere):
 * it will not move again. Only such nodes re-render when the run ends.
 */
export function useNodeStopped(nodeId: string): boolean {
  return useEditorStore(
    useCallback(
      (s: EditorState) => {
        const status = s.run.state?.nodes[nodeId]?.status;
        return selectRunEnded(s) && (status === "running" || status === "waiting");
      },
      [nodeId],
    ),
  );
}

export function useNodeRunError(nodeId: string): string | undefined {
  return useEditorStore(useCallback((s: EditorState) => s.run.state?.nodes[nodeId]?.error, [nodeId]));
}

/** The output a finished branching node took (approve/reject, true/false); null for single-output nodes. */
export function useNodeRunHandle(nodeId: string): string | null {
  return useEditorStore(useCallback((s: EditorState) => s.run.state?.nodes[nodeId]?.handle ?? null, [nodeId]));
}

export function useNodeProblemCounts(nodeId: string): { errors: number; warnings: number } {
  const errors = useEditorStore(useCallback((s: EditorState) => s.problemCounts[nodeId]?.errors ?? 0, [nodeId]));
  const warnings = useEditorStore(useCallback((s: EditorState) => s.problemCounts[nodeId]?.warnings ?? 0, [nodeId]));
  return { errors, warnings };
}

/** Whether the shown run took this edge: its source finished through the edge's handle. */
export function useEdgeTaken(source: string, sourceHandle: string | null | undefined): boolean {
  return useEditorStore(
    useCallback(
      (s: EditorState) => {
        const node = s.run.state?.nodes[source];
        return node?.status === "succeeded" && (node.handle ?? null) === (sourceHandle ?? null);
      },
      [source, sourceHandle],
    ),
  );
}
