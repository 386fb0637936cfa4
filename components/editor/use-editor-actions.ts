"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useRef } from "react";
import { runInputFieldOfPath } from "@/server/engine/run-input";
import { errorMessage, errorPath, isConflictError, useTRPC } from "@/components/trpc";
import { downloadJson, workflowFileName } from "./download";
import { flowToGraph } from "./graph-convert";
import { useEditorStoreApi } from "./store/editor-store-provider";

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

/**
 * Run: saves what is unsaved (runs use the saved draft, so the form asks for the fields the
 * server will check), then opens the Run form. The form starts the run with `useLaunchRun`.
 */
export function useStartRun(save: () => Promise<boolean>): () => Promise<void> {
  const store = useEditorStoreApi();
  return useCallback(async () => {
    const status = store.getState().launch.status;
    if (status === "asking" || status === "starting") return;
    if (!(await save())) {
      const saved = store.getState().save;
      store.getState().setLaunch({ status: "error", message: saved.status === "error" ? `Not saved: ${saved.message}` : "Not saved" });
      return;
    }
    // The server would refuse the run for these: say so at once (the run panel lists them
    // while they last) instead of asking for input first.
    if (store.getState().problems.some((problem) => problem.severity === "error")) {
      store.getState().setLaunch({ status: "error", message: "The workflow has problems to fix before it can run", problems: true });
      return;
    }
    store.getState().setLaunch({ status: "asking" });
  }, [store, save]);
}

/** Why a run did not start; `field` names the input field the server refused ("" = the input as a whole). */
export type LaunchResult = { ok: true } | { ok: false; message: string; field: string | null };

/** Starts a run of the saved draft with the Run form's input and shows it on the canvas. */
export function useLaunchRun(): (input: unknown) => Promise<LaunchResult> {
  const store = useEditorStoreApi();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { mutateAsync } = useMutation(trpc.run.start.mutationOptions());

  return useCallback(
    async (input: unknown) => {
      const state = store.getState();
      if (state.launch.status !== "asking") return { ok: false, message: "A run is already starting", field: null };
      // The form is modal, so nothing is edited while it is open; this only guards that promise.
      if (state.editCount !== state.savedEditCount) {
        return { ok: false, message: "The workflow changed after Run was pressed: close this form and press Run again", field: null };
      }
      state.setLaunch({ status: "starting" });
      try {
        const { runId } = await mutateAsync({ workflowId: state.workflowId, input });
        store.getState().showRun(runId);
        store.getState().setLaunch({ status: "idle" });
        void queryClient.invalidateQueries(trpc.run.list.pathFilter());
        void queryClient.invalidateQueries(trpc.workflow.list.queryFilter());
        void queryClient.invalidateQueries(trpc.workflow.lastRunInput.queryFilter({ workflowId: state.workflowId }));
        return { ok: true };
      } catch (error) {
        store.getState().setLaunch({ status: "asking" });
        return { ok: false, message: errorMessage(error), field: runInputFieldOfPath(errorPath(error)) };
      }
    },
    [store, mutateAsync, queryClient, trpc],
  );
}

/** `problems`: refused for the graph's problems, so the message is stale once validation has none. */
export type ActionResult = { ok: true; message: string } | { ok: false; message: string; problems?: boolean };

/** Saves what is unsaved, then freezes the saved draft as the next immutable, published version (with an optional note). */
export function usePublish(save: () => Promise<boolean>): (note?: string) => Promise<ActionResult> {
  const store = useEditorStoreApi();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { mutateAsync } = useMutation(trpc.workflow.publish.mutationOptions());
  return useCallback(async (note?: string) => {
    if (!(await save())) return { ok: false, message: "Save the draft before publishing (see the message above)." };
    const { workflowId } = store.getState();
    try {
      const published = await mutateAsync({ id: workflowId, ...(note ? { note } : {}) });
      void queryClient.invalidateQueries(trpc.workflow.versions.queryFilter({ id: workflowId }));
      void queryClient.invalidateQueries(trpc.workflow.releaseState.queryFilter({ id: workflowId }));
      return { ok: true, message: `Published version ${published.version}` };
    } catch (error) {
      return { ok: false, message: errorMessage(error), problems: errorPath(error) === "graph" };
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
