"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ReactFlowProvider } from "@xyflow/react";
import Link from "next/link";
import { Suspense, use, useCallback, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from "react";
import { decodeOutput } from "@/lib/wire";
import { isTerminalStatus } from "@/server/engine/events";
import { useRunStream } from "@/components/runs/use-run-stream";
import { useCan } from "@/components/session/session-context";
import { errorMessage, useTRPC, useTRPCClient, type RouterOutputs } from "@/components/trpc";
import { XIcon } from "@/components/ui/icons";
import { Canvas } from "./canvas";
import { EditorHeader, SaveProblemBanner } from "./editor-header";
import { LeaveGuard } from "./leave-guard";
import { CollapsedRail, PanelToggle, SidePanel, usePanelOpen } from "./side-panel";
import { graphToFlow } from "./graph-convert";
import { Inspector } from "./inspector/inspector";
import { Palette } from "./palette";
import { ProblemsPanel } from "./problems-panel";
import { RunPanel } from "./run-panel";
import { EditorStoreProvider, useEditorStore, useEditorStoreApi } from "./store/editor-store-provider";
import { selectErrorCount, selectReadOnly } from "./store/selectors";
import type { EditorState } from "./store/types";
import { TriggerPanel } from "./trigger-panel";
import { useAutosave } from "./use-autosave";
import { useExport, usePublish, useSaveDraft, useStartRun, type ActionResult } from "./use-editor-actions";
import { useEditorShortcuts } from "./use-editor-shortcuts";
import { VersionView } from "./version-view";
import { VersionsPanel } from "./versions-panel";
import { RunHistory } from "./run-history";

type Workflow = RouterOutputs["workflow"]["get"];

const subscribeToNothing = () => () => undefined;

/**
 * Loads a workflow and mounts one editor for it. `preloaded` is `workflow.get`'s answer as the
 * server streamed it with the page (wire-encoded JSON text; null when the server could not
 * load it, and then the editor asks the API as it would without it).
 */
export function WorkflowEditor({ workflowId, preloaded }: { workflowId: string; preloaded?: Promise<string | null> }) {
  // The editor renders in the browser only (it reads the window: panel state, canvas size):
  // the server's HTML and the hydrating render show the loading message, then the editor mounts.
  const inBrowser = useSyncExternalStore(subscribeToNothing, () => true, () => false);
  const loading = <CenteredMessage>Loading workflow…</CenteredMessage>;
  if (!inBrowser) return loading;
  return (
    <Suspense fallback={loading}>
      <LoadedWorkflowEditor workflowId={workflowId} preloaded={preloaded} />
    </Suspense>
  );
}

function decodePreloaded(text: string | null): Workflow | undefined {
  return text === null ? undefined : (decodeOutput(JSON.parse(text)) as Workflow);
}

/** Mounts one editor (store + React Flow instance) for the loaded workflow. */
function LoadedWorkflowEditor({ workflowId, preloaded }: { workflowId: string; preloaded?: Promise<string | null> }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const preloadedText = preloaded ? use(preloaded) : null;
  const initialData = useMemo(() => decodePreloaded(preloadedText), [preloadedText]);
  // The editor owns the draft once loaded: background refetches must not replace it. The
  // preloaded answer fills the cache only when it is empty, as a fetch on mount would have.
  const workflow = useQuery(trpc.workflow.get.queryOptions({ id: workflowId }, { refetchOnWindowFocus: false, initialData }));
  // Bumped to remount the editor on the server's latest version (after a save conflict).
  const [generation, setGeneration] = useState(0);
  // A version shown read-only instead of the draft.
  const [versionId, setVersionId] = useState<string | null>(null);
  // Without it the draft opens read-only: the store then refuses every edit (see GraphSlice.readOnly).
  const canEdit = useCan("workflow:edit");

  const reload = useCallback(async () => {
    await queryClient.invalidateQueries(trpc.workflow.get.queryFilter({ id: workflowId }));
    setGeneration((n) => n + 1);
  }, [queryClient, trpc, workflowId]);

  if (workflow.isPending) return <CenteredMessage>Loading workflow…</CenteredMessage>;
  if (workflow.isError) {
    return (
      <CenteredMessage>
        <p className="text-red-700">{errorMessage(workflow.error)}</p>
        <Link href="/workflows" className="mt-2 inline-block text-accent-700 hover:underline">
          Back to workflows
        </Link>
      </CenteredMessage>
    );
  }

  const data = workflow.data;
  if (versionId) {
    return (
      <VersionView
        workflowId={workflowId}
        workflowName={data.name}
        versionId={versionId}
        onOpen={setVersionId}
        onClose={() => setVersionId(null)}
        onRestored={async () => {
          await reload();
          setVersionId(null);
        }}
      />
    );
  }
  return (
    <ReactFlowProvider key={`${workflowId}:${generation}`}>
      <EditorStoreProvider
        init={() => ({
          workflowId,
          name: data.name,
          ...graphToFlow(data.graph),
          problems: data.problems,
          revision: data.revision,
          readOnly: !canEdit,
          services: { respondToHuman: (input) => client.human.respond.mutate(input) },
        })}
      >
        <EditorLayout workflow={data} onReload={reload} onOpenVersion={setVersionId} />
      </EditorStoreProvider>
    </ReactFlowProvider>
  );
}

const selectRunStreaming = (s: EditorState) => (s.run.state && !isTerminalStatus(s.run.state.status) ? s.run.runId : null);

function EditorLayout({
  workflow,
  onReload,
  onOpenVersion,
}: {
  workflow: Workflow;
  onReload: () => Promise<void>;
  onOpenVersion: (versionId: string) => void;
}) {
  const store = useEditorStoreApi();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const save = useSaveDraft();
  const startRun = useStartRun(save);
  const publish = usePublish(save);
  const exportFile = useExport(save);
  useEditorShortcuts(save);
  useAutosave(save);
  const readOnly = useEditorStore(selectReadOnly);
  const streamingRunId = useEditorStore(selectRunStreaming);
  const stream = useRunStream(streamingRunId, streamingRunId !== null);
  const [busy, setBusy] = useState<"publish" | "export" | null>(null);
  const [notice, setNotice] = useState<ActionResult | null>(null);
  const [paletteOpen, setPaletteOpen] = usePanelOpen("palette");
  const leftTitle = readOnly ? "Problems" : "Palette";

  const overwrite = async () => {
    const latest = await queryClient.fetchQuery(trpc.workflow.get.queryOptions({ id: workflow.id }, { staleTime: 0 }));
    store.getState().rebase(latest.revision);
    await save();
  };

  const runAction = async (kind: "publish" | "export", action: () => Promise<ActionResult>) => {
    setBusy(kind);
    setNotice(null);
    const result = await action();
    setBusy(null);
    // A finished export needs no message: the download is the confirmation.
    if (!(result.ok && kind === "export")) setNotice(result);
  };

  // The draft view unmounts while a version is shown; save first so nothing is lost.
  const openVersion = async (versionId: string) => {
    if (await save()) onOpenVersion(versionId);
  };

  return (
    <div className="flex h-full min-h-0 flex-col">
      <EditorHeader
        onSave={() => void save()}
        onRun={() => void startRun()}
        onPublish={(note) => void runAction("publish", () => publish(note))}
        onExport={() => void runAction("export", exportFile)}
        busy={busy}
      />
      <SaveProblemBanner onReload={() => void onReload()} onOverwrite={() => void overwrite()} />
      {notice && <Notice result={notice} onClose={() => setNotice(null)} />}
      <LeaveGuard save={save} />
      <div className="flex min-h-0 flex-1">
        {paletteOpen ? (
          <aside aria-label={leftTitle} data-panel="palette" className="relative flex w-52 shrink-0 flex-col border-r border-slate-200 bg-slate-50/80 xl:w-60">
            <div className="absolute top-2.5 right-1.5 z-10">
              <PanelToggle panel="palette" open onToggle={() => setPaletteOpen(false)} side="left" title={leftTitle} />
            </div>
            {readOnly ? (
              <div className="flex min-h-0 flex-1 flex-col pt-10">
                <ProblemsPanel />
              </div>
            ) : (
              <>
                <div className="flex min-h-0 flex-1 flex-col pr-7">
                  <Palette />
                </div>
                <div className="flex max-h-[45%] min-h-0 flex-col">
                  <ProblemsPanel />
                </div>
              </>
            )}
          </aside>
        ) : (
          <CollapsedRail panel="palette" side="left" title={leftTitle} onOpen={() => setPaletteOpen(true)} />
        )}
        {/* The run panel sits under the canvas, not over it: the graph keeps all of its area in view, even at 1024 px. */}
        <main className="flex min-w-0 flex-1 flex-col" aria-label="Canvas">
          <div className="relative min-h-0 flex-1">
            <Canvas />
          </div>
          <RunPanel stream={stream} />
        </main>
        <SidePanel
          tabs={[
            { id: "inspector", label: "Inspector", content: () => <Inspector /> },
            { id: "versions", label: "Versions", content: () => <VersionsPanel workflowId={workflow.id} onOpen={(id) => void openVersion(id)} /> },
            { id: "runs", label: "Runs", content: () => <RunHistory workflowId={workflow.id} /> },
            { id: "trigger", label: "Trigger", content: () => <TriggerPanel workflowId={workflow.id} /> },
          ]}
        />
      </div>
    </div>
  );
}

function Notice({ result, onClose }: { result: ActionResult; onClose: () => void }) {
  // "Fix 2 problems before publishing" goes as soon as the problems are fixed: never stale feedback.
  const graphErrors = useEditorStore(selectErrorCount);
  const fixed = !result.ok && result.problems === true && graphErrors === 0;
  useEffect(() => {
    if (fixed) onClose();
  }, [fixed, onClose]);
  if (fixed) return null;
  return (
    <div
      role={result.ok ? "status" : "alert"}
      data-testid="editor-notice"
      className={`flex items-center gap-3 border-b px-4 py-2 text-sm ${
        result.ok ? "border-emerald-200 bg-emerald-50 text-emerald-800" : "border-red-200 bg-red-50 text-red-800"
      }`}
    >
      <span className="min-w-0 flex-1">{result.message}</span>
      <button type="button" onClick={onClose} aria-label="Dismiss" className="rounded p-1 opacity-70 hover:bg-white/60 hover:opacity-100">
        <XIcon className="size-4" />
      </button>
    </div>
  );
}

function CenteredMessage({ children }: { children: ReactNode }) {
  return <div className="grid flex-1 place-items-center p-8 text-center text-sm text-slate-500">{children}</div>;
}
