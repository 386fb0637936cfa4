"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Suspense, useState } from "react";
import { useCan } from "@/components/session/session-context";
import { errorMessage, useTRPC, type RouterOutputs } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { useUrlState } from "@/components/ui/use-url-state";
import { ImportWorkflowButton } from "./import-workflow-button";
import { DEFAULT_LIST_PARAMS, isFiltered, listInputOf, listParamsFromSearch, listParamsToSearch } from "./list-params";
import { plural } from "@/components/ui/format";
import { NewWorkflowForm } from "./new-workflow-form";
import { TemplateGallery } from "./template-gallery";
import { DeleteWorkflowDialog, TagsDialog } from "./workflow-dialogs";
import { WorkflowListToolbar } from "./workflow-list-toolbar";
import { WorkflowRow } from "./workflow-row";

export type WorkflowListItem = RouterOutputs["workflow"]["list"][number];

export function WorkflowList() {
  // Creating (new, import, template) is editing; the server refuses it to viewers and operators anyway.
  const canEdit = useCan("workflow:edit");

  return (
    <div className="mx-auto w-full max-w-6xl px-6 py-8">
      <div className="mb-6 flex items-center justify-between gap-4">
        <div>
          <h1 className="text-xl font-semibold tracking-tight text-slate-900">Workflows</h1>
          <p className="mt-0.5 text-sm text-slate-500">Compose agents, tools and approvals, then run them.</p>
        </div>
        {canEdit && (
          <div className="flex items-start gap-2">
            <ImportWorkflowButton />
            <NewWorkflowForm />
          </div>
        )}
      </div>

      <h2 className="mb-3 text-sm font-semibold text-slate-900">Your workflows</h2>
      {/* Search, tag and sort live in the URL (useSearchParams), which is only known in the browser. */}
      <Suspense fallback={<div className="rounded-lg border border-slate-200 bg-white px-4 py-8 text-center text-sm text-slate-500 shadow-xs">Loading…</div>}>
        <FilteredWorkflows canEdit={canEdit} />
      </Suspense>

      {/* Below the list: the list is what a returning builder comes for. */}
      {canEdit && (
        <div className="mt-8">
          <TemplateGallery />
        </div>
      )}
    </div>
  );
}

const COLUMNS = 6;

function FilteredWorkflows({ canEdit }: { canEdit: boolean }) {
  const trpc = useTRPC();
  const [params, setParams] = useUrlState(listParamsFromSearch, listParamsToSearch);
  const workflows = useQuery(trpc.workflow.list.queryOptions(listInputOf(params), { placeholderData: keepPreviousData }));
  const tags = useQuery(trpc.workflow.tags.queryOptions());
  const [renamingId, setRenamingId] = useState<string | null>(null);
  const [tagging, setTagging] = useState<WorkflowListItem | null>(null);
  const [deleting, setDeleting] = useState<WorkflowListItem | null>(null);
  const [notice, setNotice] = useState<{ text: string; href?: string } | null>(null);
  const filtered = isFiltered(params);
  const rows = workflows.data ?? [];

  return (
    <div className="rounded-lg border border-slate-200 bg-white shadow-xs">
      <WorkflowListToolbar params={params} tags={tags.data ?? []} onChange={setParams} />
      <div className="flex min-h-9 items-center justify-between gap-3 border-t border-slate-100 px-4 py-2 text-xs text-slate-500">
        <span role="status" data-testid="workflows-count">
          {workflows.isSuccess && countText(rows.length, filtered)}
        </span>
        {notice && (
          <span role="status" data-testid="workflow-notice" className="flex items-center gap-2 text-emerald-700">
            {notice.text}
            {notice.href && (
              <Link href={notice.href} className="font-medium underline underline-offset-2 hover:text-emerald-900">
                Open
              </Link>
            )}
            <button type="button" onClick={() => setNotice(null)} aria-label="Dismiss" className="rounded px-1 text-slate-400 hover:bg-slate-100 hover:text-slate-700">
              ×
            </button>
          </span>
        )}
      </div>
      <div className={`overflow-x-auto border-t border-slate-200 transition-opacity ${workflows.isPlaceholderData ? "opacity-50" : ""}`} aria-busy={workflows.isFetching}>
        <table className="w-full text-sm" aria-label="Workflows">
          <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium text-slate-500">
            <tr>
              <th scope="col" className="px-4 py-2.5">Name</th>
              <th scope="col" className="px-4 py-2.5 text-right">Nodes</th>
              <th scope="col" className="px-4 py-2.5 text-right">Runs</th>
              <th scope="col" className="px-4 py-2.5">Edited</th>
              <th scope="col" className="px-4 py-2.5">Last run</th>
              <th scope="col" className="w-12 px-2 py-2.5">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {workflows.isPending && (
              <tr>
                <td colSpan={COLUMNS} className="px-4 py-8 text-center text-slate-500">Loading…</td>
              </tr>
            )}
            {workflows.isError && (
              <tr>
                <td colSpan={COLUMNS} className="px-4 py-8 text-center text-red-700">{errorMessage(workflows.error)}</td>
              </tr>
            )}
            {workflows.isSuccess && rows.length === 0 && (
              <tr>
                <td colSpan={COLUMNS} className="px-4 py-10 text-center text-slate-500">
                  {filtered ? (
                    <span className="inline-flex items-center gap-3">
                      No workflow matches.
                      <Button size="sm" onClick={() => setParams({ ...DEFAULT_LIST_PARAMS, sort: params.sort })}>
                        Clear search and tag
                      </Button>
                    </span>
                  ) : canEdit ? (
                    "No workflows yet. Create one to open the editor."
                  ) : (
                    "No workflows yet. Editors create them."
                  )}
                </td>
              </tr>
            )}
            {rows.map((workflow) => (
              <WorkflowRow
                key={workflow.id}
                workflow={workflow}
                canEdit={canEdit}
                renaming={renamingId === workflow.id}
                activeTag={params.tag}
                onFilterTag={(tag) => setParams({ ...params, tag: params.tag === tag ? null : tag })}
                onStartRename={() => {
                  setNotice(null);
                  setRenamingId(workflow.id);
                }}
                onEndRename={() => setRenamingId(null)}
                onEditTags={() => setTagging(workflow)}
                onDelete={() => setDeleting(workflow)}
                onNotice={setNotice}
              />
            ))}
          </tbody>
        </table>
      </div>
      {tagging && (
        <TagsDialog
          workflow={tagging}
          knownTags={(tags.data ?? []).map((entry) => entry.tag)}
          onClose={() => setTagging(null)}
          onSaved={(saved) => {
            setTagging(null);
            setNotice({ text: saved.length > 0 ? `Tags of “${tagging.name}”: ${saved.join(", ")}.` : `Removed the tags of “${tagging.name}”.` });
          }}
        />
      )}
      {deleting && (
        <DeleteWorkflowDialog
          workflow={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={(deletedRuns) => {
            setDeleting(null);
            setNotice({ text: `Deleted “${deleting.name}”${deletedRuns > 0 ? ` and its ${plural(deletedRuns, "run")}` : ""}.` });
          }}
        />
      )}
    </div>
  );
}

function countText(count: number, filtered: boolean): string {
  if (filtered) return count === 0 ? "No matches" : `${plural(count, "workflow")} ${count === 1 ? "matches" : "match"}`;
  return plural(count, "workflow");
}
