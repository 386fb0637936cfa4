"use client";

import { keepPreviousData, useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef } from "react";
import { useTRPC, type RouterOutputs } from "@/components/trpc";
import type { RunListInput } from "./run-filters";
import { useWorkspaceFeed, type RunChange } from "./use-workspace-feed";

export type RunListRow = RouterOutputs["run"]["list"]["runs"][number];

/** At most one re-read of the list per this long, however many runs change meanwhile. */
const REFRESH_INTERVAL_MS = 1_000;

/** Calls `action` now, and once more at the end of the interval if asked again meanwhile. */
export function useThrottled(action: () => void, intervalMs: number): () => void {
  const actionRef = useRef(action);
  useEffect(() => {
    actionRef.current = action;
  });
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const pending = useRef(false);
  useEffect(() => () => clearTimeout(timer.current), []);
  return useCallback(() => {
    if (timer.current) {
      pending.current = true;
      return;
    }
    actionRef.current();
    const rest = () => {
      if (!pending.current) {
        timer.current = undefined;
        return;
      }
      pending.current = false;
      actionRef.current();
      timer.current = setTimeout(rest, intervalMs);
    };
    timer.current = setTimeout(rest, intervalMs);
  }, [intervalMs]);
}

/**
 * A page-by-page list of runs (the server filters; "Load more" follows the cursor) kept
 * current by the workspace feed instead of polling: a change shows on its row at once, and
 * the loaded pages are re-read (throttled) so new runs appear and rows that stopped
 * matching the filters leave. After the feed reconnects, the pages are re-read too.
 */
export function useLiveRunList(input: RunListInput) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const options = trpc.run.list.infiniteQueryOptions(input, {
    getNextPageParam: (page) => page.nextCursor,
    // While another filter loads, the old rows stay (dimmed) instead of the table collapsing.
    placeholderData: keepPreviousData,
  });
  const runs = useInfiniteQuery(options);
  const { queryKey } = options;

  const refresh = useThrottled(() => void queryClient.invalidateQueries({ queryKey }), REFRESH_INTERVAL_MS);
  const onChange = useCallback(
    (change: RunChange) => {
      if (input.workflowId && change.workflowId !== input.workflowId) return;
      queryClient.setQueryData(queryKey, (data) =>
        data && {
          ...data,
          pages: data.pages.map((page) => ({ ...page, runs: page.runs.map((run) => (run.id === change.runId ? { ...run, status: change.status } : run)) })),
        },
      );
      refresh();
    },
    [input.workflowId, queryClient, queryKey, refresh],
  );
  const { connected } = useWorkspaceFeed(onChange, { onLive: refresh });

  const rows = useMemo(() => {
    // Pages are positions in (createdAt, id) order, so a run is on one page only; a Set
    // still guards the keys while pages are re-read one after another.
    const seen = new Set<string>();
    return (runs.data?.pages ?? []).flatMap((page) => page.runs).filter((run) => !seen.has(run.id) && seen.add(run.id));
  }, [runs.data]);

  return { runs, rows, live: connected };
}
