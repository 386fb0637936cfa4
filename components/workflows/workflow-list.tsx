"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useCan } from "@/components/session/session-context";
import { errorMessage, useTRPC } from "@/components/trpc";
import { formatDateTime, formatRelative } from "@/components/ui/format";
import { StatusBadge } from "@/components/ui/status-badge";
import { ImportWorkflowButton } from "./import-workflow-button";
import { NewWorkflowForm } from "./new-workflow-form";
import { TemplateGallery } from "./template-gallery";

export function WorkflowList() {
  const trpc = useTRPC();
  const workflows = useQuery(trpc.workflow.list.queryOptions());
  // Creating (new, import, template) is editing; the server refuses it to viewers and operators anyway.
  const canEdit = useCan("workflow:edit");

  return (
    <div className="mx-auto w-full max-w-5xl px-6 py-8">
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

      {canEdit && <TemplateGallery />}

      <h2 className="mb-3 text-sm font-semibold text-slate-900">Your workflows</h2>
      <div className="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-xs">
        <table className="w-full text-sm">
          <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium text-slate-500">
            <tr>
              <th scope="col" className="px-4 py-2.5">Name</th>
              <th scope="col" className="px-4 py-2.5 text-right">Nodes</th>
              <th scope="col" className="px-4 py-2.5">Updated</th>
              <th scope="col" className="px-4 py-2.5">Last run</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {workflows.isPending && (
              <tr>
                <td colSpan={4} className="px-4 py-8 text-center text-slate-500">Loading…</td>
              </tr>
            )}
            {workflows.isError && (
              <tr>
                <td colSpan={4} className="px-4 py-8 text-center text-red-700">{errorMessage(workflows.error)}</td>
              </tr>
            )}
            {workflows.data?.length === 0 && (
              <tr>
                <td colSpan={4} className="px-4 py-10 text-center text-slate-500">
                  {canEdit ? "No workflows yet. Create one to open the editor." : "No workflows yet. Editors create them."}
                </td>
              </tr>
            )}
            {workflows.data?.map((workflow) => (
              <tr key={workflow.id} className="hover:bg-slate-50">
                <td className="px-4 py-3">
                  <Link href={`/workflows/${workflow.id}`} className="font-medium text-slate-900 hover:text-accent-700">
                    {workflow.name}
                  </Link>
                </td>
                <td className="px-4 py-3 text-right text-slate-600 tabular-nums">{workflow.nodeCount}</td>
                <td className="px-4 py-3 text-slate-600" title={formatDateTime(workflow.updatedAt)}>
                  {formatRelative(workflow.updatedAt)}
                </td>
                <td className="px-4 py-3">
                  {workflow.lastRun ? (
                    <Link href={`/runs/${workflow.lastRun.id}`} className="inline-flex items-center gap-2 hover:opacity-80">
                      <StatusBadge status={workflow.lastRun.status} />
                      <span className="text-xs text-slate-500">{formatRelative(workflow.lastRun.createdAt)}</span>
                    </Link>
                  ) : (
                    <span className="text-xs text-slate-400">Never run</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
