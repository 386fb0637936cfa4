"use client";

import { useEffect, useRef, useState } from "react";
import type { RunChange } from "@/server/streams/workspace-feed";

export type { RunChange };

const FEED_URL = "/api/workspace/events";
/** After the server refused the stream (429, a lost session): wait, growing, then try again. */
const FIRST_RETRY_MS = 2_000;
const MAX_RETRY_MS = 30_000;

type Listener = { onChange: (change: RunChange) => void; onLive: () => void; onConnected: (connected: boolean) => void };

function isRunChange(value: unknown): value is RunChange {
  if (!value || typeof value !== "object") return false;
  const record = value as Record<string, unknown>;
  return ["workspaceId", "runId", "workflowId", "status", "at"].every((key) => typeof record[key] === "string");
}

/**
 * One EventSource per browser tab, shared by every component that follows the feed (the Runs
 * page, the editor's run history, the Inbox count in the top bar): each open stream counts
 * against the viewer's limit on the server. Opened with the first listener, closed with the last.
 */
const listeners = new Set<Listener>();
let source: EventSource | null = null;
let connected = false;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let retryMs = FIRST_RETRY_MS;

function setConnected(value: boolean) {
  connected = value;
  for (const listener of [...listeners]) listener.onConnected(value);
}

function open() {
  if (source || listeners.size === 0) return;
  const eventSource = new EventSource(FEED_URL);
  source = eventSource;
  eventSource.addEventListener("live", () => {
    retryMs = FIRST_RETRY_MS;
    setConnected(true);
    for (const listener of [...listeners]) listener.onLive();
  });
  eventSource.addEventListener("run-change", (event) => {
    let data: unknown;
    try {
      data = JSON.parse((event as MessageEvent<string>).data);
    } catch {
      return;
    }
    if (!isRunChange(data)) return;
    for (const listener of [...listeners]) listener.onChange(data);
  });
  eventSource.addEventListener("error", () => {
    setConnected(false);
    // CONNECTING: the browser reconnects by itself (after the stream's `retry`). CLOSED: the
    // server answered with an error status, after which EventSource never retries on its own.
    if (eventSource.readyState !== EventSource.CLOSED) return;
    close();
    retryTimer = setTimeout(open, retryMs);
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  });
}

function close() {
  clearTimeout(retryTimer);
  retryTimer = undefined;
  source?.close();
  source = null;
}

function addListener(listener: Listener): () => void {
  listeners.add(listener);
  if (connected) listener.onConnected(true);
  open();
  return () => {
    listeners.delete(listener);
    if (listeners.size > 0) return;
    close();
    connected = false;
  };
}

/**
 * Calls `onChange` for every status change of a run of the signed-in workspace, as it
 * happens. Changes can be missed while the connection is down, so `onLive` is called each
 * time the feed is (again) live: re-read whatever the changes keep up to date. Returns whether
 * the feed is connected now.
 */
export function useWorkspaceFeed(onChange: (change: RunChange) => void, options: { onLive?: () => void; enabled?: boolean } = {}): { connected: boolean } {
  const enabled = options.enabled ?? true;
  const onChangeRef = useRef(onChange);
  const onLiveRef = useRef(options.onLive);
  useEffect(() => {
    onChangeRef.current = onChange;
    onLiveRef.current = options.onLive;
  });
  const [isConnected, setIsConnected] = useState(false);

  useEffect(() => {
    if (!enabled) return;
    const remove = addListener({
      onChange: (change) => onChangeRef.current(change),
      onLive: () => onLiveRef.current?.(),
      onConnected: setIsConnected,
    });
    return () => {
      remove();
      setIsConnected(false);
    };
  }, [enabled]);

  return { connected: enabled && isConnected };
}
