"use client";

import { useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useRef } from "react";
import { useWorkspaceFeed } from "@/components/runs/use-workspace-feed";
import { useTRPC } from "@/components/trpc";

/** At most one re-count per this long, however many runs change meanwhile (the last change is never missed). */
const RECOUNT_INTERVAL_MS = 1_000;

/**
 * How many tasks wait in the workspace, on the top bar's Inbox link. Live without polling: a
 * task appears or goes with its run's status (waiting_for_human ↔ anything else), so the count
 * is re-read on each run change of the workspace feed, when the feed is (again) live, and when
 * the tab regains focus (in case the feed was down meanwhile).
 */
export function InboxCountBadge() {
  const trpc = useTRPC();
  const count = useQuery(trpc.human.pendingCount.queryOptions(undefined, { staleTime: 0, refetchOnWindowFocus: true }));
  const { refetch } = count;
  const recount = useThrottled(useCallback(() => void refetch(), [refetch]), RECOUNT_INTERVAL_MS);
  useWorkspaceFeed(recount, { onLive: recount });

  const waiting = count.data ?? 0;
  if (waiting === 0) return null;
  return (
    <>
      <span
        aria-hidden="true"
        data-testid="inbox-count"
        className="ml-1.5 inline-flex h-4.5 min-w-4.5 items-center justify-center rounded-full bg-amber-500 px-1 text-[11px] leading-none font-semibold text-white tabular-nums"
      >
        {waiting > 99 ? "99+" : waiting}
      </span>
      <span className="sr-only"> ({waiting} waiting)</span>
    </>
  );
}

/** Calls `action` now, and once more at the end of the interval if asked again meanwhile. */
function useThrottled(action: () => void, intervalMs: number): () => void {
  const actionRef = useRef(action);
  useEffect(() => {
    actionRef.current = action;
  });
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const askedAgain = useRef(false);
  useEffect(() => () => clearTimeout(timer.current), []);
  return useCallback(() => {
    if (timer.current) {
      askedAgain.current = true;
      return;
    }
    actionRef.current();
    const settle = () => {
      if (!askedAgain.current) {
        timer.current = undefined;
        return;
      }
      askedAgain.current = false;
      actionRef.current();
      timer.current = setTimeout(settle, intervalMs);
    };
    timer.current = setTimeout(settle, intervalMs);
  }, [intervalMs]);
}
