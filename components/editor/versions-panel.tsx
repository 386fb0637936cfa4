"use client";

import { useQuery } from "@tanstack/react-query";
import { errorMessage, useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { formatDateTime, formatRelative } from "@/components/ui/format";

/**
 * The workflow's immutable versions, newest first: published ones and the snapshots runs
 * pinned. Opening one shows it read-only on the canvas, from where it can be restored.
 */
export function VersionsPanel({
  workflowId,
  currentVersionId,
  onOpen,
}: {
  workflowId: string;
  /** The version shown on the canvas, if one is. */
  currentVersionId?: string;
  onOpen: (versionId: string) => void;
}) {
  const trpc = useTRPC();
  const versions = useQuery(trpc.workflow.versions.queryOptions({ id: workflowId }));

  if (versions.isPending) return <p className="p-4 text-sm text-slate-500">Loading versions…</p>;
  if (versions.isError) return <p className="p-4 text-sm text-red-700">{errorMessage(versions.error)}</p>;
  if (versions.data.length === 0) {
    return (
      <div className="p-4 text-sm text-slate-500">
        <p className="font-medium text-slate-700">No versions yet</p>
        <p className="mt-1">Publish to freeze the draft as version 1. Each run also keeps the version it ran.</p>
      </div>
    );
  }

  return (
    <ul className="divide-y divide-slate-100" aria-label="Versions" data-testid="versions">
      {versions.data.map((version) => {
        const current = version.id === currentVersionId;
        return (
          <li
            key={version.id}
            data-testid="version-row"
            data-version={version.version}
            className={`flex items-center gap-3 px-4 py-3 ${current ? "bg-accent-50" : ""}`}
          >
            <div className="min-w-0 flex-1">
              <div className="flex items-center gap-2">
                <span className="text-sm font-semibold text-slate-900">v{version.version}</span>
                {version.publishedAt ? (
                  <span className="rounded-full bg-emerald-100 px-1.5 py-px text-[10px] font-semibold tracking-wide text-emerald-700 uppercase">
                    Published
                  </span>
                ) : (
                  <span className="rounded-full bg-slate-100 px-1.5 py-px text-[10px] font-semibold tracking-wide text-slate-500 uppercase">
                    Run snapshot
                  </span>
                )}
              </div>
              <p className="mt-0.5 text-xs text-slate-500">
                <span title={formatDateTime(version.publishedAt ?? version.createdAt)}>
                  {formatRelative(version.publishedAt ?? version.createdAt)}
                </span>
                {" · "}
                <span data-testid="version-runs">
                  {version.runCount} run{version.runCount === 1 ? "" : "s"}
                </span>
              </p>
            </div>
            {current ? (
              <span className="text-xs font-medium text-accent-700">Viewing</span>
            ) : (
              <Button size="sm" onClick={() => onOpen(version.id)} aria-label={`Open version ${version.version}`}>
                Open
              </Button>
            )}
          </li>
        );
      })}
    </ul>
  );
}
