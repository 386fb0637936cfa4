import type { RunStatus } from "@/server/engine/events";

const STYLES: Record<RunStatus, string> = {
  queued: "bg-slate-100 text-slate-600 ring-slate-200",
  running: "bg-accent-50 text-accent-700 ring-accent-200",
  waiting_for_human: "bg-amber-50 text-amber-700 ring-amber-200",
  paused: "bg-slate-100 text-slate-600 ring-slate-200",
  succeeded: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  failed: "bg-red-50 text-red-700 ring-red-200",
  rejected: "bg-orange-50 text-orange-700 ring-orange-200",
  cancelled: "bg-slate-100 text-slate-500 ring-slate-200",
  compensated: "bg-violet-50 text-violet-700 ring-violet-200",
  compensation_failed: "bg-rose-50 text-rose-800 ring-rose-300",
};

const DOTS: Record<RunStatus, string> = {
  queued: "bg-slate-400",
  running: "bg-accent-500 animate-pulse",
  waiting_for_human: "bg-amber-500 animate-pulse",
  paused: "bg-slate-400",
  succeeded: "bg-emerald-500",
  failed: "bg-red-500",
  rejected: "bg-orange-500",
  cancelled: "bg-slate-400",
  compensated: "bg-violet-500",
  compensation_failed: "bg-rose-600",
};

export function runStatusLabel(status: RunStatus): string {
  return status === "waiting_for_human" ? "waiting for human" : status.replaceAll("_", " ");
}

/** Server data may carry a status this build does not know yet; show it neutrally rather than crash. */
function isKnown(status: string): status is RunStatus {
  return status in STYLES;
}

export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  const known = isKnown(status);
  return (
    <span
      className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${
        known ? STYLES[status] : "bg-slate-100 text-slate-600 ring-slate-200"
      }`}
    >
      <span aria-hidden="true" className={`size-1.5 rounded-full ${known ? DOTS[status] : "bg-slate-400"}`} />
      {/* The test hook holds the raw status so specs can match it exactly. */}
      <span data-testid={testId} data-status={status} className="sr-only">
        {status}
      </span>
      <span aria-hidden="true">{known ? runStatusLabel(status) : status}</span>
    </span>
  );
}
