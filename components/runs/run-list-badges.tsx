/** Small pieces shared by the Runs page and the editor's run history. */

export { triggerLabel } from "@/lib/run-triggers";

/** A run made from another one: a re-run (same input) or a fork (edited history). */
export function RunOriginBadge({ origin }: { origin: string | null }) {
  if (origin !== "rerun" && origin !== "fork") return null;
  return (
    <span className="rounded-full bg-violet-50 px-1.5 py-px text-[10px] font-semibold tracking-wide text-violet-700 uppercase ring-1 ring-violet-200 ring-inset">
      {origin === "fork" ? "Fork" : "Re-run"}
    </span>
  );
}

/** Whether the list is following the workspace feed right now. */
export function LiveBadge({ live }: { live: boolean }) {
  return (
    <span className="inline-flex items-center gap-1.5" data-testid="runs-live" data-live={live}>
      <span aria-hidden="true" className={`size-1.5 rounded-full ${live ? "bg-emerald-500" : "bg-slate-300"}`} />
      {live ? "Live" : "Connecting…"}
    </span>
  );
}
