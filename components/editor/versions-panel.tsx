"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { errorMessage, useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { formatDateTime, formatRelative } from "@/components/ui/format";
import { Switch } from "@/components/ui/switch";

/** The diff page of two versions, older first. */
export function compareHref(workflowId: string, fromVersionId: string, toVersionId: string): string {
  return `/workflows/${workflowId}/compare?${new URLSearchParams({ from: fromVersionId, to: toVersionId }).toString()}`;
}

/**
 * The workflow's immutable versions, newest first: published ones with their notes, and —
 * when "Show run snapshots" is on — the snapshots editor runs pinned. Opening one shows it
 * read-only on the canvas, from where it can be restored; ticking two compares them; a
 * version's run count opens the Runs page filtered to it.
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
  const [showSnapshots, setShowSnapshots] = useState(false);
  const [picked, setPicked] = useState<string[]>([]);

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

  // The version on the canvas stays listed even when it is a hidden snapshot.
  const shown = versions.data.filter((version) => showSnapshots || version.publishedAt !== null || version.id === currentVersionId);
  const hiddenSnapshots = versions.data.length - shown.length;
  const togglePick = (id: string) => setPicked((current) => (current.includes(id) ? current.filter((other) => other !== id) : [...current.slice(-1), id]));
  const pickedVersions = versions.data.filter((version) => picked.includes(version.id)).sort((a, b) => a.version - b.version);
  const [older, newer] = pickedVersions;

  return (
    <div className="flex min-h-full flex-col">
      <div className="flex items-center justify-between gap-2 border-b border-slate-100 px-4 py-2.5">
        <label className="flex items-center gap-2 text-xs font-medium text-slate-600">
          <Switch label="Show run snapshots" checked={showSnapshots} disabled={false} onChange={setShowSnapshots} />
          Show run snapshots
        </label>
        {hiddenSnapshots > 0 && (
          <span className="text-[11px] text-slate-500" data-testid="hidden-snapshots">
            {hiddenSnapshots} hidden
          </span>
        )}
      </div>
      {shown.length === 0 ? (
        <div className="p-4 text-sm text-slate-500">
          <p className="font-medium text-slate-700">Nothing published yet</p>
          <p className="mt-1">Publish to freeze the draft as version 1. Runs from the editor keep snapshots: turn on “Show run snapshots” to see them.</p>
        </div>
      ) : (
        <ul className="flex-1 divide-y divide-slate-100" aria-label="Versions" data-testid="versions">
          {shown.map((version) => {
            const current = version.id === currentVersionId;
            const runs = `${version.runCount} run${version.runCount === 1 ? "" : "s"}`;
            return (
              <li
                key={version.id}
                data-testid="version-row"
                data-version={version.version}
                data-kind={version.publishedAt ? "published" : "snapshot"}
                className={`flex items-start gap-3 px-4 py-3 ${current ? "bg-accent-50" : ""}`}
              >
                <input
                  type="checkbox"
                  checked={picked.includes(version.id)}
                  onChange={() => togglePick(version.id)}
                  aria-label={`Compare version ${version.version}`}
                  title="Tick two versions to compare them"
                  className="mt-1 size-3.5 shrink-0 accent-accent-600"
                />
                <div className="min-w-0 flex-1">
                  <div className="flex items-center gap-2">
                    <span className="text-sm font-semibold text-slate-900">v{version.version}</span>
                    {version.publishedAt ? (
                      <span className="rounded-full bg-emerald-100 px-1.5 py-px text-[10px] font-semibold tracking-wide text-emerald-700 uppercase">Published</span>
                    ) : (
                      <span className="rounded-full bg-slate-100 px-1.5 py-px text-[10px] font-semibold tracking-wide text-slate-500 uppercase">Run snapshot</span>
                    )}
                  </div>
                  {version.note && (
                    <p data-testid="version-note" className="mt-1 line-clamp-3 text-xs break-words whitespace-pre-line text-slate-700" title={version.note}>
                      {version.note}
                    </p>
                  )}
                  <p className="mt-0.5 text-xs text-slate-500">
                    <span title={formatDateTime(version.publishedAt ?? version.createdAt)}>{formatRelative(version.publishedAt ?? version.createdAt)}</span>
                    {" · "}
                    {version.runCount > 0 ? (
                      <Link
                        data-testid="version-runs"
                        href={`/runs?${new URLSearchParams({ workflow: workflowId, version: version.id }).toString()}`}
                        className="text-accent-700 hover:underline"
                        title={`The runs of version ${version.version}`}
                      >
                        {runs}
                      </Link>
                    ) : (
                      <span data-testid="version-runs">{runs}</span>
                    )}
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
      )}
      <div className="sticky bottom-0 border-t border-slate-200 bg-white px-4 py-2.5">
        {older && newer ? (
          <Link
            href={compareHref(workflowId, older.id, newer.id)}
            data-testid="compare-versions"
            className="inline-flex h-8 w-full items-center justify-center rounded-md bg-accent-600 px-3 text-sm font-medium text-white shadow-sm hover:bg-accent-700"
          >
            Compare v{older.version} → v{newer.version}
          </Link>
        ) : (
          <p className="text-xs text-slate-500">Tick two versions to compare them.</p>
        )}
      </div>
    </div>
  );
}
