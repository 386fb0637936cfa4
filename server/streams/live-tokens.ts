import type { Redis } from "ioredis";
import { getEnv } from "../env";
import { getRedis } from "../events";
import { componentLog } from "../ops/log";

const logger = componentLog("live-tokens");

/**
 * Live tokens: the text of a model answer while it is being written, for the canvas, the run
 * page and SSE clients. Ephemeral on purpose — nothing here is committed: the answer is
 * committed once, as the `llm_response` event, when the call ends, so crash safety and replay
 * are exactly what they were. Redis carries two things per run:
 *  - a channel of deltas (`TokenDelta`), coalesced by the worker to one message per
 *    `LIVE_TOKENS_FLUSH_MS` per call. The first piece goes on the next turn of the event loop
 *    (a millisecond: time to first token), not at once: a reply that arrives whole, in one
 *    network read (a short answer, a tool call), has ended by then and costs Redis nothing;
 *    its text reaches viewers with the committed answer, a moment later;
 *  - a hash of each call's text so far, so a viewer who joins mid-answer starts from it. It
 *    expires `LIVE_TEXT_TTL_MS` after its last write (a worker that crashed mid-answer leaves
 *    nothing behind for long) and its field is deleted when the call ends, before the answer
 *    is committed.
 */

/** One piece of an answer: `text` goes at character `offset` of the call's text so far. */
export type TokenDelta = {
  nodeId: string;
  /** Which model call of the node: the number of messages it sent (the committed `llm_response`'s `sentMessages`). */
  callKey: string;
  offset: number;
  text: string;
};

export const LIVE_TOKENS_FLUSH_MS = 60;
export const LIVE_TEXT_TTL_MS = 10 * 60_000;

export function liveTokensChannel(runId: string): string {
  return `${getEnv().QUEUE_PREFIX}:run-tokens:${runId}`;
}

function liveTextKey(runId: string): string {
  return `${getEnv().QUEUE_PREFIX}:run-live-text:${runId}`;
}

const fieldOf = (nodeId: string, callKey: string) => JSON.stringify([nodeId, callKey]);

export type LiveTokenWriter = {
  /** Hands over the next piece of the answer (never throws; Redis trouble only costs live text). */
  push(text: string): void;
  /** Voids the text so far (another provider answers instead): viewers get an empty text at offset 0. */
  restart(): void;
  /** Sends what is pending, then forgets the call's text so far. Await it before committing the answer. */
  finish(): Promise<void>;
};

/**
 * The worker's side for one model call. Writes are chained so deltas reach Redis in order;
 * a failed write is logged once and the call goes on (live text is a nicety, never a reason
 * to fail a run).
 */
export function createLiveTokenWriter(runId: string, nodeId: string, callKey: string, options: { redis?: Redis; flushMs?: number } = {}): LiveTokenWriter {
  const redis = options.redis ?? getRedis();
  const flushMs = options.flushMs ?? LIVE_TOKENS_FLUSH_MS;
  const key = liveTextKey(runId);
  const channel = liveTokensChannel(runId);
  const field = fieldOf(nodeId, callKey);
  let sent = "";
  let pending = "";
  let lastFlush = Number.NEGATIVE_INFINITY;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let writes: Promise<void> = Promise.resolve();
  let warned = false;
  let finished = false;
  /** Whether anything of this call went to Redis (then its text so far must be deleted at the end). */
  let wrote = false;

  const write = (delta: TokenDelta, text: string) => {
    wrote = true;
    writes = writes.then(async () => {
      try {
        // The publish goes last: a viewer woken by it and reading the hash finds this text in it.
        await redis.multi().hset(key, field, text).pexpire(key, LIVE_TEXT_TTL_MS).publish(channel, JSON.stringify(delta)).exec();
      } catch (error) {
        if (!warned) logger.warn({ err: error, runId }, "publishing live tokens failed");
        warned = true;
      }
    });
  };

  const flush = () => {
    timer = undefined;
    if (pending === "") return;
    const delta: TokenDelta = { nodeId, callKey, offset: sent.length, text: pending };
    sent += pending;
    pending = "";
    lastFlush = performance.now();
    write(delta, sent);
  };

  return {
    push(text) {
      if (finished || text === "") return;
      pending += text;
      if (timer) return;
      timer = setTimeout(flush, Math.max(0, lastFlush + flushMs - performance.now()));
    },
    restart() {
      if (finished || (sent === "" && pending === "")) return;
      clearTimeout(timer);
      timer = undefined;
      sent = "";
      pending = "";
      // Viewers saw nothing of the call yet: there is nothing for them to start over from.
      if (wrote) write({ nodeId, callKey, offset: 0, text: "" }, "");
    },
    async finish() {
      if (finished) return writes;
      finished = true;
      clearTimeout(timer);
      // Nothing reached Redis (the call streamed nothing, or its reply came whole before the
      // first flush): no round trip; the committed answer carries the text.
      if (!wrote) return writes;
      // The last piece and the end of the text so far, in one round trip.
      const last: TokenDelta | null = pending === "" ? null : { nodeId, callKey, offset: sent.length, text: pending };
      sent += pending;
      pending = "";
      writes = writes.then(async () => {
        try {
          const end = redis.multi();
          if (last) end.publish(channel, JSON.stringify(last));
          await end.hdel(key, field).exec();
        } catch {
          // the field expires with its key
        }
      });
      return writes;
    },
  };
}

/** Every call's text so far in the run (each as a delta at offset 0), for a viewer who just joined. */
export async function readLiveTexts(runId: string, redis: Redis = getRedis()): Promise<TokenDelta[]> {
  const fields = await redis.hgetall(liveTextKey(runId));
  return Object.entries(fields).flatMap(([field, text]) => {
    try {
      const [nodeId, callKey] = JSON.parse(field) as [unknown, unknown];
      return typeof nodeId === "string" && typeof callKey === "string" ? [{ nodeId, callKey, offset: 0, text }] : [];
    } catch {
      return [];
    }
  });
}
