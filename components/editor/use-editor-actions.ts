"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useRef } from "react";
import { errorMessage, isConflictError, useTRPC } from "@/components/trpc";
import { downloadJson, workflowFileName } from "./download";
import { flowToGraph } from "./graph-convert";
import { useEditorStoreApi } from "./store/editor-store-provider";
import type { EditorState } from "./store/types";

/**
 * Saves the draft with optimistic concurrency (`baseRevision`). Edits made while the
 * request is in flight stay dirty: only the edit count captured at the start is marked saved.
 * Calls during a save wait for it and then save what is still unsaved, so autosave, Ctrl+S,
 * Run and Publish never race each other. Resolves true when nothing is left unsaved.
 */
export function useSaveDraft(): () => Promise<boolean> {
  const store = useEditorStoreApi();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { mutateAsync } = useMutation(trpc.workflow.saveDraft.mutationOptions());
  const inFlight = useRef<Promise<boolean> | null>(null);

  const saveOnce = useCallback(async () => {
    const state = store.getState();
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

  return useCallback(async () => {
    while (inFlight.current) await inFlight.current;
    const state = store.getState();
    // A read-only draft has nothing unsaved (the store refuses every edit) and is never sent:
    // opening a version, exporting or running it goes ahead without a save.
    if (state.readOnly) return true;
    if (state.editCount === state.savedEditCount && state.save.status !== "error") return true;
    const saving = saveOnce();
    inFlight.current = saving;
    try {
      return await saving;
    } finally {
      inFlight.current = null;
    }
  }, [store, saveOnce]);
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

export type ActionResult = { ok: true; message: string } | { ok: false; message: string };

/** Saves what is unsaved, then freezes the saved draft as the next immutable, published version. */
export function usePublish(save: () => Promise<boolean>): () => Promise<ActionResult> {
  const store = useEditorStoreApi();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { mutateAsync } = useMutation(trpc.workflow.publish.mutationOptions());
  return useCallback(async () => {
    if (!(await save())) return { ok: false, message: "Save the draft before publishing (see the message above)." };
    const { workflowId } = store.getState();
    try {
      const published = await mutateAsync({ id: workflowId });
      void queryClient.invalidateQueries(trpc.workflow.versions.queryFilter({ id: workflowId }));
      return { ok: true, message: `Published version ${published.version}` };
    } catch (error) {
      return { ok: false, message: errorMessage(error) };
    }
  }, [store, save, mutateAsync, queryClient, trpc]);
}

/** Saves, then downloads the saved draft as `<name>.agentflow.json` (the server's export format). */
export function useExport(save: () => Promise<boolean>): () => Promise<ActionResult> {
  const store = useEditorStoreApi();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useCallback(async () => {
    if (!(await save())) return { ok: false, message: "Save the draft before exporting (see the message above)." };
    const { workflowId } = store.getState();
    try {
      const file = await queryClient.fetchQuery(trpc.workflow.export.queryOptions({ id: workflowId }, { staleTime: 0 }));
      downloadJson(workflowFileName(file.name), file);
      return { ok: true, message: "Exported" };
    } catch (error) {
      return { ok: false, message: errorMessage(error) };
    }
  }, [store, save, queryClient, trpc]);
}
