"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ReactFlowProvider } from "@xyflow/react";
import Link from "next/link";
import { useCallback, useState, type ReactNode } from "react";
import { isTerminalStatus } from "@/server/engine/events";
import { useRunStream } from "@/components/runs/use-run-stream";
import { errorMessage, useTRPC, useTRPCClient, type RouterOutputs } from "@/components/trpc";
import { Canvas } from "./canvas";
import { EditorHeader, SaveProblemBanner } from "./editor-header";
import { graphToFlow } from "./graph-convert";
import { Inspector } from "./inspector/inspector";
import { Palette } from "./palette";
import { ProblemsPanel } from "./problems-panel";
import { RunPanel } from "./run-panel";
import { EditorStoreProvider, useEditorStore, useEditorStoreApi } from "./store/editor-store-provider";
import { selectSelectedNodeId } from "./store/selectors";
import type { EditorState } from "./store/types";
import { TriggerPanel } from "./trigger-panel";
import { useSaveDraft, useStartRun } from "./use-editor-actions";
import { useEditorShortcuts } from "./use-editor-shortcuts";

type Workflow = RouterOutputs["workflow"]["get"];

/** Loads a workflow and mounts one editor (store + React Flow instance) for it. */
export function WorkflowEditor({ workflowId }: { workflowId: string }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  // The editor owns the draft once loaded: background refetches must not replace it.
  const workflow = useQuery(trpc.workflow.get.queryOptions({ id: workflowId }, { refetchOnWindowFocus: false }));
  // Bumped to remount the editor on the server's latest version (after a save conflict).
  const [generation, setGeneration] = useState(0);

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
  return (
    <ReactFlowProvider key={`${workflowId}:${generation}`}>
      <EditorStoreProvider
        init={() => ({
          workflowId,
          name: data.name,
          ...graphToFlow(data.graph),
          revision: data.revision,
          readOnly: false,
          services: { respondToHuman: (input) => client.human.respond.mutate(input) },
        })}
      >
        <EditorLayout workflow={data} onReload={reload} />
      </EditorStoreProvider>
    </ReactFlowProvider>
  );
}

const selectRunStreaming = (s: EditorState) => (s.run.state && !isTerminalStatus(s.run.state.status) ? s.run.runId : null);

function EditorLayout({ workflow, onReload }: { workflow: Workflow; onReload: () => Promise<void> }) {
  const store = useEditorStoreApi();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const save = useSaveDraft();
  const startRun = useStartRun(save);
  useEditorShortcuts(save);
  const streamingRunId = useEditorStore(selectRunStreaming);
  const stream = useRunStream(streamingRunId, streamingRunId !== null);

  const overwrite = async () => {
    const latest = await queryClient.fetchQuery(trpc.workflow.get.queryOptions({ id: workflow.id }, { staleTime: 0 }));
    store.getState().rebase(latest.revision);
    await save();
  };

  return (
    <div className="flex h-full min-h-0 flex-col">
      <EditorHeader onSave={() => void save()} onRun={() => void startRun()} />
      <SaveProblemBanner onReload={() => void onReload()} onOverwrite={() => void overwrite()} />
      <div className="flex min-h-0 flex-1">
        <aside className="flex w-60 shrink-0 flex-col border-r border-slate-200 bg-slate-50/80">
          <div className="flex min-h-0 flex-1 flex-col">
            <Palette />
          </div>
          <div className="flex max-h-[45%] min-h-0 flex-col">
            <ProblemsPanel />
          </div>
        </aside>
        <main className="relative min-w-0 flex-1" aria-label="Canvas">
          <Canvas />
          <RunPanel stream={stream} />
        </main>
        <SidePanel workflowId={workflow.id} />
      </div>
    </div>
  );
}

type Tab = "inspector" | "trigger";

function SidePanel({ workflowId }: { workflowId: string }) {
  const [tab, setTab] = useState<Tab>("inspector");
  const selectedNodeId = useEditorStore(selectSelectedNodeId);
  const [lastSelected, setLastSelected] = useState(selectedNodeId);
  // Selecting a node is a request to edit it: bring the inspector forward.
  if (selectedNodeId !== lastSelected) {
    setLastSelected(selectedNodeId);
    if (selectedNodeId !== null) setTab("inspector");
  }

  return (
    <aside className="flex w-80 shrink-0 flex-col border-l border-slate-200 bg-white">
      <div role="tablist" aria-label="Side panel" className="flex shrink-0 gap-1 border-b border-slate-200 px-2">
        <TabButton active={tab === "inspector"} onClick={() => setTab("inspector")}>
          Inspector
        </TabButton>
        <TabButton active={tab === "trigger"} onClick={() => setTab("trigger")}>
          Trigger API
        </TabButton>
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto" role="tabpanel">
        {tab === "inspector" ? <Inspector /> : <TriggerPanel workflowId={workflowId} />}
      </div>
    </aside>
  );
}

function TabButton({ active, onClick, children }: { active: boolean; onClick: () => void; children: string }) {
  return (
    <button
      type="button"
      role="tab"
      aria-selected={active}
      onClick={onClick}
      className={`-mb-px border-b-2 px-2.5 py-2.5 text-sm font-medium ${
        active ? "border-accent-600 text-slate-900" : "border-transparent text-slate-500 hover:text-slate-800"
      }`}
    >
      {children}
    </button>
  );
}

function CenteredMessage({ children }: { children: ReactNode }) {
  return <div className="grid flex-1 place-items-center p-8 text-center text-sm text-slate-500">{children}</div>;
}
