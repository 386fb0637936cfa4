"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type KeyboardEvent } from "react";
import { errorMessage, errorPath, useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { MAX_TAG_LENGTH, MAX_TAGS, tagsFromText } from "./list-params";
import { plural } from "@/components/ui/format";
import type { WorkflowListItem } from "./workflow-list";

/**
 * Delete, after saying exactly what goes with the workflow. Runs are not kept: the database
 * deletes a workflow's runs (their event logs, outputs and human tasks) with it, so the
 * dialog counts them and the button says so.
 */
export function DeleteWorkflowDialog({ workflow, onClose, onDeleted }: { workflow: WorkflowListItem; onClose: () => void; onDeleted: (deletedRuns: number) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const impact = useQuery(trpc.workflow.deleteImpact.queryOptions({ id: workflow.id }, { staleTime: 0, gcTime: 0 }));
  const remove = useMutation(
    trpc.workflow.delete.mutationOptions({
      onSuccess: ({ deletedRuns }) => {
        void queryClient.invalidateQueries(trpc.workflow.pathFilter());
        void queryClient.invalidateQueries(trpc.run.pathFilter());
        onDeleted(deletedRuns);
      },
    }),
  );
  const runs = impact.data?.runs ?? 0;

  return (
    <ConfirmDialog
      title={`Delete “${workflow.name}”?`}
      onCancel={onClose}
      actions={
        <>
          <Button variant="ghost" onClick={onClose} disabled={remove.isPending}>
            Cancel
          </Button>
          <Button variant="danger" onClick={() => remove.mutate({ id: workflow.id })} disabled={!impact.isSuccess || remove.isPending} data-testid="confirm-delete">
            {remove.isPending ? "Deleting…" : runs > 0 ? `Delete workflow and ${plural(runs, "run")}` : "Delete workflow"}
          </Button>
        </>
      }
    >
      {impact.isPending && <p>Counting what goes with it…</p>}
      {impact.isError && <p className="text-red-700">{errorMessage(impact.error)}</p>}
      {impact.data && (
        <div className="space-y-2" data-testid="delete-impact">
          {impact.data.runs > 0 ? (
            <p>
              <strong className="font-semibold text-slate-900">Its {plural(impact.data.runs, "run")} will be deleted too</strong>, with their event logs,
              outputs and approvals. Runs are not kept once their workflow is gone.
              {impact.data.unfinishedRuns > 0 && ` ${plural(impact.data.unfinishedRuns, "run")} ${impact.data.unfinishedRuns === 1 ? "has" : "have"} not finished: deleting stops ${impact.data.unfinishedRuns === 1 ? "it" : "them"}.`}
            </p>
          ) : (
            <p>It has no runs.</p>
          )}
          <p>
            Its draft{impact.data.versions > 0 ? ` and ${plural(impact.data.versions, "version")}` : ""}
            {impact.data.schedules > 0 ? `, ${plural(impact.data.schedules, "schedule")}` : ""} and trigger URL go with it. This cannot be undone.
          </p>
        </div>
      )}
      {remove.isError && (
        <p role="alert" className="mt-2 text-red-700">
          {errorMessage(remove.error)}
        </p>
      )}
    </ConfirmDialog>
  );
}

/** The tags of one workflow: remove with ×, add by typing (Enter or a comma adds), suggestions from the workspace's tags. */
export function TagsDialog({
  workflow,
  knownTags,
  onClose,
  onSaved,
}: {
  workflow: WorkflowListItem;
  knownTags: string[];
  onClose: () => void;
  onSaved: (tags: string[]) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [tags, setTags] = useState(workflow.tags);
  const [text, setText] = useState("");
  const save = useMutation(
    trpc.workflow.setTags.mutationOptions({
      onSuccess: (saved) => {
        void queryClient.invalidateQueries(trpc.workflow.pathFilter());
        onSaved(saved.tags);
      },
    }),
  );
  const withTyped = () => [...new Set([...tags, ...tagsFromText(text)])];
  // A refusal is about the tags as they were sent: once they change, it no longer applies.
  const changeTags = (next: string[]) => {
    save.reset();
    setTags(next);
  };
  const addTyped = () => {
    changeTags(withTyped());
    setText("");
  };
  const onKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter" || event.key === ",") {
      event.preventDefault();
      if (text.trim() !== "") addTyped();
      // Enter on an empty field saves, as a form would.
      else if (event.key === "Enter") save.mutate({ id: workflow.id, tags });
    } else if (event.key === "Backspace" && text === "" && tags.length > 0) {
      changeTags(tags.slice(0, -1));
    }
  };

  return (
    <ConfirmDialog
      title={`Tags of “${workflow.name}”`}
      onCancel={onClose}
      actions={
        <>
          <Button variant="ghost" onClick={onClose} disabled={save.isPending}>
            Cancel
          </Button>
          <Button
            variant="primary"
            onClick={() => {
              // What is still typed is saved too, and shown as chips (so a refused one can be removed).
              const all = withTyped();
              setTags(all);
              setText("");
              save.mutate({ id: workflow.id, tags: all });
            }}
            disabled={save.isPending}
          >
            {save.isPending ? "Saving…" : "Save tags"}
          </Button>
        </>
      }
    >
      <ul aria-label="Tags" className="mb-2 flex min-h-7 flex-wrap gap-1.5">
        {tags.length === 0 && <li className="text-xs text-slate-400">No tags yet.</li>}
        {tags.map((tag) => (
          <li key={tag} className="inline-flex items-center gap-1 rounded-full bg-slate-100 py-0.5 pr-1 pl-2 text-xs text-slate-700 ring-1 ring-slate-200 ring-inset">
            {tag}
            <button type="button" aria-label={`Remove tag ${tag}`} onClick={() => changeTags(tags.filter((other) => other !== tag))} className="rounded-full px-1 text-slate-400 hover:bg-slate-200 hover:text-slate-800">
              ×
            </button>
          </li>
        ))}
      </ul>
      <label htmlFor={id} className="text-xs font-medium text-slate-600">
        Add tags
      </label>
      <input
        id={id}
        autoFocus
        list={`${id}-known`}
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKey}
        placeholder="billing, support"
        aria-describedby={`${id}-hint`}
        className="mt-1 block h-9 w-full rounded-md border border-slate-300 bg-white px-2.5 text-sm placeholder:text-slate-400 focus:border-accent-500 focus:ring-2 focus:ring-accent-500/20 focus:outline-none"
      />
      <datalist id={`${id}-known`}>
        {knownTags
          .filter((tag) => !tags.includes(tag))
          .map((tag) => (
            <option key={tag} value={tag} />
          ))}
      </datalist>
      <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
        Enter or a comma adds a tag. Up to {MAX_TAGS} tags of up to {MAX_TAG_LENGTH} characters; stored in lower case.
      </p>
      {save.isError && (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {tagErrorText(save.error, save.variables?.tags ?? [])}
        </p>
      )}
    </ConfirmDialog>
  );
}

/** "tags.1: A tag is at most 32 characters" → "“averyveryverylong…”: A tag is at most 32 characters". */
function tagErrorText(error: unknown, sent: string[]): string {
  const message = errorMessage(error);
  const index = /^tags\.(\d+)$/.exec(errorPath(error) ?? "")?.[1];
  const tag = index === undefined ? undefined : sent[Number(index)];
  if (tag === undefined) return message;
  return `“${tag.length > 24 ? `${tag.slice(0, 24)}…` : tag}”: ${message.replace(/^tags\.\d+: /, "")}`;
}
