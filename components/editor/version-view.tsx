"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ReactFlowProvider } from "@xyflow/react";
import Link from "next/link";
import { useState } from "react";
import { useCan } from "@/components/session/session-context";
import { errorMessage, isConflictError, useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { formatDateTime } from "@/components/ui/format";
import { Canvas } from "./canvas";
import { graphToFlow } from "./graph-convert";
import { Inspector } from "./inspector/inspector";
import { SidePanel } from "./side-panel";
import { EditorStoreProvider } from "./store/editor-store-provider";
import { VersionsPanel } from "./versions-panel";

/** Read-only services: a version on display never answers a human task. */
const NO_SERVICES = { respondToHuman: () => Promise.reject(new Error("A version is read-only")) };

/**
 * One immutable version on the canvas, read-only (same canvas and inspector, every edit
 * refused by the store), with "Restore into draft" which copies it over the draft (editors only).
 */
export function VersionView({
  workflowId,
  workflowName,
  versionId,
  onOpen,
  onClose,
  onRestored,
}: {
  workflowId: string;
  workflowName: string;
  versionId: string;
  onOpen: (versionId: string) => void;
  onClose: () => void;
  onRestored: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const version = useQuery(trpc.workflow.version.queryOptions({ versionId }, { staleTime: Infinity }));
  const restore = useMutation(trpc.workflow.restoreVersion.mutationOptions());
  const [problem, setProblem] = useState<{ message: string; conflict: boolean } | null>(null);
  // Restoring replaces the draft: an edit.
  const canRestore = useCan("workflow:edit");

  const restoreIntoDraft = async (useLatestRevision: boolean) => {
    setProblem(null);
    try {
      // The draft's revision as this tab last saved it; a newer save elsewhere is a conflict to show, not to overwrite.
      const draft = await queryClient.fetchQuery(
        trpc.workflow.get.queryOptions({ id: workflowId }, { staleTime: useLatestRevision ? 0 : Infinity }),
      );
      await restore.mutateAsync({ id: workflowId, versionId, baseRevision: draft.revision });
      await queryClient.invalidateQueries(trpc.workflow.versions.queryFilter({ id: workflowId }));
      await onRestored();
    } catch (error) {
      setProblem({ message: errorMessage(error), conflict: isConflictError(error) });
    }
  };

  return (
    <div className="flex h-full min-h-0 flex-col" data-testid="version-view">
      <div className="flex h-14 shrink-0 items-center gap-3 border-b border-slate-200 bg-white px-4">
        <nav aria-label="Breadcrumb" className="flex min-w-0 flex-1 items-center gap-2 text-sm">
          <Link href="/workflows" className="shrink-0 text-slate-500 hover:text-slate-900">
            Workflows
          </Link>
          <span aria-hidden="true" className="text-slate-300">/</span>
          <button type="button" onClick={onClose} className="truncate text-slate-500 hover:text-slate-900">
            {workflowName}
          </button>
          <span aria-hidden="true" className="text-slate-300">/</span>
          <span className="shrink-0 font-semibold text-slate-900">
            Version {version.data?.version ?? "…"}
          </span>
          <span className="shrink-0 rounded-full bg-slate-100 px-2 py-0.5 text-[11px] font-medium text-slate-600" data-testid="read-only-badge">
            Read-only
          </span>
          {version.data?.publishedAt && (
            <span className="truncate text-xs text-slate-500" title={version.data.note ?? undefined}>
              published {formatDateTime(version.data.publishedAt)}
              {version.data.note ? ` — “${version.data.note}”` : ""}
            </span>
          )}
        </nav>
        <Button onClick={onClose}>Back to draft</Button>
        {canRestore && (
          <Button variant="primary" onClick={() => void restoreIntoDraft(false)} disabled={!version.data || restore.isPending}>
            {restore.isPending ? "Restoring…" : "Restore into draft"}
          </Button>
        )}
      </div>
      {problem && (
        <div role="alert" className="flex items-center gap-3 border-b border-red-200 bg-red-50 px-4 py-2 text-sm text-red-800">
          <span className="min-w-0 flex-1">
            {problem.conflict ? "The draft was saved elsewhere since you opened this page; restoring would replace that save too." : problem.message}
          </span>
          {problem.conflict && (
            <Button size="sm" variant="danger" onClick={() => void restoreIntoDraft(true)}>
              Restore anyway
            </Button>
          )}
        </div>
      )}
      {version.isPending ? (
        <p className="grid flex-1 place-items-center text-sm text-slate-500">Loading version…</p>
      ) : version.isError ? (
        <p className="grid flex-1 place-items-center text-sm text-red-700">{errorMessage(version.error)}</p>
      ) : (
        <ReactFlowProvider key={versionId}>
          <EditorStoreProvider
            init={() => ({
              workflowId,
              name: workflowName,
              ...graphToFlow(version.data.graph),
              revision: 0,
              readOnly: true,
              services: NO_SERVICES,
            })}
          >
            <div className="flex min-h-0 flex-1">
              <main className="relative min-w-0 flex-1" aria-label="Canvas">
                <Canvas />
              </main>
              <SidePanel
                initialTab="versions"
                tabs={[
                  { id: "inspector", label: "Inspector", content: () => <Inspector /> },
                  {
                    id: "versions",
                    label: "Versions",
                    content: () => <VersionsPanel workflowId={workflowId} currentVersionId={versionId} onOpen={onOpen} />,
                  },
                ]}
              />
            </div>
          </EditorStoreProvider>
        </ReactFlowProvider>
      )}
    </div>
  );
}
