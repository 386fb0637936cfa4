"use client";

import { useCallback } from "react";
import { useShallow } from "zustand/react/shallow";
import { isTerminalStatus } from "@/server/engine/events";
import { COMPENSATE_HANDLE } from "@/server/engine/graph";
import type { NodeRunStatus } from "@/server/engine/state";
import { humanOutcomeOf, type HumanOutcome } from "@/components/human-tasks/outcome";
import { useEditorStore } from "./editor-store-provider";
import type { EditorState } from "./types";

/**
 * Selectors live here, at module level, and return primitives or stable references so a
 * component re-renders only when its own slice changes (React Flow's performance guide).
 */

export const selectSelectedNodeId = (s: EditorState) => s.selectedNodeId;
export const selectProblems = (s: EditorState) => s.problems;
export const selectReadOnly = (s: EditorState) => s.readOnly;
export const selectName = (s: EditorState) => s.name;
export const selectIsDirty = (s: EditorState) => s.editCount !== s.savedEditCount;
export const selectSave = (s: EditorState) => s.save;
export const selectCanUndo = (s: EditorState) => s.past.length > 0;
export const selectCanRedo = (s: EditorState) => s.future.length > 0;
export const selectRun = (s: EditorState) => s.run;
/** The run as it is now, also while the canvas shows an earlier state (time travel). */
export const selectLiveRun = (s: EditorState) => s.timeTravel?.live ?? s.run;
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

/** Who answered the latest task on this node in the shown run, and when; null while it waits or without one. */
export function humanOutcomeOfNode(s: EditorState, nodeId: string): HumanOutcome | null {
  const human = s.run.state?.humans[nodeId];
  return human ? humanOutcomeOf(s.run.events, human) : null;
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

/** Everything a node card shows besides its own data: one subscription per node instead of six. */
export type NodeView = {
  status: NodeRunStatus | null;
  error: string | undefined;
  handle: string | null;
  stopped: boolean;
  errors: number;
  warnings: number;
  /** The shown run has a person's answer on this node (who answered is read only when this is true). */
  answered: boolean;
};

export function nodeViewOf(s: EditorState, nodeId: string): NodeView {
  const runNode = s.run.state?.nodes[nodeId];
  const status = nodeRunStatusOf(s, nodeId);
  const counts = s.problemCounts[nodeId];
  return {
    status,
    error: runNode?.error,
    handle: runNode?.handle ?? null,
    stopped: selectRunEnded(s) && (status === "running" || status === "waiting"),
    errors: counts?.errors ?? 0,
    warnings: counts?.warnings ?? 0,
    answered: s.run.state?.humans[nodeId]?.decision !== undefined,
  };
}

/** The steps that undo another (targets of a "compensate" edge), once per edges array. */
const compensationStepsByEdges = new WeakMap<EditorState["edges"], Set<string>>();

/** Whether the node undoes another step (a saga's compensation): it has no compensation of its own. */
export function isCompensationStep(s: EditorState, nodeId: string): boolean {
  let steps = compensationStepsByEdges.get(s.edges);
  if (!steps) {
    steps = new Set(s.edges.flatMap((edge) => (edge.sourceHandle === COMPENSATE_HANDLE ? [edge.target] : [])));
    compensationStepsByEdges.set(s.edges, steps);
  }
  return steps.has(nodeId);
}

/** Compared field by field, so a node re-renders only when something it shows changed. */
export function useNodeView(nodeId: string): NodeView {
  return useEditorStore(useShallow(useCallback((s: EditorState) => nodeViewOf(s, nodeId), [nodeId])));
}
