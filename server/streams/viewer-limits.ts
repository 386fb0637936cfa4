import type { WorkspaceAccess } from "../auth/access";

/**
 * Concurrent live streams per viewer (a user id or an API key id), counted in this web
 * process. A stream holds its slot from the moment it is accepted until it closes, however
 * it closes (client gone, run finished, error): `release` is idempotent, so every exit path
 * may call it.
 *
 * In memory on purpose: a count kept in Redis outlives a crashed process unless every slot
 * carries a TTL that streams keep renewing; here a slot cannot outlive its process. The
 * price is that the limit is per web process, not global — enough to stop one viewer (a
 * runaway tab, a script) from exhausting a process's sockets and database pool.
 */
export const MAX_STREAMS_PER_VIEWER = 20;

/** Whose streams these are: open streams are counted per person or key, whoever holds them. */
export function streamViewerKey(access: WorkspaceAccess): string {
  return `${access.actor.kind}:${access.actor.kind === "system" ? "system" : access.actor.id}`;
}

/** Seconds a refused viewer is told to wait (`Retry-After`): about one EventSource reconnect cycle. */
export const STREAM_RETRY_AFTER_SECONDS = 5;

const openByViewer = new Map<string, number>();

/** Takes a slot for `viewerKey`; null when the viewer already has `limit` streams open. */
export function acquireStreamSlot(viewerKey: string, limit = MAX_STREAMS_PER_VIEWER): (() => void) | null {
  const open = openByViewer.get(viewerKey) ?? 0;
  if (open >= limit) return null;
  openByViewer.set(viewerKey, open + 1);
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    const left = (openByViewer.get(viewerKey) ?? 1) - 1;
    if (left > 0) openByViewer.set(viewerKey, left);
    else openByViewer.delete(viewerKey);
  };
}

/** Streams `viewerKey` has open in this process. */
export function openStreamCount(viewerKey: string): number {
  return openByViewer.get(viewerKey) ?? 0;
}
