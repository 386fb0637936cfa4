"use client";

import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { useCan } from "@/components/session/session-context";
import { errorMessage, useTRPC, useTRPCClient } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ACTION_GROUPS, type ActionGroupId } from "./audit-actions";
import { fetchAuditPage, type AuditCursor } from "./audit-pages";
import { AuditRow } from "./audit-row";
import { SELECT } from "./role-badge";
import { Card, RoleNote, SettingsHeader, StateRow, TH } from "./section";

/** /settings/audit (admins): who did what, newest first, filtered and paged back. */
export function AuditLog() {
  const canRead = useCan("audit:read");
  return (
    <div>
      <SettingsHeader title="Audit log" description="Who did what in this workspace, when and from where. Entries are never changed or deleted." />
      {canRead ? <AuditTable /> : <RoleNote title="Only admins can read the audit log.">Ask an admin or the owner of this workspace if you need to know who changed something.</RoleNote>}
    </div>
  );
}

const ID = /^[A-Za-z0-9_-]{1,100}$/;

function AuditTable() {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const groupId = useId();
  const [group, setGroup] = useState<ActionGroupId>("all");
  const [targetText, setTargetText] = useState("");
  const [targetId, setTargetId] = useState<string | undefined>(undefined);
  const [targetError, setTargetError] = useState<string | null>(null);
  const prefixes = ACTION_GROUPS.find((g) => g.id === group)?.prefixes ?? [];

  const entries = useInfiniteQuery({
    // Under the procedure's own key, so invalidating audit.list refreshes this too.
    queryKey: [...trpc.audit.list.pathKey(), { group, targetId }],
    queryFn: ({ pageParam }) => fetchAuditPage(client, { prefixes, targetId }, pageParam),
    initialPageParam: undefined as AuditCursor | undefined,
    getNextPageParam: (last) => last.nextBefore ?? undefined,
    // While another filter loads, the old rows stay (dimmed) instead of the table collapsing.
    placeholderData: keepPreviousData,
  });

  const applyTarget = (event: FormEvent) => {
    event.preventDefault();
    const text = targetText.trim();
    if (text !== "" && !ID.test(text)) {
      setTargetError("An id has only letters, digits, - and _ (e.g. wf_abc123)");
      return;
    }
    setTargetError(null);
    setTargetId(text || undefined);
  };
  const filterByTarget = (id: string) => {
    setTargetText(id);
    setTargetError(null);
    setTargetId(id);
  };
  const rows = entries.data?.pages.flatMap((page) => page.entries) ?? [];

  return (
    <Card flush>
      <div className="flex flex-wrap items-end gap-3 border-b border-slate-100 px-5 py-3.5">
        <div className="text-sm">
          <label htmlFor={groupId} className="font-medium text-slate-700">
            Action
          </label>
          <select id={groupId} value={group} onChange={(event) => setGroup(event.target.value as ActionGroupId)} className={`${SELECT} mt-1 block w-48`}>
            {ACTION_GROUPS.map((g) => (
              <option key={g.id} value={g.id}>
                {g.label}
              </option>
            ))}
          </select>
        </div>
        <form onSubmit={applyTarget} className="flex items-end gap-2">
          <div className="text-sm">
            <label htmlFor={`${groupId}-target`} className="font-medium text-slate-700">
              Target id
            </label>
            <input
              id={`${groupId}-target`}
              value={targetText}
              onChange={(event) => setTargetText(event.target.value)}
              placeholder="wf_…, run_…, key_…"
              spellCheck={false}
              aria-invalid={targetError ? true : undefined}
              aria-describedby={targetError ? `${groupId}-target-error` : undefined}
              className="mt-1 block h-9 w-56 rounded-md border border-slate-300 bg-white px-2.5 font-mono text-xs placeholder:font-sans placeholder:text-slate-400 focus:border-accent-500 focus:ring-2 focus:ring-accent-500/20 focus:outline-none aria-invalid:border-red-400"
            />
          </div>
          <Button type="submit" className="h-9">
            Filter
          </Button>
          {targetId && (
            <Button
              variant="ghost"
              className="h-9"
              onClick={() => {
                setTargetText("");
                setTargetId(undefined);
              }}
            >
              Clear
            </Button>
          )}
        </form>
        {targetError && (
          <p id={`${groupId}-target-error`} className="w-full text-xs text-red-600">
            {targetError}
          </p>
        )}
      </div>
      <div className={`overflow-x-auto transition-opacity ${entries.isPlaceholderData ? "opacity-50" : ""}`} aria-busy={entries.isFetching && !entries.isFetchingNextPage}>
        <table className="w-full text-sm" aria-label="Audit log">
          <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs text-slate-500">
            <tr>
              <th scope="col" className={`${TH} w-36`}>When</th>
              <th scope="col" className={TH}>Who</th>
              <th scope="col" className={TH}>Action</th>
              <th scope="col" className={TH}>Target</th>
              <th scope="col" className={TH}>Details</th>
              <th scope="col" className={TH}>IP</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {entries.isPending && <StateRow colSpan={6}>Loading the audit log…</StateRow>}
            {entries.isError && (
              <StateRow colSpan={6} tone="error">
                {errorMessage(entries.error)}
              </StateRow>
            )}
            {entries.isSuccess && rows.length === 0 && <StateRow colSpan={6}>{group === "all" && !targetId ? "Nothing recorded yet." : "No entries match these filters."}</StateRow>}
            {rows.map((entry) => (
              <AuditRow key={entry.id} entry={entry} onTarget={filterByTarget} />
            ))}
          </tbody>
        </table>
      </div>
      {(entries.hasNextPage || (entries.isFetchNextPageError && rows.length > 0)) && (
        <div className="flex items-center justify-center gap-3 border-t border-slate-100 px-5 py-3">
          {entries.isFetchNextPageError && <span className="text-xs text-red-600">{errorMessage(entries.error)}</span>}
          <Button onClick={() => void entries.fetchNextPage()} disabled={entries.isFetchingNextPage}>
            {entries.isFetchingNextPage ? "Loading…" : "Load older"}
          </Button>
        </div>
      )}
    </Card>
  );
}
