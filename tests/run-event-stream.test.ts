import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allWithin, startHarness, within, waitForRun, waitUntil, type Harness } from "./support/harness";
import type { Db } from "../server/db";
import type { CommittedEvent } from "../server/engine/events";
import { buildGraph } from "../server/engine/test-helpers";
import { getRedis, runChannel } from "../server/events";
import { newId } from "../server/ids";
import { getRunEvents } from "../server/runs/queries";
import { respondToHumanTask } from "../server/runs/respond-human";
import { startRun } from "../server/runs/start-run";
import { closeRunEventHub, getRunEventHub, runEventHubConnectionName } from "../server/streams/run-event-hub";
import { parseResumeCursor } from "../server/streams/run-event-stream";
import { MAX_STREAMS_PER_VIEWER, openStreamCount } from "../server/streams/viewer-limits";
import { createWorkflow } from "../server/workflows/workflows";
import runEventsRoute from "../pages/api/runs/[runId]/events";
import { callNodeRoute } from "./support/node-route";
import { createTestApiKey } from "./support/identities";

/**
 * The run event stream on real parts: the route's GET, the process's shared Redis subscriber,
 * the Postgres log and a worker finishing the run. Viewers are plain `Request`s whose bodies
 * are read as a browser's EventSource would.
 */

let harness: Harness;
let db: Db;
let workspaceId: string;

beforeAll(async () => {
  harness = await startHarness();
  ({ db } = harness);
  // Workflows belong to a workspace; this file's runs all live in one of their own.
  ({ id: workspaceId } = await db.workspace.create({ data: { id: newId("ws"), name: "run event stream" }, select: { id: true } }));
});

afterAll(async () => {
  await closeRunEventHub();
  await harness.stop();
});

/**
 * Each viewer label stands for one API key (with the read scope) of this file's workspace:
 * streams are counted per key, as the route counts them per key or per signed-in user.
 */
const keys = new Map<string, Promise<{ id: string; token: string }>>();
function keyFor(label: string): Promise<{ id: string; token: string }> {
  if (!keys.has(label)) keys.set(label, createTestApiKey(db, workspaceId, ["read"], `viewer ${label}`));
  return keys.get(label) as Promise<{ id: string; token: string }>;
}
async function viewerKeyOf(label: string): Promise<string> {
  return `api_key:${(await keyFor(label)).id}`;
}

type Frame = { id?: string; event?: string; data?: string; retry?: string; comment?: string };

/** One client of the stream: its response, the frames read so far, and a way to leave. */
type Viewer = {
  response: Response;
  frames: Frame[];
  events: () => CommittedEvent[];
  /** Resolves when the server ends the body (or the viewer leaves). */
  ended: Promise<void>;
  abort: () => void;
  cancelBody: () => Promise<void>;
};

function parseFrame(block: string): Frame {
  const frame: Frame = {};
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) frame.comment = line.slice(1).trim();
    const match = line.match(/^(id|event|data|retry): ?(.*)$/);
    if (match?.[1] === "id" || match?.[1] === "event" || match?.[1] === "data" || match?.[1] === "retry") frame[match[1]] = match[2];
  }
  return frame;
}

async function openViewer(runId: string, options: { key?: string; lastEventId?: string; query?: string } = {}): Promise<Viewer> {
  const abort = new AbortController();
  const headers = new Headers({ accept: "text/event-stream", authorization: `Bearer ${(await keyFor(options.key ?? "198.51.100.1")).token}` });
  if (options.lastEventId !== undefined) headers.set("last-event-id", options.lastEventId);
  const request = new Request(`http://localhost/api/runs/${runId}/events${options.query ?? ""}`, { headers, signal: abort.signal });
  const response = await callNodeRoute(runEventsRoute, request);
  const frames: Frame[] = [];
  const reader = response.status === 200 ? response.body?.getReader() : undefined;
  const ended = (async () => {
    if (!reader) return;
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        frames.push(parseFrame(buffer.slice(0, end)));
        buffer = buffer.slice(end + 2);
      }
    }
  })();
  return {
    response,
    frames,
    events: () => frames.filter((f) => f.event === "run-event").map((f) => JSON.parse(f.data ?? "null") as CommittedEvent),
    ended,
    abort: () => abort.abort(),
    cancelBody: async () => {
      await reader?.cancel();
      await ended;
    },
  };
}

function approvalGraph() {
  return buildGraph(
    [
      ["trigger", "trigger"],
      ["writer", "agent", { task: "Write a haiku about {{input.topic}}" }],
      ["review", "human", { message: "Publish it?" }],
      ["out", "output"],
    ],
    [
      ["trigger", "writer"],
      ["writer", "review"],
      ["review", "out", "approve"],
    ],
  );
}

/** A run parked on its human gate: it publishes nothing more until someone answers. */
async function waitingRun(name: string): Promise<{ runId: string; lastSeq: number }> {
  const { id: workflowId } = await createWorkflow(db, workspaceId, { name, graph: approvalGraph() });
  const { runId } = await startRun(db, { workspaceId, workflowId, input: { topic: name }, trigger: "manual", startedBy: "run event stream test" });
  const run = await waitForRun(db, runId, ["waiting_for_human"]);
  return { runId, lastSeq: run.lastSeq };
}

async function approve(runId: string) {
  const task = await db.humanTask.findFirstOrThrow({ where: { runId, status: "pending" } });
  await respondToHumanTask(db, { workspaceId, actor: { kind: "system", name: "run event stream test" }, ip: null }, { taskId: task.id, decision: "approve" });
}

async function hubConnections(): Promise<Array<{ id: string; name: string }>> {
  const list = String(await getRedis().call("CLIENT", "LIST"));
  return list
    .split("\n")
    .map((line) => Object.fromEntries(line.split(" ").map((field) => [field.slice(0, field.indexOf("=")), field.slice(field.indexOf("=") + 1)])))
    .filter((client) => client.name === runEventHubConnectionName())
    .map((client) => ({ id: String(client.id), name: String(client.name) }));
}

async function totalConnections(): Promise<number> {
  return String(await getRedis().call("CLIENT", "LIST")).trim().split("\n").length;
}

/** Connections (from any process) subscribed to the run's channel. */
async function channelSubscribers(runId: string): Promise<number> {
  const reply = (await getRedis().call("PUBSUB", "NUMSUB", runChannel(runId))) as [string, number];
  return Number(reply[1]);
}

const seqs = (events: readonly CommittedEvent[]) => events.map((e) => e.seq);
const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

let finished: Promise<{ runId: string; log: CommittedEvent[] }> | undefined;

/** A run that has ended, shared by the tests that only read it (each may run alone). */
function finishedRun() {
  finished ??= (async () => {
    const { runId } = await waitingRun("finished");
    await approve(runId);
    await waitForRun(db, runId, ["succeeded"]);
    return { runId, log: await getRunEvents(db, runId) };
  })();
  return finished;
}

describe("many viewers, one subscription", () => {
  it("serves 100 viewers of a run on one Redis connection, each getting every event in order up to run_finished", async () => {
    const { runId, lastSeq } = await waitingRun("hundred viewers");
    expect(await hubConnections()).toHaveLength(0);
    const before = await totalConnections();

    const viewers = await Promise.all(Array.from({ length: 100 }, (_, i) => openViewer(runId, { key: `10.0.${Math.floor(i / 50)}.${i % 50}` })));
    expect(viewers.map((v) => v.response.status)).toEqual(viewers.map(() => 200));
    expect(viewers[0]?.response.headers.get("content-type")).toBe("text/event-stream");
    await waitUntil(() => viewers.every((v) => v.events().at(-1)?.seq === lastSeq), "every viewer to catch up with the log");

    // One hub connection for the whole process, and it is the only subscriber of the run.
    const hub = await hubConnections();
    const during = await totalConnections();
    console.info(`[run-event-stream] 100 viewers: ${hub.length} hub connection, run channel subscribers ${await channelSubscribers(runId)}, Redis clients ${before} → ${during}`);
    expect(hub).toHaveLength(1);
    expect(await channelSubscribers(runId)).toBe(1);

    // Everything after the gate reaches them only through Redis wake-ups.
    await approve(runId);
    await Promise.all(viewers.map((v) => v.ended));
    const log = await getRunEvents(db, runId);
    expect(log.at(-1)?.type).toBe("run_finished");
    expect(log.length).toBeGreaterThan(lastSeq);
    for (const viewer of viewers) {
      expect(viewer.frames[0]).toEqual({ retry: "2000" });
      expect(seqs(viewer.events())).toEqual(range(1, log.length));
      expect(viewer.events()).toEqual(log);
    }

    // The streams ended themselves: their slots are free and the run's subscription is gone.
    expect(openStreamCount(await viewerKeyOf("10.0.0.0"))).toBe(0);
    expect(openStreamCount(await viewerKeyOf("10.0.1.49"))).toBe(0);
    expect(getRunEventHub().watchedRuns()).toBe(0);
    await waitUntil(async () => (await channelSubscribers(runId)) === 0, "the hub to unsubscribe the finished run");
    expect(await hubConnections()).toHaveLength(1);
  });
});

describe("notices carry the events", () => {
  it("sends a notice's events that continue the stream as they are (no read of the log), and reads the log after a gap", async () => {
    const { runId, lastSeq } = await waitingRun("notice payloads");
    const viewers = await Promise.all([openViewer(runId, { key: "notice a" }), openViewer(runId, { key: "notice b" })]);
    await waitUntil(() => viewers.every((v) => v.events().at(-1)?.seq === lastSeq), "the viewers to catch up with the log");

    // A notice whose event is not in the log at all: it reaches the viewers, so it was sent from
    // the notice itself — what saves one read of the log per viewer on every commit.
    const marker = { type: "run_paused", by: "notice-only marker", seq: lastSeq + 1, at: new Date().toISOString() };
    await getRedis().publish(runChannel(runId), JSON.stringify([marker]));
    await waitUntil(() => viewers.every((v) => v.events().at(-1)?.seq === lastSeq + 1), "the notice's event to reach the viewers");
    for (const viewer of viewers) expect(viewer.events().at(-1)).toEqual(marker);

    // A notice of several events that starts with one the viewers already have (sent as one
    // chunk from the first new one): each new event arrives once, in order, none twice.
    const more = [2, 3].map((offset) => ({ ...marker, by: `notice-only marker ${offset}`, seq: lastSeq + offset }));
    await getRedis().publish(runChannel(runId), JSON.stringify([marker, ...more]));
    await waitUntil(() => viewers.every((v) => v.events().at(-1)?.seq === lastSeq + 3), "the notice's new events to reach the viewers");
    for (const viewer of viewers) expect(viewer.events().slice(-3)).toEqual([marker, ...more]);
    for (const viewer of viewers) expect(viewer.events().map((e) => e.seq)).toEqual(range(1, lastSeq + 3));

    // A notice that skips a seq cannot be trusted to continue the stream: the viewers read the
    // log instead, which has no such event, so nothing from that notice is sent.
    await getRedis().publish(runChannel(runId), JSON.stringify([{ ...marker, by: "after a gap", seq: lastSeq + 5 }]));
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const viewer of viewers) expect(viewer.events().map((e) => e.seq)).toEqual(range(1, lastSeq + 3));
    for (const viewer of viewers) viewer.abort();
    await Promise.all(viewers.map((v) => v.ended.catch(() => undefined)));
  });
});

describe("resuming", () => {
  it("sends only the events after Last-Event-ID (or ?after=), the header winning", async () => {
    const { runId, log } = await finishedRun();
    const n = log.length;
    const byHeader = await openViewer(runId, { lastEventId: "3" });
    const byQuery = await openViewer(runId, { query: "?after=3" });
    const both = await openViewer(runId, { lastEventId: "5", query: "?after=2" });
    await Promise.all([byHeader.ended, byQuery.ended, both.ended]);
    expect(seqs(byHeader.events())).toEqual(range(4, n));
    expect(byHeader.events()).toEqual(log.slice(3));
    expect(seqs(byQuery.events())).toEqual(range(4, n));
    expect(seqs(both.events())).toEqual(range(6, n));
  });

  it("resumes a live run after the given event and follows it to the end", async () => {
    const { runId, lastSeq } = await waitingRun("resume live");
    const viewer = await openViewer(runId, { lastEventId: "1" });
    await waitUntil(() => viewer.events().at(-1)?.seq === lastSeq, "the viewer to catch up");
    await approve(runId);
    await viewer.ended;
    const log = await getRunEvents(db, runId);
    expect(seqs(viewer.events())).toEqual(range(2, log.length));
    expect(viewer.events().at(-1)?.type).toBe("run_finished");
  });

  it("answers 204 (EventSource stops reconnecting) to a client that already has the end of a finished run", async () => {
    const { runId, log } = await finishedRun();
    for (const lastEventId of [String(log.length), "2147483647"]) {
      const viewer = await openViewer(runId, { lastEventId });
      expect(viewer.response.status).toBe(204);
    }
    expect(openStreamCount(await viewerKeyOf("198.51.100.1"))).toBe(0);
  });

  it("keeps the 404 for a run that does not exist", async () => {
    const viewer = await openViewer("run_missing");
    expect(viewer.response.status).toBe(404);
    expect(await viewer.response.json()).toMatchObject({ error: { code: "not_found" } });
  });
});

describe("streams per viewer", () => {
  it("refuses the 21st concurrent stream with 429 and frees every slot when streams close", async () => {
    const { runId } = await waitingRun("viewer limits");
    const key = "203.0.113.7";
    const open = async (count: number) => {
      const viewers = await allWithin(Array.from({ length: count }, () => openViewer(runId, { key })), `${count} streams to answer`);
      expect(viewers.map((v) => v.response.status)).toEqual(viewers.map(() => 200));
      await waitUntil(() => viewers.every((v) => v.frames.length > 0), "the streams to start");
      return viewers;
    };
    const expectRefused = async () => {
      const refused = await within(openViewer(runId, { key }), "the 21st stream to answer");
      expect(refused.response.status).toBe(429);
      expect(refused.response.headers.get("retry-after")).toBe("5");
      expect(await within(refused.response.json(), "the 429's body")).toMatchObject({ error: { code: "too_many_streams", message: expect.stringContaining("20") } });
    };

    expect(MAX_STREAMS_PER_VIEWER).toBe(20);
    const first = await open(20);
    expect(openStreamCount(await viewerKeyOf(key))).toBe(20);
    await expectRefused();
    // Another viewer is not affected.
    const other = await within(openViewer(runId, { key: "203.0.113.8" }), "another viewer's stream to answer");
    expect(other.response.status).toBe(200);
    other.abort();

    // Clients go away (request aborted): every slot comes back and the streams end.
    first.forEach((v) => v.abort());
    await allWithin(first.map((v) => v.ended), "the aborted streams to end");
    await waitUntil(async () => openStreamCount(await viewerKeyOf(key)) === 0, "every slot of the aborted streams to be free");

    const second = await open(20);
    await expectRefused();
    expect(openStreamCount(await viewerKeyOf(key))).toBe(20);

    // Bodies cancelled without an abort (the runtime drops the response) free them too.
    await allWithin(second.map((v) => v.cancelBody()), "the cancelled bodies to end");
    await waitUntil(async () => openStreamCount(await viewerKeyOf(key)) === 0, "every slot of the dropped streams to be free");
    await waitUntil(async () => openStreamCount(await viewerKeyOf("203.0.113.8")) === 0, "the other viewer's slot to be free");
    expect(getRunEventHub().watchedRuns()).toBe(0);
    await waitUntil(async () => (await channelSubscribers(runId)) === 0, "the hub to unsubscribe when the last viewer left");

    // A client that goes away as soon as it asked takes no slot for long.
    const gone = new AbortController();
    const late = callNodeRoute(runEventsRoute, new Request(`http://localhost/api/runs/${runId}/events`, { headers: { authorization: `Bearer ${(await keyFor(key)).token}` }, signal: gone.signal }));
    gone.abort();
    await within(late.then((response) => response.body?.cancel()).catch(() => undefined), "the request gone at once to settle");
    await waitUntil(async () => openStreamCount(await viewerKeyOf(key)) === 0, "the slot of a client gone at once to be free");

    const third = await open(20);
    third.forEach((v) => v.abort());
    await allWithin(third.map((v) => v.ended), "the aborted streams to end, again");
    await waitUntil(async () => openStreamCount(await viewerKeyOf(key)) === 0, "every slot to be free again");
  });
});

describe("malformed resume positions", () => {
  const garbage = ["abc", "-5", "1e3", "4.5", "0x10", "+3", " ", "NaN", "Infinity", "99999999999", "2147483648", "9".repeat(400), "3,4", "1 2"];

  it("parses only plain integers in 0..2^31-1 and treats anything else as 0", () => {
    const cursor = (lastEventId?: string, after?: string) =>
      parseResumeCursor(
        new Request(`http://localhost/x${after === undefined ? "" : `?after=${encodeURIComponent(after)}`}`, {
          headers: lastEventId === undefined ? {} : { "last-event-id": lastEventId },
        }),
      );
    for (const value of garbage) {
      expect(cursor(value), value).toBe(0);
      expect(cursor(undefined, value), value).toBe(0);
    }
    expect(cursor(undefined, "\u0000")).toBe(0);
    expect(cursor(undefined, "\u0663")).toBe(0);
    expect(cursor("7")).toBe(7);
    expect(cursor(" 007 ")).toBe(7);
    expect(cursor("2147483647")).toBe(2147483647);
    expect(cursor(undefined, "12")).toBe(12);
    expect(cursor("", "12")).toBe(12);
    expect(cursor()).toBe(0);
  });

  it("streams the whole log for a malformed Last-Event-ID or ?after= instead of failing", async () => {
    const { runId, log } = await finishedRun();
    const viewers = await Promise.all([
      ...garbage.map((lastEventId) => openViewer(runId, { lastEventId })),
      ...["abc", "-1", "%00", "99999999999999999999", "1.5e2", ""].map((after) => openViewer(runId, { query: `?after=${after}` })),
    ]);
    await Promise.all(viewers.map((v) => v.ended));
    for (const viewer of viewers) {
      expect(viewer.response.status).toBe(200);
      expect(seqs(viewer.events())).toEqual(range(1, log.length));
    }
  });
});

describe("reconnects", () => {
  it("wakes every viewer after the hub's connection is re-established, so notices lost meanwhile cost nothing", async () => {
    const { runId, lastSeq } = await waitingRun("reconnect");
    const hub = getRunEventHub();
    const wakes = [0, 0];
    const stops = wakes.map((_, i) => hub.watchRun(runId, () => (wakes[i] = (wakes[i] ?? 0) + 1)));
    await waitUntil(() => wakes.every((count) => count === 1), "the subscription to become live");
    const viewer = await openViewer(runId);
    await waitUntil(() => viewer.events().at(-1)?.seq === lastSeq, "the viewer to catch up");

    const [connection] = await hubConnections();
    await getRedis().call("CLIENT", "KILL", "ID", String(connection?.id));
    // Published while the hub is disconnected: Redis drops it for the hub.
    await getRedis().publish(runChannel(runId), "[]");
    await waitUntil(async () => (await hubConnections()).some((c) => c.id !== connection?.id), "the hub to reconnect");
    await waitUntil(() => wakes.every((count) => count === 2), "the viewers to be woken after the reconnect");
    expect(await channelSubscribers(runId)).toBe(1);
    expect(await hubConnections()).toHaveLength(1);

    // Subscribed again: notices flow as before.
    await getRedis().publish(runChannel(runId), "[]");
    await waitUntil(() => wakes.every((count) => count === 3), "a notice after the reconnect");

    // And a stream that lived through the reconnect follows the run to its end.
    await getRedis().call("CLIENT", "KILL", "ID", String((await hubConnections())[0]?.id));
    await approve(runId);
    await viewer.ended;
    expect(seqs(viewer.events())).toEqual(range(1, (await getRunEvents(db, runId)).length));
    expect(viewer.events().at(-1)?.type).toBe("run_finished");
    stops.forEach((stop) => stop());
    expect(hub.watchedRuns()).toBe(0);
  });
});

describe("delivery to many viewers", () => {
  it("wakes each viewer once per notice, in order, in slices that let a notice arriving meanwhile join; afterQueuedWakes waits for them all", async () => {
    const hub = getRunEventHub();
    const runId = newId("run");
    const channel = runChannel(runId);
    const VIEWERS = 300;
    const received: string[][] = Array.from({ length: VIEWERS }, () => []);
    // When each wake ran, in turns of the event loop: viewers woken in the same turn write in one go.
    let turn = 0;
    const ticking = setInterval(() => undefined, 1);
    const countTurns = () => {
      turn += 1;
      if (counting) setImmediate(countTurns);
    };
    let counting = true;
    setImmediate(countTurns);
    const turns: number[][] = Array.from({ length: VIEWERS }, () => []);
    const stops = received.map((list, i) =>
      hub.watchRun(runId, (payload) => {
        if (payload === null) return;
        list.push(payload.toString());
        turns[i]?.push(turn);
      }),
    );
    try {
      // The subscription is live once a published notice reaches the first viewer.
      await waitUntil(async () => {
        await getRedis().publish(channel, "probe");
        return (received[0]?.length ?? 0) > 0;
      }, "the subscription to become live");
      // Probes and then this marker went out on one connection, so every probe is in before it.
      await getRedis().publish(channel, "in step");
      await waitUntil(() => received.every((list) => list.at(-1) === "in step"), "every viewer to get the marker");
      for (const list of received) list.length = 0;
      for (const list of turns) list.length = 0;

      // Three notices in one transaction: Redis sends them to the hub in one write.
      let closedWhenAllHadThem: boolean | null = null;
      stops.push(hub.watchRun(runId, (payload) => {
        if (payload?.toString() === "c") hub.afterQueuedWakes(() => (closedWhenAllHadThem = received.every((list) => list.at(-1) === "c")));
      }));
      await getRedis().multi().publish(channel, "a").publish(channel, "b").publish(channel, "c").exec();
      await waitUntil(() => closedWhenAllHadThem !== null, "the afterQueuedWakes callback");
      expect(closedWhenAllHadThem).toBe(true);
      for (const list of received) expect(list).toEqual(["a", "b", "c"]);
      // Delivered in slices over several turns, not all in the one that read the notices…
      const firstTurns = turns.map((list) => list[0] as number);
      expect(new Set(firstTurns).size).toBeGreaterThan(1);
      // …and the notices that arrived together reach each viewer in the same turn.
      for (const list of turns) expect(new Set(list).size).toBe(1);
    } finally {
      counting = false;
      clearInterval(ticking);
      stops.forEach((stop) => stop());
    }
  });
});
