"use client";

import { useMutation } from "@tanstack/react-query";
import { NodeToolbar, Position } from "@xyflow/react";
import { useCallback, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import type { Graph } from "@/server/engine/graph";
import { canRetry, retryStartNode } from "@/server/engine/lineage";
import { useEditorStore, useEditorStoreApi } from "@/components/editor/store/editor-store-provider";
import { selectLiveRun } from "@/components/editor/store/selectors";
import type { EditorState } from "@/components/editor/store/types";
import { useCan } from "@/components/session/session-context";
import { errorMessage, useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { UndoIcon } from "@/components/ui/icons";

/**
 * "Retry from <node>": a failed or cancelled run goes on from where it stopped, in place —
 * what succeeded (model replies, tool results) is kept and not paid for again. The page keeps
 * following the same run: `followAfter` tells the stream to open again after the run's end.
 */
export type RunRetry = {
  /** The node the retry continues from (named on the buttons); null when there is nothing to retry. */
  nodeId: string | null;
  nodeLabel: string | null;
  canRetry: boolean;
  retry: () => void;
  pending: boolean;
  error: string | null;
  /** The log's last seq when the retry was accepted: the stream follows the run again from there. */
  followAfter: number | null;
};

/** `childRun`: the run was started by another run (an item, a sub-workflow), which is what is retried. */
export function useRunRetry(runId: string, graph: Graph, childRun = false): RunRetry {
  const trpc = useTRPC();
  const store = useEditorStoreApi();
  const allowed = useCan("run:control") && !childRun;
  // From the live run (not a state shown by time travel): the retry continues the run as it is.
  const { retryable, nodeId, nodeLabel, lastSeq } = useEditorStore(
    useShallow(
      useCallback(
        (s: EditorState) => {
          const state = selectLiveRun(s).state;
          if (!state || !canRetry(state)) return { retryable: false, nodeId: null, nodeLabel: null, lastSeq: 0 };
          const id = retryStartNode(graph, state);
          const label = id === null ? null : (s.nodes.find((node) => node.id === id)?.data.label || id);
          return { retryable: true, nodeId: id, nodeLabel: label, lastSeq: state.lastSeq };
        },
        [graph],
      ),
    ),
  );
  const [followAfter, setFollowAfter] = useState<number | null>(null);
  const mutation = useMutation(trpc.run.retry.mutationOptions());

  // Accepted, and the run's next events are on their way: no second retry meanwhile.
  const awaiting = followAfter !== null && followAfter === lastSeq;

  const retry = () => {
    // The run goes on live: show it as it is, not an earlier state.
    store.getState().viewRunAt(null);
    mutation.mutate({ runId }, { onSuccess: () => setFollowAfter(lastSeq) });
  };

  return {
    nodeId,
    nodeLabel,
    canRetry: allowed && retryable && !awaiting,
    retry,
    pending: mutation.isPending,
    error: mutation.error ? errorMessage(mutation.error) : null,
    followAfter,
  };
}

/** The header's button: "Retry from <node>". */
export function RetryRunButton({ retry }: { retry: RunRetry }) {
  if (!retry.canRetry) return null;
  return (
    <span className="flex items-center gap-2">
      {retry.error && (
        <span role="alert" className="text-xs text-red-600">
          {retry.error}
        </span>
      )}
      <Button size="sm" variant="primary" disabled={retry.pending} onClick={retry.retry}>
        <UndoIcon className="size-3.5" />
        {retry.nodeLabel ? `Retry from ${retry.nodeLabel}` : "Retry run"}
      </Button>
    </span>
  );
}

/** Under the node the retry continues from, on the canvas: the place where the run stopped offers to go on. */
export function RetryNodeToolbar({ retry }: { retry: RunRetry }) {
  if (!retry.canRetry || !retry.nodeId) return null;
  return (
    <NodeToolbar nodeId={retry.nodeId} isVisible position={Position.Bottom} offset={12}>
      <button
        type="button"
        disabled={retry.pending}
        onClick={retry.retry}
        data-testid="canvas-retry"
        className="nodrag nopan flex items-center gap-1.5 rounded-full bg-red-600 px-3 py-1 text-xs font-semibold text-white shadow-md hover:bg-red-700 disabled:opacity-60"
      >
        <UndoIcon className="size-3.5" />
        Retry from here
      </button>
    </NodeToolbar>
  );
}

/** In the node tab, for the node the retry continues from. */
export function RetryFromHere({ retry, nodeId }: { retry: RunRetry; nodeId: string | null }) {
  if (!retry.canRetry || !nodeId || retry.nodeId !== nodeId) return null;
  return (
    <div className="mx-4 mt-3 rounded-md border border-red-200 bg-red-50 p-3 text-xs text-red-900">
      <p>The run stopped here. Retrying continues this run from this node; every step that already succeeded is kept and not paid for again.</p>
      <Button size="sm" variant="danger" className="mt-2" disabled={retry.pending} onClick={retry.retry}>
        <UndoIcon className="size-3.5" />
        Retry from here
      </Button>
    </div>
  );
}
