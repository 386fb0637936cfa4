import type { ChildrenState } from "@/server/engine/state";
import type { CommittedEvent } from "@/server/engine/events";

/** How far a for-each (or a sub-workflow) has got, from its `children` in the run state. */
export type ChildProgress = { total: number; done: number; failed: number; running: number };

export function childProgressOf(children: ChildrenState): ChildProgress {
  return {
    total: children.total,
    // Once the node has finished its results are its output, and only their count is kept.
    done: children.succeeded ?? Object.keys(children.results).length,
    failed: Object.keys(children.errors).length,
    running: Object.keys(children.inFlight).length,
  };
}

/** "37 / 120 done · 2 failed · 4 running": the parts that are zero are left out, except done. */
export function childProgressText({ total, done, failed, running }: ChildProgress): string {
  return [`${done} / ${total} done`, failed > 0 ? `${failed} failed` : null, running > 0 ? `${running} running` : null].filter(Boolean).join(" · ");
}

/** Width of each part of the progress bar, in percent of the whole list. */
export function childProgressShares({ total, done, failed, running }: ChildProgress): { done: number; failed: number; running: number } {
  if (total === 0) return { done: 0, failed: 0, running: 0 };
  const share = (count: number) => Math.min(100, (count * 100) / total);
  return { done: share(done), failed: share(failed), running: share(running) };
}

/**
 * The latest child run a node started (a sub-workflow's one child; a retried node starts a new
 * one), from the run's events: the state forgets a child once it has finished.
 */
export function latestChildRunId(events: readonly CommittedEvent[], nodeId: string): string | null {
  for (let at = events.length - 1; at >= 0; at -= 1) {
    const event = events[at];
    if (event?.type === "child_started" && event.nodeId === nodeId) return event.childRunId;
  }
  return null;
}
