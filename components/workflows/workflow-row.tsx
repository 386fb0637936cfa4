"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef, useState, type CSSProperties, type FormEvent, type KeyboardEvent } from "react";
import { errorMessage, useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { formatDateTime, formatRelative, plural } from "@/components/ui/format";
import { StatusBadge } from "@/components/ui/status-badge";
import type { WorkflowListItem } from "./workflow-list";

type Notice = { text: string; href?: string };

/** One workflow in the list: its name (renamed in place), tags (each one a filter), counts and actions. */
export function WorkflowRow({
  workflow,
  canEdit,
  renaming,
  activeTag,
  onFilterTag,
  onStartRename,
  onEndRename,
  onEditTags,
  onDelete,
  onNotice,
}: {
  workflow: WorkflowListItem;
  canEdit: boolean;
  renaming: boolean;
  activeTag: string | null;
  onFilterTag: (tag: string) => void;
  onStartRename: () => void;
  onEndRename: () => void;
  onEditTags: () => void;
  onDelete: () => void;
  onNotice: (notice: Notice | null) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const duplicate = useMutation(
    trpc.workflow.duplicate.mutationOptions({
      onSuccess: (copy) => {
        void queryClient.invalidateQueries(trpc.workflow.pathFilter());
        onNotice({ text: `Duplicated “${workflow.name}” as “${copy.name}”.`, href: `/workflows/${copy.id}` });
      },
      onError: (error) => onNotice({ text: `Could not duplicate “${workflow.name}”: ${errorMessage(error)}` }),
    }),
  );

  return (
    <tr className="align-top hover:bg-slate-50" data-testid="workflow-row" data-workflow-id={workflow.id} aria-label={workflow.name}>
      <td className="px-4 py-3">
        {renaming ? (
          <RenameForm workflow={workflow} onDone={onEndRename} onNotice={onNotice} />
        ) : (
          <Link href={`/workflows/${workflow.id}`} className="font-medium break-words text-slate-900 hover:text-accent-700">
            {workflow.name}
          </Link>
        )}
        {workflow.tags.length > 0 && (
          <ul aria-label="Tags" className="mt-1.5 flex flex-wrap gap-1">
            {workflow.tags.map((tag) => (
              <li key={tag}>
                <button
                  type="button"
                  onClick={() => onFilterTag(tag)}
                  aria-pressed={activeTag === tag}
                  title={activeTag === tag ? "Show every tag" : `Show only workflows tagged “${tag}”`}
                  className="rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-700 ring-1 ring-slate-200 ring-inset hover:bg-slate-200 aria-pressed:bg-accent-600 aria-pressed:text-white aria-pressed:ring-accent-600"
                >
                  <span className="sr-only">Tag </span>
                  {tag}
                </button>
              </li>
            ))}
          </ul>
        )}
      </td>
      <td className="px-4 py-3 text-right text-slate-600 tabular-nums">{workflow.nodeCount}</td>
      <td className="px-4 py-3 text-right whitespace-nowrap tabular-nums">
        {workflow.runCount > 0 ? (
          <Link
            href={`/runs?${new URLSearchParams({ workflow: workflow.id }).toString()}`}
            className="text-accent-700 underline-offset-2 hover:underline"
            aria-label={`${plural(workflow.runCount, "run")} of ${workflow.name}`}
            data-testid="run-count"
          >
            {plural(workflow.runCount, "run")}
          </Link>
        ) : (
          <span className="text-xs text-slate-400" data-testid="run-count">
            No runs
          </span>
        )}
      </td>
      <td className="px-4 py-3 whitespace-nowrap text-slate-600" title={formatDateTime(workflow.updatedAt)}>
        {formatRelative(workflow.updatedAt)}
      </td>
      <td className="px-4 py-3 whitespace-nowrap">
        {workflow.lastRun ? (
          <Link href={`/runs/${workflow.lastRun.id}`} className="inline-flex items-center gap-2 hover:opacity-80">
            <StatusBadge status={workflow.lastRun.status} />
            <span className="text-xs text-slate-500">{formatRelative(workflow.lastRun.createdAt)}</span>
          </Link>
        ) : (
          <span className="text-xs text-slate-400">Never run</span>
        )}
      </td>
      <td className="px-2 py-2.5 text-right">
        {canEdit && (
          <RowMenu
            name={workflow.name}
            busy={duplicate.isPending}
            items={[
              { label: "Rename", onSelect: onStartRename },
              { label: "Duplicate", onSelect: () => duplicate.mutate({ id: workflow.id }) },
              { label: "Edit tags", onSelect: onEditTags },
              { label: "Delete…", onSelect: onDelete, danger: true },
            ]}
          />
        )}
      </td>
    </tr>
  );
}

function RenameForm({ workflow, onDone, onNotice }: { workflow: WorkflowListItem; onDone: () => void; onNotice: (notice: Notice) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState(workflow.name);
  const rename = useMutation(
    trpc.workflow.rename.mutationOptions({
      onSuccess: (renamed) => {
        void queryClient.invalidateQueries(trpc.workflow.pathFilter());
        onNotice({ text: `Renamed “${workflow.name}” to “${renamed.name}”.` });
        onDone();
      },
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() === workflow.name) return onDone();
    // An empty name goes to the server too: its answer ("name: Name is required") is the message.
    rename.mutate({ id: workflow.id, name });
  };
  return (
    <form onSubmit={submit} className="flex flex-wrap items-start gap-2">
      <div className="min-w-48 flex-1">
        <input
          autoFocus
          onFocus={(event) => event.target.select()}
          value={name}
          onChange={(event) => {
            // The refusal was about the name as sent; a new one has not been checked yet.
            rename.reset();
            setName(event.target.value);
          }}
          onKeyDown={(event) => {
            if (event.key === "Escape") onDone();
          }}
          aria-label={`New name for ${workflow.name}`}
          aria-invalid={rename.isError || undefined}
          aria-describedby={rename.isError ? `rename-error-${workflow.id}` : undefined}
          maxLength={200}
          className="h-8 w-full rounded-md border border-slate-300 bg-white px-2.5 text-sm focus:border-accent-500 focus:ring-2 focus:ring-accent-500/20 focus:outline-none aria-invalid:border-red-400"
        />
        {rename.isError && (
          <p id={`rename-error-${workflow.id}`} role="alert" className="mt-1 text-xs text-red-600">
            {errorMessage(rename.error)}
          </p>
        )}
      </div>
      <Button type="submit" size="sm" variant="primary" disabled={rename.isPending}>
        {rename.isPending ? "Saving…" : "Save"}
      </Button>
      <Button size="sm" variant="ghost" onClick={onDone}>
        Cancel
      </Button>
    </form>
  );
}

type MenuItem = { label: string; onSelect: () => void; danger?: boolean };

/**
 * The row's "⋯" menu. It is placed with fixed coordinates under its button, so the table's
 * horizontal scroll box does not clip it on the last rows; scrolling or resizing closes it.
 */
function RowMenu({ name, items, busy }: { name: string; items: MenuItem[]; busy: boolean }) {
  const [position, setPosition] = useState<CSSProperties | null>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const open = position !== null;

  useEffect(() => {
    if (!open) return;
    menu.current?.querySelector<HTMLElement>("[role=menuitem]")?.focus();
    const close = () => setPosition(null);
    const onPointer = (event: MouseEvent) => {
      if (!menu.current?.contains(event.target as Node) && !button.current?.contains(event.target as Node)) close();
    };
    document.addEventListener("mousedown", onPointer);
    window.addEventListener("scroll", close, true);
    window.addEventListener("resize", close);
    return () => {
      document.removeEventListener("mousedown", onPointer);
      window.removeEventListener("scroll", close, true);
      window.removeEventListener("resize", close);
    };
  }, [open]);

  const toggle = () => {
    if (open) return setPosition(null);
    const rect = button.current?.getBoundingClientRect();
    if (rect) setPosition({ top: rect.bottom + 4, right: window.innerWidth - rect.right });
  };

  const onMenuKey = (event: KeyboardEvent) => {
    const entries = [...(menu.current?.querySelectorAll<HTMLElement>("[role=menuitem]") ?? [])];
    const index = entries.indexOf(document.activeElement as HTMLElement);
    if (event.key === "Escape" || event.key === "Tab") {
      event.preventDefault();
      setPosition(null);
      button.current?.focus();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      entries[(index + step + entries.length) % entries.length]?.focus();
    }
  };

  return (
    <>
      <button
        ref={button}
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={`Actions for ${name}`}
        disabled={busy}
        onClick={toggle}
        className="inline-flex size-8 items-center justify-center rounded-md text-slate-500 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-accent-500 disabled:opacity-50"
      >
        <svg viewBox="0 0 16 16" className="size-4" fill="currentColor" aria-hidden="true">
          <circle cx="3" cy="8" r="1.5" />
          <circle cx="8" cy="8" r="1.5" />
          <circle cx="13" cy="8" r="1.5" />
        </svg>
      </button>
      {position && (
        <div ref={menu} role="menu" aria-label={`Actions for ${name}`} onKeyDown={onMenuKey} style={position} className="fixed z-30 w-40 rounded-md border border-slate-200 bg-white py-1 text-left text-sm shadow-lg">
          {items.map((item) => (
            <button
              key={item.label}
              type="button"
              role="menuitem"
              onClick={() => {
                setPosition(null);
                item.onSelect();
              }}
              className={`block w-full px-3 py-1.5 text-left hover:bg-slate-50 focus:bg-slate-100 focus:outline-none ${item.danger ? "text-red-700" : "text-slate-700"}`}
            >
              {item.label}
            </button>
          ))}
        </div>
      )}
    </>
  );
}
