"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { XIcon } from "@/components/ui/icons";

/**
 * The version filter has no control of its own (a version is picked from the editor's versions
 * panel, whose run counts link here): it shows as a chip that says which version and removes it.
 */
export function VersionFilterChip({ versionId, onRemove }: { versionId: string; onRemove: () => void }) {
  const trpc = useTRPC();
  const version = useQuery(trpc.workflow.version.queryOptions({ versionId }, { staleTime: Infinity, retry: false }));
  const name = version.data ? `Version ${version.data.version}` : `Version ${versionId}`;
  return (
    <span data-testid="version-filter" className="inline-flex h-7 items-center gap-1 rounded-full bg-accent-50 pr-1 pl-2.5 text-xs font-medium text-accent-700 ring-1 ring-accent-200 ring-inset">
      {name}
      <button type="button" onClick={onRemove} aria-label={`Remove filter ${name}`} className="rounded-full p-0.5 hover:bg-accent-100">
        <XIcon className="size-3.5" />
      </button>
    </span>
  );
}
