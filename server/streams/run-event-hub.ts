import { Redis } from "ioredis";
import { getEnv } from "../env";
import { reconnectWithinASecond, runChannel } from "../events";
import { liveTokensChannel } from "./live-tokens";
import { componentLog } from "../ops/log";
import { closeOnShutdown } from "../ops/closers";

const logger = componentLog("run-event-hub");

/**
 * One Redis subscriber connection per web process, shared by every live run stream (SSE) in
 * it; messages are fanned out in memory to the viewers of their run. Redis messages are only
 * wake-ups: viewers always read the events from the Postgres log, so a lost message (or one
 * lost while the connection was down) delays a viewer, it never makes one skip an event.
 *
 * Per-run SUBSCRIBE with reference counting rather than one PSUBSCRIBE on
 * `<prefix>:run-events:*`: `publishRunEvents` sends the committed events themselves (model
 * replies, tool results — kilobytes, not a tiny notice), and a pattern subscription would
 * deliver every run's payloads to every web process, watched there or not, so Redis output
 * and each process's parsing would grow with (all runs × web processes). With per-run
 * subscriptions a process only receives the runs its viewers watch, and Redis does the
 * routing in its channel dictionary. The cost is a SUBSCRIBE when a run gets its first viewer
 * in this process and an UNSUBSCRIBE when it loses its last — commands on one connection are
 * executed in order, so a leave-then-rejoin always ends subscribed. (It also maps onto Redis
 * Cluster's sharded SSUBSCRIBE, where a pattern would have to be broadcast to every shard.)
 *
 * The same connection carries each watched run's live token channel (server/streams/live-tokens.ts),
 * subscribed the same way; those messages are the data itself (ephemeral text, never read
 * back from Postgres), handed to the run's token viewers as they arrive.
 *
 * Guarantees to a viewer's `onWake`, which is what makes "read Postgres on each wake" lossless:
 * it is called for every message on its run's channel while subscribed, in the order Redis
 * delivered them; once when the subscription it joined becomes live (anything committed between
 * its first read and that moment is picked up); and once after every reconnect, when the
 * subscription is live again (messages published while the connection was down are lost by Redis).
 *
 * Wakes are delivered in slices of WAKE_SLICE viewers, one slice per turn of the event loop,
 * not all at once when the message arrives. A commit watched by 1,000 viewers costs 1,000
 * socket writes (~15–30 µs each); delivered in one go, the next commits of the same run (a
 * human gate's answer, then the worker's steps, come a few ms apart) would wait in the Redis
 * socket until all of them are written, and then cost 1,000 writes each. Between slices the
 * loop reads Redis again: a message that arrives meanwhile joins the wakes still waiting, so
 * the viewers not yet reached get both in the same turn — one socket write, as Node corks a
 * response's writes within a tick — and only those already reached need another.
 */
export type RunEventHub = {
  /**
   * Registers `onWake` for the run's notices; returns the (idempotent) unsubscribe. A wake by a
   * message carries its payload (the committed events as JSON, `publishRunEvents`); a wake when
   * the subscription becomes live, or is live again after a reconnect, carries `null`.
   */
  watchRun(runId: string, onWake: (events: Buffer | null) => void): () => void;
  /**
   * Registers for the run's live token deltas (server/streams/live-tokens.ts) on the same
   * connection: `onToken` gets each message's payload (a `TokenDelta` as JSON), `onLive` is
   * called when the subscription is live — first, and again after every reconnect — which is
   * when the viewer reads the texts so far. Returns the (idempotent) unsubscribe.
   */
  watchRunTokens(runId: string, onToken: (payload: string) => void, onLive: () => void): () => void;
  /**
   * Calls `callback` once no wake is waiting to be delivered (for any run): in a microtask when
   * none is, and after at most a second of a queue that never empties. A stream that has written
   * a run's last event ends its response through this: ending one costs more than writing a
   * frame, and the run's other viewers may still be waiting for theirs.
   */
  afterQueuedWakes(callback: () => void): void;
  /** Runs watched by at least one viewer in this process. */
  watchedRuns(): number;
  close(): Promise<void>;
};

/**
 * `pending`: the wakes not yet delivered, in order; `queued`: whether it is in the hub's delivery
 * queue; `watching`: false once unsubscribed (its pending wakes are then dropped).
 */
type Viewer = { onWake: (events: Buffer | null) => void; pending: (Buffer | null)[]; queued: boolean; watching: boolean };
type TokenViewer = { onToken: (payload: string) => void; onLive: () => void };

/** Viewers woken per turn of the event loop (see the hub's comment): well under a millisecond of socket writes. */
const WAKE_SLICE = 16;
/** How long afterQueuedWakes callbacks wait for a queue that never empties (a steady flood of notices). */
const AFTER_WAKES_MAX_WAIT_MS = 1_000;

export type RunEventHubOptions = {
  redisUrl?: string;
  /** Shown in Redis `CLIENT LIST`, so operators (and tests) can count these connections. */
  connectionName?: string;
};

/** The name the process's hub connection carries in `CLIENT LIST`. */
export function runEventHubConnectionName(): string {
  return `${getEnv().QUEUE_PREFIX}:run-event-hub:${process.pid}`;
}

export function createRunEventHub(options: RunEventHubOptions = {}): RunEventHub {
  const channels = new Map<string, Set<Viewer>>();
  // Token channels carry their payload (the text itself), unlike the run-event wake-ups.
  const tokenChannels = new Map<string, Set<TokenViewer>>();
  const subscriber = new Redis(options.redisUrl ?? getEnv().REDIS_URL, {
    connectionName: options.connectionName ?? runEventHubConnectionName(),
    // Subscriptions wait through reconnects instead of failing the viewer.
    maxRetriesPerRequest: null,
    retryStrategy: reconnectWithinASecond,
    // We resubscribe ourselves after a reconnect so we know when the subscriptions are live
    // again; ioredis's own resubscribe is sent after its "ready" event, too late to wake on.
    autoResubscribe: false,
  });
  let readyBefore = false;
  let closed = false;

  // Viewers with wakes to deliver, first come first served; `head` is the next to serve.
  let queue: Viewer[] = [];
  let head = 0;
  let delivering = false;
  // afterQueuedWakes callbacks, run when the queue is empty (or has been busy for a while).
  let afterWakes: { since: number; callback: () => void }[] = [];

  const runAfterWakes = (all: boolean) => {
    if (afterWakes.length === 0 || (!all && performance.now() - (afterWakes[0] as { since: number }).since < AFTER_WAKES_MAX_WAIT_MS)) return;
    const due = afterWakes;
    afterWakes = [];
    for (const { callback } of due) {
      try {
        callback();
      } catch (error) {
        logger.error({ err: error }, "an afterQueuedWakes callback failed");
      }
    }
  };

  const deliverSlice = () => {
    let woken = 0;
    while (head < queue.length && woken < WAKE_SLICE) {
      const viewer = queue[head++] as Viewer;
      viewer.queued = false;
      const wakes = viewer.pending;
      viewer.pending = [];
      if (!viewer.watching) continue;
      woken += 1;
      for (const events of wakes) {
        try {
          viewer.onWake(events);
        } catch (error) {
          logger.error({ err: error }, "a viewer failed on wake");
        }
      }
    }
    if (head < queue.length) {
      runAfterWakes(false);
      return void setImmediate(deliverSlice);
    }
    queue = [];
    head = 0;
    delivering = false;
    runAfterWakes(true);
  };

  /** Queues a wake for each viewer; delivered from the next turn of the loop on, in slices. */
  const wake = (viewers: Iterable<Viewer>, events: Buffer | null) => {
    if (closed) return;
    for (const viewer of viewers) {
      viewer.pending.push(events);
      if (viewer.queued) continue;
      viewer.queued = true;
      queue.push(viewer);
    }
    if (delivering) return;
    delivering = true;
    // setImmediate, not a microtask: the other messages of the same Redis read arrive first.
    setImmediate(deliverSlice);
  };

  const liveAgain = (viewers: Iterable<TokenViewer>) => {
    for (const viewer of [...viewers]) {
      try {
        viewer.onLive();
      } catch (error) {
        logger.error({ err: error }, "a token viewer failed");
      }
    }
  };

  /** Subscribes and, once Redis confirms, wakes the viewers still registered on those channels. */
  const subscribe = (names: string[]) => {
    subscriber.subscribe(...names).then(
      () => {
        for (const name of names) {
          const viewers = channels.get(name);
          if (viewers) wake(viewers, null);
          const tokenViewers = tokenChannels.get(name);
          if (tokenViewers) liveAgain(tokenViewers);
        }
      },
      (error: unknown) => {
        if (!closed) logger.error({ err: error }, "subscribe failed");
      },
    );
  };

  // The buffer event: a payload is decoded only by a viewer that wants it.
  subscriber.on("messageBuffer", (channel: Buffer, message: Buffer) => {
    const name = channel.toString();
    const viewers = channels.get(name);
    if (viewers) wake(viewers, message);
    const tokenViewers = tokenChannels.get(name);
    if (!tokenViewers) return;
    const payload = message.toString();
    for (const viewer of [...tokenViewers]) {
      try {
        viewer.onToken(payload);
      } catch (error) {
        logger.error({ err: error }, "a token viewer failed");
      }
    }
  });
  subscriber.on("ready", () => {
    if (!readyBefore) {
      readyBefore = true; // the first connection: subscriptions queued offline are flushed now
      return;
    }
    // A reconnect: the new connection has no subscriptions, and whatever was published while
    // it was down is gone. Subscribing again wakes every viewer, who re-reads Postgres.
    if (channels.size + tokenChannels.size > 0) subscribe([...channels.keys(), ...tokenChannels.keys()]);
  });
  subscriber.on("error", (error: Error) => {
    if (!closed) logger.warn({ err: error }, "redis error");
  });

  return {
    watchRun(runId, onWake) {
      if (closed) throw new Error("The run event hub is closed");
      const name = runChannel(runId);
      const viewer: Viewer = { onWake, pending: [], queued: false, watching: true };
      let viewers = channels.get(name);
      if (!viewers) {
        viewers = new Set();
        channels.set(name, viewers);
        subscribe([name]);
      }
      viewers.add(viewer);
      return () => {
        if (!viewer.watching) return;
        viewer.watching = false;
        viewer.pending = [];
        const current = channels.get(name);
        if (!current?.delete(viewer) || current.size > 0) return;
        channels.delete(name);
        if (!closed) subscriber.unsubscribe(name).catch(() => undefined);
      };
    },
    watchRunTokens(runId, onToken, onLive) {
      if (closed) throw new Error("The run event hub is closed");
      const name = liveTokensChannel(runId);
      const viewer: TokenViewer = { onToken, onLive };
      let viewers = tokenChannels.get(name);
      if (!viewers) {
        viewers = new Set();
        tokenChannels.set(name, viewers);
        viewers.add(viewer);
        subscribe([name]);
      } else {
        viewers.add(viewer);
        // Already live: this viewer may read the texts so far at once.
        queueMicrotask(() => {
          if (tokenChannels.get(name)?.has(viewer)) viewer.onLive();
        });
      }
      let watching = true;
      return () => {
        if (!watching) return;
        watching = false;
        const current = tokenChannels.get(name);
        if (!current?.delete(viewer) || current.size > 0) return;
        tokenChannels.delete(name);
        if (!closed) subscriber.unsubscribe(name).catch(() => undefined);
      };
    },
    afterQueuedWakes(callback) {
      if (delivering) afterWakes.push({ since: performance.now(), callback });
      else queueMicrotask(callback);
    },
    watchedRuns: () => channels.size,
    async close() {
      if (closed) return;
      closed = true;
      for (const viewer of queue) viewer.watching = false;
      channels.clear();
      tokenChannels.clear();
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}

// On globalThis so Next's dev reloads reuse the process's connection instead of adding one.
const globalForHub = globalThis as unknown as { agentflowRunEventHub?: RunEventHub };

/** The process's hub, created (and connected) on first use. */
export function getRunEventHub(): RunEventHub {
  if (!globalForHub.agentflowRunEventHub) {
    globalForHub.agentflowRunEventHub = createRunEventHub();
    closeOnShutdown(closeRunEventHub);
  }
  return globalForHub.agentflowRunEventHub;
}

export async function closeRunEventHub(): Promise<void> {
  const hub = globalForHub.agentflowRunEventHub;
  globalForHub.agentflowRunEventHub = undefined;
  await hub?.close();
}
