import "server-only";
import type { Db } from "../db";
import { getRunEvents } from "../runs/queries";
import { getRunEventHub, type RunEventHub } from "./run-event-hub";
import { MAX_STREAMS_PER_VIEWER } from "./viewer-limits";
import { openSseStream, type SseChannel } from "./sse";
import { readLiveTexts } from "./live-tokens";
import { componentLog } from "../ops/log";

const logger = componentLog("sse");

/** `RunStep.seq` is a Postgres `integer`. */
const MAX_SEQ = 2 ** 31 - 1;

/**
 * The sequence number to resume after: `Last-Event-ID` (sent by the browser when it
 * reconnects) wins over `?after=` (what the page already holds when it first connects).
 *
 * Anything that is not a plain decimal integer in 0..2^31-1 — `abc`, `-3`, `1e3`, `4.5`,
 * `99999999999` — counts as 0, i.e. the whole log is sent again, rather than a 400: our own
 * ids are always valid, so only a foreign or damaged client sends such a value; replaying is
 * always safe because clients drop events by seq; and a 400 would make an EventSource give up
 * for good (it never retries a non-200 answer).
 */
export function parseResumeCursor(request: Request): number {
  const header = request.headers.get("last-event-id")?.trim();
  const raw = header ? header : new URL(request.url).searchParams.get("after")?.trim();
  if (!raw || !/^\d{1,10}$/.test(raw)) return 0;
  const seq = Number(raw);
  return seq <= MAX_SEQ ? seq : 0;
}

export type StreamRunEventsParams = {
  db: Db;
  runId: string;
  /** Events with a greater seq are sent (see `parseResumeCursor`). */
  afterSeq: number;
  /** Whose stream this is, for the per-viewer limit (a user id or an API key id). */
  viewerKey: string;
  /** Streams one viewer may hold open at once (MAX_STREAMS_PER_VIEWER by default). */
  limit?: number;
  /** The request's signal: aborted when the client goes away. */
  signal: AbortSignal;
  hub?: RunEventHub;
};

/**
 * Server-Sent Events of one run (which the caller has checked exists): every event after
 * `afterSeq` as `id: <seq>` / `event: run-event`, then the live ones, until `run_finished`.
 * Redis notices (through the process's shared hub) only wake the stream; events are always
 * read from the Postgres log, so a missed notice never makes a client skip an event.
 *
 * Live tokens ride along as `event: token` frames without an `id:` (they are not part of the
 * log, so `Last-Event-ID` still names the last committed event): `{nodeId, callKey, offset,
 * text}`, first the texts so far of the calls in flight (offset 0), then each delta. The
 * committed `llm_response` of a call replaces its live text.
 *
 * Answers 204 when the run has finished and the client already holds its last event (an
 * EventSource stops reconnecting on 204), and 429 `too_many_streams` when the viewer has
 * `MAX_STREAMS_PER_VIEWER` streams open.
 */
export async function streamRunEvents({ db, runId, afterSeq, viewerKey, limit = MAX_STREAMS_PER_VIEWER, signal, hub = getRunEventHub() }: StreamRunEventsParams): Promise<Response> {
  const last = await db.runStep.findFirst({ where: { runId }, orderBy: { seq: "desc" }, select: { seq: true, type: true } });
  const lastSeq = last?.seq ?? 0;
  if (last?.type === "run_finished" && afterSeq >= lastSeq) return new Response(null, { status: 204 });
  // A cursor past the end of the log cannot be one of ours; resuming there could skip the
  // run's end and leave the stream open forever, so resume from the end instead.
  let lastSent = Math.min(afterSeq, lastSeq);

  return openSseStream({ viewerKey, limit, signal, what: "live run streams" }, (channel) => {
    // One read at a time; wake-ups during a read fold into one more read after it, so a burst
    // of notices costs at most two queries and never sends an event twice.
    let reading = false;
    let readAgain = false;
    const pump = () => {
      if (channel.closed) return;
      if (reading) {
        readAgain = true;
        return;
      }
      reading = true;
      void (async () => {
        try {
          do {
            readAgain = false;
            for (const event of await getRunEvents(db, runId, lastSent)) {
              if (channel.closed) return;
              lastSent = event.seq;
              channel.send(`id: ${event.seq}\nevent: run-event\ndata: ${JSON.stringify(event)}\n\n`);
              if (event.type === "run_finished") return channel.close();
            }
          } while (readAgain && !channel.closed);
        } catch (error) {
          // Ending the stream makes the browser reconnect with Last-Event-ID after `retry`.
          logger.error({ err: error, runId }, "reading the run failed");
          channel.close();
        } finally {
          reading = false;
        }
      })();
    };
    // Watch before the first read: a commit after the read is then always followed by a wake.
    const unwatch = hub.watchRun(runId, pump);
    const unwatchTokens = forwardLiveTokens(hub, runId, channel);
    pump();
    return () => {
      unwatch();
      unwatchTokens();
    };
  });
}

/**
 * Sends the run's live token deltas as `event: token` frames. Whenever the subscription
 * becomes live (at first, after a reconnect) the texts so far are read and sent before any
 * delta that arrived meanwhile; a delta the text so far already holds is recognised by the
 * client from its offset.
 */
function forwardLiveTokens(hub: RunEventHub, runId: string, channel: SseChannel): () => void {
  const sendToken = (payload: string) => channel.send(`event: token\ndata: ${payload}\n\n`);
  let held: string[] | null = [];
  let reads = 0;
  const onToken = (payload: string) => {
    if (held) held.push(payload);
    else sendToken(payload);
  };
  const onLive = () => {
    held ??= [];
    const read = ++reads;
    readLiveTexts(runId).then(
      (texts) => {
        if (channel.closed || read !== reads) return;
        for (const text of texts) sendToken(JSON.stringify(text));
        for (const payload of held ?? []) sendToken(payload);
        held = null;
      },
      (error: unknown) => {
        logger.warn({ err: error, runId }, "reading live texts failed");
        if (read !== reads) return;
        for (const payload of held ?? []) sendToken(payload);
        held = null;
      },
    );
  };
  return hub.watchRunTokens(runId, onToken, onLive);
}
