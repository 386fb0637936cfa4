"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { errorMessage, isConflictError, useTRPC } from "@/components/trpc";
import { flowToGraph } from "./graph-convert";
import { useEditorStoreApi } from "./store/editor-store-provider";
import type { EditorState } from "./store/types";

/**
 * Saves the draft with optimistic concurrency (`baseRevision`). Edits made while the
 * request is in flight stay dirty: only the edit count captured at the start is marked saved.
 */
export function useSaveDraft(): () => Promise<boolean> {
  const store = useEditorStoreApi();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { mutateAsync } = useMutation(trpc.workflow.saveDraft.mutationOptions());

  return useCallback(async () => {
    const state = store.getState();
    if (state.readOnly || state.save.status === "saving") return false;
    const editCount = state.editCount;
    const graph = flowToGraph(state);
    const name = state.name.trim();
    state.markSaving();
    try {
      const result = await mutateAsync({
        id: state.workflowId,
        graph,
        baseRevision: state.revision,
        name: name === "" ? undefined : name,
      });
      store.getState().markSaved(result.revision, editCount);
      // Keep the cached workflow in step, so reopening the editor does not load the older draft.
      queryClient.setQueryData(trpc.workflow.get.queryKey({ id: state.workflowId }), (old) =>
        old ? { ...old, graph, revision: result.revision, problems: result.problems, name: name || old.name } : old,
      );
      void queryClient.invalidateQueries(trpc.workflow.list.queryFilter());
      return true;
    } catch (error) {
      store.getState().markSaveFailed(errorMessage(error), isConflictError(error));
      return false;
    }
  }, [store, mutateAsync, queryClient, trpc]);
}

function sampleInputOf(state: EditorState): { ok: true; input: unknown } | { ok: false; error: string } {
  const trigger = state.nodes.find((node) => node.type === "trigger");
  if (trigger?.type !== "trigger" || trigger.data.sampleInput.trim() === "") return { ok: true, input: undefined };
  try {
    return { ok: true, input: JSON.parse(trigger.data.sampleInput) };
  } catch {
    return { ok: false, error: "The trigger's sample input is not valid JSON" };
  }
}

/** Saves if needed, starts a run of the saved draft with the trigger's sample input, and shows it on the canvas. */
export function useStartRun(save: () => Promise<boolean>): () => Promise<void> {
  const store = useEditorStoreApi();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { mutateAsync } = useMutation(trpc.run.start.mutationOptions());

  return useCallback(async () => {
    const state = store.getState();
    if (state.launch.status === "starting") return;
    const sample = sampleInputOf(state);
    if (!sample.ok) {
      state.setLaunch({ status: "error", message: sample.error });
      return;
    }
    state.setLaunch({ status: "starting" });
    if (state.editCount !== state.savedEditCount && !(await save())) {
      const saved = store.getState().save;
      store.getState().setLaunch({ status: "error", message: saved.status === "error" ? `Not saved: ${saved.message}` : "Not saved" });
      return;
    }
    try {
      const { runId } = await mutateAsync({ workflowId: state.workflowId, input: sample.input });
      store.getState().showRun(runId);
      store.getState().setLaunch({ status: "idle" });
      void queryClient.invalidateQueries(trpc.run.list.queryFilter());
      void queryClient.invalidateQueries(trpc.workflow.list.queryFilter());
    } catch (error) {
      store.getState().setLaunch({ status: "error", message: errorMessage(error) });
    }
  }, [store, save, mutateAsync, queryClient, trpc]);
}
