import { Redis } from "ioredis";
import { z } from "zod";
import { getEnv } from "../env";
import { getRedis, reconnectWithinASecond } from "../events";
import { componentLog } from "../ops/log";
import { closeOnShutdown } from "../ops/closers";

const logger = componentLog("workspace-feed");

/**
 * The workspace live feed: a small notice whenever a run's status changes, so lists (the
 * Runs page, the editor's run history, the Inbox count) update without polling.
 *
 * Whoever commits a status change publishes it after the commit (`publishRunChange`); every
 * web process holds one Redis subscription for all of them (`getWorkspaceFeedHub`) and fans
 * each notice out in memory to the streams of that workspace's viewers.
 *
 * One channel for every workspace rather than one per workspace (as runs have, see
 * run-event-hub.ts): a notice is ~150 bytes and a run changes status a handful of times, so
 * every process receiving all of them costs little, while per-workspace subscriptions would
 * cost a SUBSCRIBE/UNSUBSCRIBE whenever a workspace gains or loses its last viewer here.
 *
 * Notices are wake-ups, not the truth: Redis drops what is published while a subscriber is
 * disconnected, so viewers are told when the subscription is live again (`onLive`) and then
 * re-read what they show from Postgres.
 *
 * No `server-only` here: the worker, which commits most status changes, publishes them.
 */
export type RunChange = { workspaceId: string; runId: string; workflowId: string; status: string; at: string };

const runChangeSchema = z.object({
  workspaceId: z.string().min(1).max(100),
  runId: z.string().min(1).max(100),
  workflowId: z.string().min(1).max(100),
  status: z.string().min(1).max(50),
  at: z.string().max(40),
});

export function runChangesChannel(): string {
  return `${getEnv().QUEUE_PREFIX}:run-changes`;
}

/**
 * Announces a committed status change. Never throws: a lost notice only delays a list until
 * its viewers next re-read (each stream's `live` event after a reconnect), so a Redis
 * outage must not fail the commit that preceded it.
 */
export async function publishRunChange(change: RunChange): Promise<void> {
  try {
    await getRedis().publish(runChangesChannel(), JSON.stringify(change));
  } catch (error) {
    logger.warn({ err: error, runId: change.runId }, "publishing a run change failed");
  }
}

export type WorkspaceFeedViewer = {
  onChange: (change: RunChange) => void;
  /** The subscription is live (first time, and again after every reconnect): re-read now. */
  onLive: () => void;
};

export type WorkspaceFeedHub = {
  /** Registers a viewer of one workspace's changes; returns the (idempotent) unsubscribe. */
  watchWorkspace(workspaceId: string, viewer: WorkspaceFeedViewer): () => void;
  /** Viewers in this process (all workspaces). */
  viewerCount(): number;
  close(): Promise<void>;
};

export type WorkspaceFeedHubOptions = { redisUrl?: string; connectionName?: string };

export function workspaceFeedConnectionName(): string {
  return `${getEnv().QUEUE_PREFIX}:workspace-feed:${process.pid}`;
}

export function createWorkspaceFeedHub(options: WorkspaceFeedHubOptions = {}): WorkspaceFeedHub {
  const byWorkspace = new Map<string, Set<WorkspaceFeedViewer>>();
  const channel = runChangesChannel();
  let subscriber: Redis | undefined;
  let live = false;
  let closed = false;

  /** One viewer's failure must not keep the notice from the others. */
  const safely = (notify: () => void) => {
    try {
      notify();
    } catch (error) {
      logger.error({ err: error }, "a viewer failed");
    }
  };
  const everyViewer = () => [...byWorkspace.values()].flatMap((viewers) => [...viewers]);

  const subscribe = (connection: Redis) => {
    connection.subscribe(channel).then(
      () => {
        live = true;
        for (const viewer of everyViewer()) safely(viewer.onLive);
      },
      (error: unknown) => {
        if (!closed) logger.error({ err: error }, "subscribe failed");
      },
    );
  };

  /** The connection is opened with the first viewer and kept for the life of the process. */
  const connect = () => {
    if (subscriber) return;
    const connection = new Redis(options.redisUrl ?? getEnv().REDIS_URL, {
      connectionName: options.connectionName ?? workspaceFeedConnectionName(),
      maxRetriesPerRequest: null,
      retryStrategy: reconnectWithinASecond,
      // Resubscribed by hand after a reconnect, so viewers learn when it is live again.
      autoResubscribe: false,
    });
    subscriber = connection;
    let readyBefore = false;
    connection.on("message", (from: string, message: string) => {
      if (from !== channel) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(message);
      } catch {
        return;
      }
      const change = runChangeSchema.safeParse(parsed);
      if (!change.success) return;
      const viewers = byWorkspace.get(change.data.workspaceId);
      if (!viewers) return;
      for (const viewer of [...viewers]) safely(() => viewer.onChange(change.data));
    });
    connection.on("ready", () => {
      if (!readyBefore) {
        readyBefore = true; // the first connection flushes the SUBSCRIBE queued below
        return;
      }
      live = false;
      subscribe(connection);
    });
    connection.on("close", () => {
      live = false;
    });
    connection.on("error", (error: Error) => {
      if (!closed) logger.warn({ err: error }, "redis error");
    });
    subscribe(connection);
  };

  return {
    watchWorkspace(workspaceId, viewer) {
      if (closed) throw new Error("The workspace feed hub is closed");
      connect();
      // A copy per registration: the same callbacks may watch twice and leave once.
      const entry: WorkspaceFeedViewer = { onChange: viewer.onChange, onLive: viewer.onLive };
      let viewers = byWorkspace.get(workspaceId);
      if (!viewers) {
        viewers = new Set();
        byWorkspace.set(workspaceId, viewers);
      }
      viewers.add(entry);
      // Joining a subscription that is already live: it is live for this viewer now.
      if (live) {
        queueMicrotask(() => {
          if (byWorkspace.get(workspaceId)?.has(entry)) safely(entry.onLive);
        });
      }
      let watching = true;
      return () => {
        if (!watching) return;
        watching = false;
        const current = byWorkspace.get(workspaceId);
        current?.delete(entry);
        if (current?.size === 0) byWorkspace.delete(workspaceId);
      };
    },
    viewerCount: () => everyViewer().length,
    async close() {
      if (closed) return;
      closed = true;
      byWorkspace.clear();
      await subscriber?.quit().catch(() => subscriber?.disconnect());
    },
  };
}

// On globalThis so Next's dev reloads reuse the process's connection instead of adding one.
const globalForFeed = globalThis as unknown as { agentflowWorkspaceFeedHub?: WorkspaceFeedHub };

export function getWorkspaceFeedHub(): WorkspaceFeedHub {
  if (!globalForFeed.agentflowWorkspaceFeedHub) {
    globalForFeed.agentflowWorkspaceFeedHub = createWorkspaceFeedHub();
    closeOnShutdown(closeWorkspaceFeedHub);
  }
  return globalForFeed.agentflowWorkspaceFeedHub;
}

export async function closeWorkspaceFeedHub(): Promise<void> {
  const hub = globalForFeed.agentflowWorkspaceFeedHub;
  globalForFeed.agentflowWorkspaceFeedHub = undefined;
  await hub?.close();
}
