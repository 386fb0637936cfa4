"use client";

import Link from "next/link";
import type { ReactNode } from "react";
import { useCan, useMe } from "@/components/session/session-context";
import { Button } from "@/components/ui/button";
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
  onPublish: () => void;
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
  const launching = useEditorStore(selectLaunching);
  return (
    <>
      <Button onClick={onSave} disabled={!dirty || saving} title="Save now (Ctrl+S); edits also save by themselves">
        Save
      </Button>
      <Button onClick={onPublish} disabled={busy !== null || launching} title="Freeze the draft as a new immutable version">
        {busy === "publish" ? "Publishing…" : "Publish"}
      </Button>
    </>
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
