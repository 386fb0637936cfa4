import type { Db } from "../db";
import { getRunEvents } from "../runs/queries";
import { getRunEventHub, type RunEventHub } from "./run-event-hub";
import { MAX_STREAMS_PER_VIEWER } from "./viewer-limits";
import type { SseChannel, SseResponder } from "./sse";
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

export type StreamRunEventsParams<Answer> = {
  db: Db;
  /** How the answer is given: `fetchResponder` (a Response) or `nodeResponder(res)`. */
  respond: SseResponder<Answer>;
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
 * A Redis notice (through the process's shared hub) carries the events just committed: when
 * they continue exactly where this stream is, they are sent as they are, with no query (one
 * commit watched by 1,000 viewers would otherwise be 1,000 reads of the log). Otherwise — a
 * gap, a notice lost or out of order, a reconnect — the stream reads the Postgres log from
 * where it is, so a missed notice never makes a client skip an event.
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
export async function streamRunEvents<Answer>({
  db,
  respond,
  runId,
  afterSeq,
  viewerKey,
  limit = MAX_STREAMS_PER_VIEWER,
  signal,
  hub = getRunEventHub(),
}: StreamRunEventsParams<Answer>): Promise<Answer> {
  const last = await db.runStep.findFirst({ where: { runId }, orderBy: { seq: "desc" }, select: { seq: true, type: true } });
  const lastSeq = last?.seq ?? 0;
  if (last?.type === "run_finished" && afterSeq >= lastSeq) return respond.empty(204);
  // A cursor past the end of the log cannot be one of ours; resuming there could skip the
  // run's end and leave the stream open forever, so resume from the end instead.
  let lastSent = Math.min(afterSeq, lastSeq);

  return respond.stream({ viewerKey, limit, signal, what: "live run streams" }, (channel) => {
    // One read at a time; wake-ups during a read fold into one more read after it, so a burst
    // of notices costs at most two queries and never sends an event twice.
    let reading = false;
    let readAgain = false;
    const pump = (payload: Buffer | null) => {
      if (channel.closed) return;
      if (reading) {
        readAgain = true;
        return;
      }
      // The notice's events continue this stream (they are in seq order, see framesOf): send them
      // as they are. Already sent: nothing to do. A gap: read the log below.
      const frames = payload ? framesOf(payload) : null;
      if (payload && frames) {
        const from = frames.findIndex((frame) => frame.seq > lastSent);
        if (from === -1) return;
        if (frames[from]?.seq === lastSent + 1) {
          // One write per viewer per notice, its bytes shared by every viewer at the same place.
          channel.send(chunkOf(payload, frames, from));
          const last = frames.at(-1) as NotifiedFrame;
          lastSent = last.seq;
          // The other viewers of the run get their last frame before this response ends.
          if (last.finished) hub.afterQueuedWakes(channel.close);
          return;
        }
      }
      reading = true;
      void (async () => {
        try {
          do {
            readAgain = false;
            for (const event of await getRunEvents(db, runId, lastSent)) {
              if (channel.closed) return;
              lastSent = event.seq;
              channel.send(runEventFrame(event));
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
    pump(null);
    return () => {
      unwatch();
      unwatchTokens();
    };
  });
}

function runEventFrame(event: { seq: number }): string {
  return `id: ${event.seq}\nevent: run-event\ndata: ${JSON.stringify(event)}\n\n`;
}

type NotifiedFrame = { seq: number; finished: boolean; text: string };

/**
 * A notice's events as SSE frames, made once per notice for all of the run's viewers in this
 * process (the hub hands each of them the same Buffer). null when the payload is not a list of
 * events in seq order: the stream then reads the log instead.
 */
const framesByPayload = new WeakMap<Buffer, NotifiedFrame[] | null>();

function framesOf(payload: Buffer): NotifiedFrame[] | null {
  const known = framesByPayload.get(payload);
  if (known !== undefined) return known;
  let frames: NotifiedFrame[] | null = null;
  try {
    const events: unknown = JSON.parse(payload.toString());
    if (Array.isArray(events) && events.length > 0) {
      frames = [];
      for (const event of events as { seq?: unknown; type?: unknown }[]) {
        const previous = frames.at(-1);
        if (typeof event?.seq !== "number" || !Number.isInteger(event.seq) || typeof event.type !== "string" || (previous && event.seq !== previous.seq + 1)) {
          frames = null;
          break;
        }
        frames.push({ seq: event.seq, finished: event.type === "run_finished", text: runEventFrame(event as { seq: number }) });
      }
    }
  } catch {
    frames = null;
  }
  framesByPayload.set(payload, frames);
  return frames;
}

/**
 * The frames of a notice from index `from` on, as one encoded chunk: made once per notice and
 * starting point (nearly always the first frame) for all of the run's viewers in this process.
 * With a thousand viewers, one socket write per viewer and commit instead of one per event is
 * most of what a commit costs the web process.
 */
const chunksByPayload = new WeakMap<Buffer, Map<number, Uint8Array>>();
const encoder = new TextEncoder();

function chunkOf(payload: Buffer, frames: readonly NotifiedFrame[], from: number): Uint8Array {
  let chunks = chunksByPayload.get(payload);
  if (!chunks) chunksByPayload.set(payload, (chunks = new Map()));
  let chunk = chunks.get(from);
  if (!chunk) chunks.set(from, (chunk = encoder.encode(frames.slice(from).map((frame) => frame.text).join(""))));
  return chunk;
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
