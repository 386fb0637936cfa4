"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useId, useState, type ReactNode } from "react";
import { useCan, useMe } from "@/components/session/session-context";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { formatRelative } from "@/components/ui/format";
import { DownloadIcon, PlayIcon, RedoIcon, UndoIcon } from "@/components/ui/icons";
import { RunInputDialog } from "./run-input-dialog";
import { useEditorStore, useEditorStoreApi } from "./store/editor-store-provider";
import { selectCanRedo, selectCanUndo, selectIsDirty, selectName, selectReadOnly, selectSave } from "./store/selectors";
import type { EditorState } from "./store/types";

const selectLaunching = (s: EditorState) => s.launch.status === "starting";
const selectAsking = (s: EditorState) => s.launch.status === "asking" || s.launch.status === "starting";
const selectSaving = (s: EditorState) => s.save.status === "saving";

export type HeaderActions = {
  onSave: () => void;
  onRun: () => void;
  /** Publishes the saved draft with an optional note ("" for none). */
  onPublish: (note: string) => void;
  onExport: () => void;
  /** Publishing or exporting (each saves first). */
  busy: "publish" | "export" | null;
};

export function EditorHeader({ onSave, onRun, onPublish, onExport, busy }: HeaderActions) {
  const readOnly = useEditorStore(selectReadOnly);
  const canRun = useCan("run:start");
  return (
    <div className="flex h-14 shrink-0 items-center gap-3 border-b border-slate-200 bg-white px-4">
      {readOnly ? <ReadOnlyTitle /> : <EditableTitle />}
      {!readOnly && <HistoryButtons />}
      <Button variant="ghost" onClick={onExport} disabled={busy !== null} title="Download as a .agentflow.json file">
        <DownloadIcon className="size-4" />
        {busy === "export" ? "Exporting…" : "Export"}
      </Button>
      {!readOnly && <SaveButtons onSave={onSave} onPublish={onPublish} busy={busy} />}
      {/* Running is its own permission: an operator runs a workflow they cannot edit. */}
      {canRun && <RunButton onRun={onRun} />}
    </div>
  );
}

function Breadcrumb({ children }: { children: ReactNode }) {
  return (
    <nav aria-label="Breadcrumb" className="flex min-w-0 flex-1 items-center gap-2 text-sm">
      <Link href="/workflows" className="shrink-0 text-slate-500 hover:text-slate-900">
        Workflows
      </Link>
      <span aria-hidden="true" className="text-slate-300">
        /
      </span>
      {children}
    </nav>
  );
}

/** The name as text and why nothing here can be changed. */
function ReadOnlyTitle() {
  const name = useEditorStore(selectName);
  const role = useMe().workspace?.role ?? "none";
  return (
    <Breadcrumb>
      <h1 className="min-w-0 truncate px-2 py-1 text-base font-semibold text-slate-900">{name}</h1>
      <span
        data-testid="view-only-badge"
        title="Editing needs the editor role or above; ask an admin of this workspace."
        className="shrink-0 rounded-full bg-slate-100 px-2 py-0.5 text-[11px] font-medium text-slate-600"
      >
        View only — your role ({role}) cannot edit
      </span>
    </Breadcrumb>
  );
}

function EditableTitle() {
  const store = useEditorStoreApi();
  const name = useEditorStore(selectName);
  const dirty = useEditorStore(selectIsDirty);
  const save = useEditorStore(selectSave);
  return (
    <Breadcrumb>
      <input
        value={name}
        onChange={(event) => store.getState().setName(event.target.value)}
        aria-label="Workflow name"
        maxLength={120}
        className={`min-w-0 flex-1 max-w-md rounded-md border px-2 py-1 text-base font-semibold text-slate-900 hover:border-slate-300 focus:border-accent-500 focus:ring-2 focus:ring-accent-500/20 focus:outline-none ${
          name.trim() === "" ? "border-red-400" : "border-transparent"
        }`}
      />
      <SaveIndicator dirty={dirty} status={save.status} />
    </Breadcrumb>
  );
}

/** Undo and redo: only for someone who may change the draft. */
function HistoryButtons() {
  const store = useEditorStoreApi();
  const canUndo = useEditorStore(selectCanUndo);
  const canRedo = useEditorStore(selectCanRedo);
  return (
    <>
      <div className="flex items-center gap-1">
        <Button variant="ghost" size="md" aria-label="Undo" title="Undo (Ctrl+Z)" disabled={!canUndo} onClick={() => store.getState().undo()}>
          <UndoIcon className="size-4" />
        </Button>
        <Button variant="ghost" size="md" aria-label="Redo" title="Redo (Shift+Ctrl+Z)" disabled={!canRedo} onClick={() => store.getState().redo()}>
          <RedoIcon className="size-4" />
        </Button>
      </div>
      <div className="h-5 w-px bg-slate-200" aria-hidden="true" />
    </>
  );
}

/** Save and publish: only for someone who may change the draft. */
function SaveButtons({ onSave, onPublish, busy }: Pick<HeaderActions, "onSave" | "onPublish" | "busy">) {
  const dirty = useEditorStore(selectIsDirty);
  const saving = useEditorStore(selectSaving);
  return (
    <>
      <Button onClick={onSave} disabled={!dirty || saving} title="Save now (Ctrl+S); edits also save by themselves">
        Save
      </Button>
      <PublishControl onPublish={onPublish} busy={busy} />
    </>
  );
}

const selectRevision = (s: EditorState) => s.revision;
const selectWorkflowId = (s: EditorState) => s.workflowId;
const NOTE_MAX_LENGTH = 500;

/**
 * The Publish call to action: shown while the draft (saved or not) differs from the latest
 * published version — the server compares graph hashes — or before a first publish. When they
 * are equal it gives way to a quiet "v3 published" badge. Publishing asks for an optional note.
 */
function PublishControl({ onPublish, busy }: Pick<HeaderActions, "onPublish" | "busy">) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const workflowId = useEditorStore(selectWorkflowId);
  const revision = useEditorStore(selectRevision);
  const dirty = useEditorStore(selectIsDirty);
  const launching = useEditorStore(selectLaunching);
  const release = useQuery(trpc.workflow.releaseState.queryOptions({ id: workflowId }));
  const [asking, setAsking] = useState(false);
  // Each save moves the revision: ask again whether the saved draft still differs.
  useEffect(() => {
    void queryClient.invalidateQueries(trpc.workflow.releaseState.queryFilter({ id: workflowId }));
  }, [queryClient, trpc, workflowId, revision]);

  const published = release.data?.published ?? null;
  // Unknown (the question failed): offer Publish rather than hide it.
  const differs = dirty || (release.data?.draftDiffers ?? true);
  if (release.isPending) return null;

  return (
    <>
      {published && !differs && busy !== "publish" ? (
        <span
          data-testid="publish-state"
          title={`The draft is the published version ${published.version} (published ${formatRelative(published.publishedAt)}); the API runs it.`}
          className="inline-flex h-8 shrink-0 items-center gap-1.5 rounded-md px-2 text-xs font-medium text-emerald-700"
        >
          <span aria-hidden="true">✓</span>v{published.version} published
        </span>
      ) : (
        <>
          <span data-testid="publish-state" className="hidden shrink-0 text-xs font-medium text-amber-700 xl:inline">
            {published ? `Draft differs from v${published.version}` : "Not published yet"}
          </span>
          <Button
            data-testid="publish-cta"
            onClick={() => setAsking(true)}
            disabled={busy !== null || launching}
            title={published ? `The draft differs from the published version ${published.version}: publish it as the next version` : "Freeze the draft as version 1: the API, schedules and MCP run it"}
            className="border-accent-300 text-accent-700"
          >
            {busy === "publish" ? "Publishing…" : "Publish"}
          </Button>
        </>
      )}
      {asking && (
        <PublishDialog
          publishedVersion={published?.version ?? null}
          onCancel={() => setAsking(false)}
          onPublish={(note) => {
            setAsking(false);
            onPublish(note);
          }}
        />
      )}
    </>
  );
}

function PublishDialog({ publishedVersion, onCancel, onPublish }: { publishedVersion: number | null; onCancel: () => void; onPublish: (note: string) => void }) {
  const id = useId();
  const [note, setNote] = useState("");
  return (
    <ConfirmDialog
      title="Publish the draft"
      onCancel={onCancel}
      actions={
        <>
          <Button onClick={onCancel}>Cancel</Button>
          <Button variant="primary" onClick={() => onPublish(note.trim())}>
            Publish version
          </Button>
        </>
      }
    >
      <p>
        {publishedVersion === null
          ? "The saved draft becomes version 1, which the trigger URL, MCP and schedules then run."
          : `The saved draft becomes the next version and replaces version ${publishedVersion} as what the trigger URL, MCP and schedules run.`}{" "}
        Run in the editor keeps running the draft.
      </p>
      <label htmlFor={id} className="mt-4 block font-medium text-slate-700">
        Note <span className="font-normal text-slate-500">(optional)</span>
      </label>
      <textarea
        id={id}
        value={note}
        onChange={(event) => setNote(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) onPublish(note.trim());
        }}
        maxLength={NOTE_MAX_LENGTH}
        rows={3}
        placeholder="What changed, e.g. “Shorter summaries; a reviewer approves before sending”"
        className="mt-1 block w-full resize-y rounded-md border border-slate-300 bg-white px-2.5 py-2 text-sm text-slate-900 placeholder:text-slate-400 focus:border-accent-500 focus:ring-2 focus:ring-accent-500/20 focus:outline-none"
      />
      <p className="mt-1 text-xs text-slate-500">
        Shown in the Versions tab. {note.length}/{NOTE_MAX_LENGTH}
      </p>
    </ConfirmDialog>
  );
}

/** Run saves the draft, then asks for the run's input in the Run form (which starts the run). */
function RunButton({ onRun }: Pick<HeaderActions, "onRun">) {
  const launching = useEditorStore(selectLaunching);
  const asking = useEditorStore(selectAsking);
  const saving = useEditorStore(selectSaving);
  return (
    <>
      <Button variant="primary" onClick={onRun} disabled={asking || saving} aria-haspopup="dialog" title="Run with input">
        <PlayIcon className="size-3.5 fill-current" />
        {launching ? "Starting…" : "Run"}
      </Button>
      <RunInputDialog />
    </>
  );
}

function SaveIndicator({ dirty, status }: { dirty: boolean; status: EditorState["save"]["status"] }) {
  const [text, tone] =
    status === "saving"
      ? ["Saving…", "text-slate-500"]
      : status === "error"
        ? ["Not saved", "text-red-600"]
        : dirty
          ? ["Unsaved", "text-amber-600"]
          : ["Saved", "text-slate-400"];
  return (
    <span data-testid="save-state" aria-live="polite" className={`shrink-0 text-xs font-medium ${tone}`}>
      {text}
    </span>
  );
}

/** Shown when saving failed: a conflict offers to reload the other version or to overwrite it. */
export function SaveProblemBanner({ onReload, onOverwrite }: { onReload: () => void; onOverwrite: () => void }) {
  const save = useEditorStore(selectSave);
  if (save.status !== "error") return null;
  return (
    <div role="alert" data-testid="save-problem" className="flex items-center gap-3 border-b border-red-200 bg-red-50 px-4 py-2 text-sm text-red-800">
      <span className="min-w-0 flex-1">
        {save.conflict
          ? "This workflow was saved elsewhere (another tab or person) since you loaded it. Your changes are not saved: choose which version to keep."
          : `Could not save: ${save.message}`}
      </span>
      {save.conflict && (
        <>
          <Button size="sm" onClick={onReload}>
            Load their version
          </Button>
          <Button size="sm" variant="danger" onClick={onOverwrite}>
            Overwrite with mine
          </Button>
        </>
      )}
    </div>
  );
}
