import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitForRun, waitUntil, type Harness } from "./support/harness";
import { testAccess, testRunScope, testWorkspace } from "./support/workspace";
import { createTestApiKey } from "./support/identities";
import runEventsRoute from "../pages/api/runs/[runId]/events";
import type { CommittedEvent } from "../server/engine/events";
import { buildGraph } from "../server/engine/test-helpers";
import { getRunEvents } from "../server/runs/queries";
import { startRun } from "../server/runs/start-run";
import { closeRunEventHub, getRunEventHub } from "../server/streams/run-event-hub";
import { createLiveTokenWriter, LIVE_TOKENS_FLUSH_MS, readLiveTexts, type TokenDelta } from "../server/streams/live-tokens";
import { createWorkspaceProvider } from "../server/llm/workspace-providers";
import { createWorkflow } from "../server/workflows/workflows";
import { mergeLiveText, type LiveText } from "../components/runs/live-text";

/**
 * Live tokens end to end: a worker calls the demo model (OpenAI wire, then Anthropic wire
 * through the official SDK) with a slowly typed answer; SSE clients of the run's event stream,
 * over real HTTP, get `token` frames while it is written and the committed answer after it.
 * The log holds the answer once: the replay check after this file proves it still replays.
 */

let harness: Harness;
let server: Server;
let streamUrl: (runId: string) => string;
let token: string;

beforeAll(async () => {
  // The Anthropic provider points at the harness's demo model on loopback.
  harness = await startHarness({ env: { HTTP_ALLOW_PRIVATE_HOSTS: "127.0.0.1" } });
  token = (await createTestApiKey(harness.db, await testWorkspace(harness.db), ["read"], "live tokens viewer")).token;
  // The run stream route (a node handler) on a plain Node HTTP server: clients read it as browsers do.
  server = createServer((req, res) => void runEventsRoute(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  streamUrl = (runId) => `http://127.0.0.1:${port}/api/runs/${runId}/events`;
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await closeRunEventHub();
  await harness.stop();
});

type Frame = { id?: string; event?: string; data?: string; at: number };

/** An SSE client over HTTP: every frame it read, in order. */
async function openClient(runId: string) {
  const abort = new AbortController();
  const response = await fetch(streamUrl(runId), { headers: { accept: "text/event-stream", authorization: `Bearer ${token}` }, signal: abort.signal });
  expect(response.status).toBe(200);
  const frames: Frame[] = [];
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const ended = (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const frame: Frame = { at: performance.now() };
          for (const line of buffer.slice(0, end).split("\n")) {
            const match = /^(id|event|data): ?(.*)$/.exec(line);
            if (match?.[1] === "id" || match?.[1] === "event" || match?.[1] === "data") frame[match[1]] = match[2];
          }
          frames.push(frame);
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {
      // aborted
    }
  })();
  const tokens = () => frames.filter((f) => f.event === "token").map((f) => JSON.parse(f.data ?? "null") as TokenDelta);
  const events = () => frames.filter((f) => f.event === "run-event").map((f) => JSON.parse(f.data ?? "null") as CommittedEvent);
  return { frames, tokens, events, ended, close: () => abort.abort() };
}

type Client = Awaited<ReturnType<typeof openClient>>;

/** The node's text as a viewer holds it just before the committed answer: every token frame merged in order. */
function liveTextBeforeAnswer(client: Client, nodeId: string): LiveText | undefined {
  let live: LiveText | undefined;
  for (const frame of client.frames) {
    if (frame.event === "run-event" && (JSON.parse(frame.data ?? "null") as CommittedEvent).type === "llm_response") break;
    if (frame.event !== "token") continue;
    const delta = JSON.parse(frame.data ?? "null") as TokenDelta;
    if (delta.nodeId === nodeId) live = mergeLiveText(live, delta);
  }
  return live;
}

function slowAgentGraph(task: string, provider?: string) {
  return buildGraph(
    [["trigger", "trigger"], ["writer", "agent", { task, ...(provider ? { provider, model: "agentflow-demo-1" } : {}) }], ["out", "output"]],
    [["trigger", "writer"], ["writer", "out"]],
  );
}

async function checkLiveTokens(task: string, provider?: string) {
  const { id: workflowId } = await createWorkflow(harness.db, await testWorkspace(harness.db), { name: `live tokens ${Date.now()}`, graph: slowAgentGraph(task, provider) });
  const { runId } = await startRun(harness.db, { ...(await testRunScope(harness.db)), workflowId, input: {}, trigger: "manual" });
  // The model waits 400 ms before its first word (#demo:slow): this client is there from the start.
  const early = await openClient(runId);
  await waitUntil(() => early.tokens().length >= 6, "the first tokens", 15_000);
  expect(early.events().some((event) => event.type === "llm_response")).toBe(false);
  // A viewer who joins mid-answer.
  const late = await openClient(runId);
  await waitUntil(() => late.tokens().length > 0, "the late viewer's first token frame");
  const run = await waitForRun(harness.db, runId, ["succeeded", "failed"], 30_000);
  expect(run.status).toBe("succeeded");
  await Promise.all([early.ended, late.ended]);

  // The log: one model answer, committed once.
  const log = await getRunEvents(harness.db, runId);
  const answers = log.filter((event) => event.type === "llm_response");
  expect(answers).toHaveLength(1);
  const answer = answers[0];
  if (answer?.type !== "llm_response") throw new Error("no llm_response");
  expect(answer.ttftMs).toBeGreaterThan(0);
  if (provider) expect(answer.provider).toBe(provider);
  const call = answer.message.toolCalls?.[0];
  expect(call?.name).toBe("complete_task");
  const result = (JSON.parse(call?.arguments ?? "{}") as { result: string }).result;
  expect(result).toContain("Demo answer to:");
  expect(run.output).toBe(result);

  // The early client: every token frame before the committed answer, none with an id, and
  // their concatenation is the answer (it was there before the first word).
  const tokenIndexes = early.frames.flatMap((frame, index) => (frame.event === "token" ? [index] : []));
  const answerIndex = early.frames.findIndex((frame) => frame.event === "run-event" && (JSON.parse(frame.data ?? "null") as CommittedEvent).type === "llm_response");
  expect(answerIndex).toBeGreaterThan(0);
  expect(Math.max(...tokenIndexes)).toBeLessThan(answerIndex);
  expect(early.frames.filter((frame) => frame.event === "token").every((frame) => frame.id === undefined)).toBe(true);
  const earlyTokens = early.tokens();
  expect(earlyTokens.length).toBeGreaterThan(10);
  expect(earlyTokens.every((delta) => delta.nodeId === "writer" && delta.callKey === String(answer.sentMessages))).toBe(true);
  expect(earlyTokens.map((delta) => delta.text).join("")).toBe(result);
  // Offsets are contiguous: each piece starts where the previous ended.
  let offset = 0;
  for (const delta of earlyTokens) {
    expect(delta.offset).toBe(offset);
    offset += delta.text.length;
  }
  // The committed events themselves are what they always were (the same seqs, ids on each).
  expect(early.events().map((event) => event.seq)).toEqual(log.map((event) => event.seq));

  // The late client first got the text so far (offset 0, already several words), then the rest.
  const [first, ...rest] = late.tokens();
  expect(first?.offset).toBe(0);
  expect(first?.text.length).toBeGreaterThan(earlyTokens[0]?.text.length ?? 0);
  expect(result.startsWith(first?.text ?? "-")).toBe(true);
  expect(rest.length).toBeGreaterThan(0);
  expect(liveTextBeforeAnswer(late, "writer")?.text).toBe(result);

  // Nothing of the answer in progress is left in Redis.
  expect(await readLiveTexts(runId)).toEqual([]);
}

/** Every token delta published for `runId` from now on (resolves once the subscription is live). */
async function watchTokens(runId: string): Promise<{ received: TokenDelta[]; unwatch: () => void }> {
  const received: TokenDelta[] = [];
  let live!: () => void;
  const subscribed = new Promise<void>((resolve) => (live = resolve));
  const unwatch = getRunEventHub().watchRunTokens(runId, (payload) => received.push(JSON.parse(payload) as TokenDelta), () => live());
  await subscribed;
  return { received, unwatch };
}

describe("live tokens", () => {
  it("streams an OpenAI-wire answer to SSE clients as it is written; a viewer joining mid-answer gets the text so far", async () => {
    await checkLiveTokens("Write a short note about the migration of river otters #demo:slow:400 #demo:drip:40");
  });

  it("does the same through the Anthropic SDK against the demo model's Messages API", async () => {
    await createWorkspaceProvider(harness.db, await testAccess(harness.db), { name: "claude-live", kind: "anthropic", baseUrl: harness.demo.baseUrl, apiKey: "sk-ant-demo", defaultModel: "agentflow-demo-1" });
    await checkLiveTokens("Write a short note about lighthouse keepers and their lamps #demo:slow:400 #demo:drip:40", "claude-live");
  });

  it("coalesces a fast model's pieces, starts over for a fallback provider and leaves nothing behind", async () => {
    const runId = `run_live_${Date.now()}`;
    const { received, unwatch } = await watchTokens(runId);
    const writer = createLiveTokenWriter(runId, "writer", "2");
    const words = Array.from({ length: 100 }, (_, i) => `w${i} `);
    const started = performance.now();
    for (const word of words) {
      writer.push(word);
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    const elapsed = performance.now() - started;
    await waitUntil(async () => (await readLiveTexts(runId))[0]?.text === words.join(""), "the text so far in Redis");
    expect(await readLiveTexts(runId)).toEqual([{ nodeId: "writer", callKey: "2", offset: 0, text: words.join("") }]);
    await waitUntil(() => received.map((delta) => delta.text).join("") === words.join(""), "every piece");
    // One message per flush interval (the first on the next turn of the event loop), not one per piece.
    expect(received.length).toBeLessThanOrEqual(Math.ceil(elapsed / LIVE_TOKENS_FLUSH_MS) + 2);
    expect(received.length).toBeGreaterThan(1);

    // Another provider takes over: viewers are told to start over, then get its words.
    writer.restart();
    writer.push("Second provider");
    await writer.finish();
    await waitUntil(() => received.at(-1)?.text === "Second provider", "the second provider's words");
    expect(received.slice(-2)).toEqual([
      { nodeId: "writer", callKey: "2", offset: 0, text: "" },
      { nodeId: "writer", callKey: "2", offset: 0, text: "Second provider" },
    ]);
    // Finished: nothing of the call is left for a late viewer.
    expect(await readLiveTexts(runId)).toEqual([]);
    unwatch();
  });

  it("sends nothing for a reply that arrives whole: its text comes with the committed answer", async () => {
    const runId = `run_whole_${Date.now()}`;
    const { received, unwatch } = await watchTokens(runId);
    // Every piece in one go (one network read), then the end, as a short reply or a tool call comes.
    const writer = createLiveTokenWriter(runId, "writer", "2");
    for (const word of ["A ", "whole ", "reply"]) writer.push(word);
    await writer.finish();
    // A piece sent later than that still goes: a marker of the channel being read.
    const other = createLiveTokenWriter(runId, "writer", "4");
    other.push("later");
    await waitUntil(() => received.length > 0, "the other call's piece");
    expect(received).toEqual([{ nodeId: "writer", callKey: "4", offset: 0, text: "later" }]);
    await other.finish();
    expect(await readLiveTexts(runId)).toEqual([]);
    unwatch();
  });
});
