"use client";

import Link from "next/link";
import { formatDateTime, formatRelative } from "@/components/ui/format";
import { ACTOR_KINDS, actionLabel, isRecord, splitActorName } from "./audit-actions";
import type { AuditEntry } from "./audit-pages";
import { TD } from "./section";

/** Where an id leads, when it is something with a page. */
function hrefOf(kind: string | null, id: string): string | null {
  if (kind === "workflow") return `/workflows/${id}`;
  if (kind === "run") return `/runs/${id}`;
  return null;
}

export function AuditRow({ entry, onTarget }: { entry: AuditEntry; onTarget: (id: string) => void }) {
  const actor = splitActorName(entry.actorName);
  const kind = ACTOR_KINDS[entry.actorKind] ?? { label: entry.actorKind, className: "bg-slate-100 text-slate-600 ring-slate-200" };
  const href = entry.targetId ? hrefOf(entry.targetKind, entry.targetId) : null;
  return (
    <tr data-action={entry.action} data-entry-id={entry.id} className="align-top text-[13px] hover:bg-slate-50/60">
      <td className={`${TD} whitespace-nowrap`}>
        <div className="text-slate-800">{formatRelative(entry.at)}</div>
        <time dateTime={entry.at.toISOString()} className="text-[11px] text-slate-500">
          {formatDateTime(entry.at)}
        </time>
      </td>
      {/* Long addresses are cut (the full one is in the tooltip) so the IP column stays in view. */}
      <td className={`${TD} max-w-52`} title={entry.actorName}>
        <div className="truncate font-medium text-slate-900">{actor.name}</div>
        <div className="mt-0.5 flex min-w-0 items-center gap-1.5 text-[11px] text-slate-500">
          <span className={`rounded-full px-1.5 py-px text-[10px] font-medium whitespace-nowrap ring-1 ring-inset ${kind.className}`}>{kind.label}</span>
          {actor.email && <span className="truncate">{actor.email}</span>}
        </div>
      </td>
      <td className={TD}>
        <div className="text-slate-800">{actionLabel(entry.action, entry.details)}</div>
        <code className="text-[11px] text-slate-400">{entry.action}</code>
      </td>
      <td className={`${TD} max-w-56`}>
        {entry.targetId ? (
          <>
            {href ? (
              <Link href={href} className="font-medium break-words text-accent-700 hover:underline">
                {entry.targetName ?? entry.targetId}
              </Link>
            ) : (
              <span className="break-words text-slate-800">{entry.targetName ?? entry.targetKind}</span>
            )}
            <div className="truncate">
              <button
                type="button"
                title="Show only entries about this"
                aria-label={`Show only entries about ${entry.targetId}`}
                onClick={() => onTarget(entry.targetId ?? "")}
                className="font-mono text-[11px] text-slate-400 hover:text-accent-700 hover:underline"
              >
                {entry.targetId}
              </button>
            </div>
          </>
        ) : (
          <span className="text-slate-400">—</span>
        )}
      </td>
      <td className={`${TD} max-w-72 min-w-52`}>
        <Details details={entry.details} />
      </td>
      <td className={`${TD} font-mono text-[11px] whitespace-nowrap text-slate-500`}>{entry.ip ?? "—"}</td>
    </tr>
  );
}

function Details({ details }: { details: unknown }) {
  if (!isRecord(details) || Object.keys(details).length === 0) return <span className="text-slate-400">—</span>;
  return (
    <dl className="space-y-0.5 text-xs">
      {Object.entries(details).map(([key, value]) => (
        <div key={key} className="flex gap-1.5">
          <dt className="shrink-0 text-slate-500">{key}:</dt>
          <dd className="min-w-0 break-all text-slate-700">
            <DetailValue name={key} value={value} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

function DetailValue({ name, value }: { name: string; value: unknown }) {
  if (typeof value === "string") {
    const href = name === "workflowId" ? `/workflows/${value}` : name === "runId" ? `/runs/${value}` : null;
    return href ? (
      <Link href={href} className="font-mono text-accent-700 hover:underline">
        {value}
      </Link>
    ) : (
      <>{value}</>
    );
  }
  if (Array.isArray(value)) return <>{value.length === 0 ? "none" : value.map((item) => (typeof item === "string" ? item : JSON.stringify(item))).join(", ")}</>;
  if (typeof value === "number" || typeof value === "boolean") return <>{String(value)}</>;
  return <code className="font-mono text-[11px]">{JSON.stringify(value)}</code>;
}
