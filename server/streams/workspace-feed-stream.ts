import "server-only";
import { openSseStream } from "./sse";
import { MAX_STREAMS_PER_VIEWER } from "./viewer-limits";
import { getWorkspaceFeedHub, type RunChange, type WorkspaceFeedHub } from "./workspace-feed";

export type StreamWorkspaceFeedParams = {
  /** The workspace of the caller's resolved access — never one named by the client. */
  workspaceId: string;
  /** Whose stream this is, for the per-viewer limit (shared with run streams). */
  viewerKey: string;
  limit?: number;
  signal: AbortSignal;
  hub?: WorkspaceFeedHub;
};

/**
 * Server-Sent Events of one workspace's run changes:
 *  - `event: live` when the feed is subscribed (and again after Redis reconnects): anything
 *    may have changed unseen before it, so the client re-reads its list then;
 *  - `event: run-change`, data `RunChange` JSON, for each status change after that.
 * There is nothing to resume (no ids): a reconnecting client gets `live` and re-reads.
 * 429 `too_many_streams` when the viewer already holds its limit of streams.
 */
export function streamWorkspaceFeed({ workspaceId, viewerKey, limit = MAX_STREAMS_PER_VIEWER, signal, hub = getWorkspaceFeedHub() }: StreamWorkspaceFeedParams): Response {
  return openSseStream({ viewerKey, limit, signal, what: "live streams" }, (channel) =>
    hub.watchWorkspace(workspaceId, {
      onLive: () => channel.send("event: live\ndata: {}\n\n"),
      onChange: (change: RunChange) => {
        // The hub routes by workspace already; checked again where the data leaves the server.
        if (change.workspaceId === workspaceId) channel.send(`event: run-change\ndata: ${JSON.stringify(change)}\n\n`);
      },
    }),
  );
}
