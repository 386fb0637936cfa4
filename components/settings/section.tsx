import type { ReactNode } from "react";
import { errorMessage } from "@/components/trpc";
import { FormError } from "@/components/ui/text-field";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";

/** The title block of a settings page. */
export function SettingsHeader({ title, description, children }: { title: string; description?: ReactNode; children?: ReactNode }) {
  return (
    <div className="mb-5 flex items-start justify-between gap-4">
      <div>
        <h2 className="text-lg font-semibold tracking-tight text-slate-900">{title}</h2>
        {description && <p className="mt-0.5 text-sm text-slate-500">{description}</p>}
      </div>
      {children}
    </div>
  );
}

/** A white card with an optional heading row; the settings pages are stacks of these. */
export function Card({
  title,
  description,
  actions,
  children,
  flush,
  testId,
}: {
  title?: string;
  description?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  /** No inner padding (tables run edge to edge). */
  flush?: boolean;
  testId?: string;
}) {
  return (
    <section data-testid={testId} aria-label={title} className="mb-5 overflow-hidden rounded-lg border border-slate-200 bg-white shadow-xs">
      {title && (
        <div className="flex items-start justify-between gap-4 border-b border-slate-100 px-5 py-3.5">
          <div>
            <h3 className="text-sm font-semibold text-slate-900">{title}</h3>
            {description && <p className="mt-0.5 text-xs text-slate-500">{description}</p>}
          </div>
          {actions}
        </div>
      )}
      <div className={flush ? "" : "px-5 py-4"}>{children}</div>
    </section>
  );
}

/** What a role may not see here, said plainly instead of an empty page or a 403. */
export function RoleNote({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div role="note" className="mb-5 flex gap-3 rounded-lg border border-slate-200 bg-white px-5 py-4 shadow-xs">
      <LockIcon />
      <div>
        <p className="text-sm font-medium text-slate-900">{title}</p>
        {children && <div className="mt-0.5 text-sm text-slate-500">{children}</div>}
      </div>
    </div>
  );
}

function LockIcon() {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" className="mt-0.5 size-4 shrink-0 text-slate-400">
      <rect x="4" y="11" width="16" height="10" rx="2" />
      <path d="M8 11V7a4 4 0 0 1 8 0v4" />
    </svg>
  );
}

/** Table header and body cells, so every settings table lines up the same way. */
// First and last cells line up with the card title (px-5).
export const TH = "px-3 py-2.5 font-medium first:pl-5 last:pr-5";
export const TD = "px-3 py-2.5 align-middle first:pl-5 last:pr-5";

/** One full-width row for a table's loading, error and empty states (fixed height: no jump when data arrives). */
export function StateRow({ colSpan, tone = "muted", children }: { colSpan: number; tone?: "muted" | "error"; children: ReactNode }) {
  return (
    <tr>
      <td colSpan={colSpan} className={`h-20 px-4 text-center text-sm ${tone === "error" ? "text-red-700" : "text-slate-500"}`}>
        {children}
      </td>
    </tr>
  );
}

/** The rows a table shows instead of data: loading, the server's error, or nothing yet. */
export function QueryStateRows({
  query,
  colSpan,
  loading,
  empty,
}: {
  query: { isPending: boolean; isError: boolean; error: unknown; data?: readonly unknown[] };
  colSpan: number;
  loading: string;
  empty?: ReactNode;
}) {
  if (query.isPending) return <StateRow colSpan={colSpan}>{loading}</StateRow>;
  if (query.isError) {
    return (
      <StateRow colSpan={colSpan} tone="error">
        {errorMessage(query.error)}
      </StateRow>
    );
  }
  if (empty !== undefined && query.data?.length === 0) return <StateRow colSpan={colSpan}>{empty}</StateRow>;
  return null;
}

/** "Are you sure?" for something that cannot be undone, with the server's refusal under the text. */
export function DangerConfirm({
  title,
  confirmLabel,
  pending,
  error,
  onConfirm,
  onCancel,
  children,
}: {
  title: string;
  confirmLabel: string;
  pending: boolean;
  error: unknown;
  onConfirm: () => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  return (
    <ConfirmDialog
      title={title}
      onCancel={onCancel}
      actions={
        <>
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
          <Button variant="danger" disabled={pending} onClick={onConfirm}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      {children}
      {error ? (
        <div className="mt-3">
          <FormError message={errorMessage(error)} />
        </div>
      ) : null}
    </ConfirmDialog>
  );
}

/** A notice that something just worked (role="status" so it is announced). */
export function SuccessNote({ children }: { children: ReactNode }) {
  return (
    <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
      {children}
    </p>
  );
}
