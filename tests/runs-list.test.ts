import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitForRun, waitUntil, type Harness } from "./support/harness";
import { approvalGraph, outputOnlyGraph } from "./support/graphs";
import { createTestApiKey } from "./support/identities";
import type { Db } from "../server/db";
import { newId } from "../server/ids";
import { startRun } from "../server/runs/start-run";
import { cancelRun } from "../server/runs/control";
import { decodeCursor, listRunsPage, type ListRunsInput, type ListRunsScope } from "../server/runs/list-runs";
import { UserInputError } from "../server/errors";
import { createWorkflow } from "../server/workflows/workflows";
import { createTriggerToken } from "../server/workflows/trigger-tokens";
import { closeWorkspaceFeedHub, publishRunChange, type RunChange } from "../server/streams/workspace-feed";
import { streamWorkspaceFeed } from "../server/streams/workspace-feed-stream";
import { openStreamCount } from "../server/streams/viewer-limits";
import { GET as listRoute } from "../app/api/v1/runs/route";
import { GET as feedRoute } from "../app/api/workspace/events/route";

/**
 * The Runs list on real Postgres: runs made by the app (startRun, the worker, a cancel), then
 * dated so that several share one `createdAt` — the case a cursor on time alone gets wrong.
 * Each filter's answer is compared with the same filter applied in plain code to every run.
 */

let harness: Harness;
let db: Db;
let workspaceId: string;
let otherWorkspaceId: string;
const wf = {} as { simple: string; approval: string; other: string };
const BASE = "http://localhost:3100";

type Snapshot = { id: string; workflowId: string; status: string; trigger: string; createdAt: Date; input: unknown; pending: boolean };
let runs: Snapshot[] = [];
let otherRunIds: string[] = [];
const canRespond: ListRunsScope = { canRespond: true };

async function start(workflowId: string, input: unknown, trigger: "manual" | "api" = "manual", inWorkspace = workspaceId) {
  const { runId } = await startRun(db, { workspaceId: inWorkspace, workflowId, input, trigger, startedBy: "runs list test" });
  return runId;
}

/** Every page of a filter, `limit` runs at a time, checking each page's size and cursor. */
async function everyPage(input: Omit<ListRunsInput, "cursor" | "limit">, limit = 4, scope = canRespond): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages += 1) {
    const page = await listRunsPage(db, workspaceId, { ...input, limit, cursor }, scope);
    ids.push(...page.runs.map((run) => run.id));
    if (page.nextCursor === null) {
      expect(page.runs.length).toBeLessThanOrEqual(limit);
      return ids;
    }
    expect(page.runs).toHaveLength(limit);
    cursor = page.nextCursor;
  }
  throw new Error("more than 100 pages");
}

/** The oracle: newest first, ties by id descending — the list's documented order. */
function expected(filter: (run: Snapshot) => boolean): string[] {
  return runs
    .filter(filter)
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .map((run) => run.id);
}

async function snapshot(): Promise<Snapshot[]> {
  const rows = await db.run.findMany({
    where: { workspaceId },
    select: { id: true, workflowId: true, status: true, trigger: true, createdAt: true, input: true, humanTasks: { where: { status: "pending" }, select: { id: true } } },
  });
  return rows.map(({ humanTasks, ...row }) => ({ ...row, pending: humanTasks.length > 0 }));
}

beforeAll(async () => {
  harness = await startHarness();
  ({ db } = harness);
  ({ id: workspaceId } = await db.workspace.create({ data: { id: newId("ws"), name: "runs list" }, select: { id: true } }));
  ({ id: otherWorkspaceId } = await db.workspace.create({ data: { id: newId("ws"), name: "runs list: another workspace" }, select: { id: true } }));
  wf.simple = (await createWorkflow(db, workspaceId, { name: "Simple", graph: outputOnlyGraph() })).id;
  wf.approval = (await createWorkflow(db, workspaceId, { name: "Approval", graph: approvalGraph() })).id;
  wf.other = (await createWorkflow(db, otherWorkspaceId, { name: "Theirs", graph: outputOnlyGraph() })).id;

  const started: string[] = [];
  for (let i = 0; i < 20; i += 1) started.push(await start(wf.simple, { topic: `weekly report ${i}`, n: i }));
  for (let i = 0; i < 5; i += 1) started.push(await start(wf.simple, { topic: `invoice batch ${i}` }, "api"));
  // Text a search must find inside JSON: quotes, a backslash, a line break, a % and an _.
  started.push(await start(wf.simple, { topic: 'The "needle" in C:\\temp\nnext line, 100% done_ok' }));
  const approvals = [await start(wf.approval, { topic: "approve me" }), await start(wf.approval, { topic: "approve me too" }), await start(wf.approval, { topic: "to be cancelled" })];
  otherRunIds = [await start(wf.other, { topic: "weekly report needle" }, "manual", otherWorkspaceId), await start(wf.other, { topic: "invoice batch" }, "api", otherWorkspaceId)];

  for (const runId of [...started, ...otherRunIds]) await waitForRun(db, runId, ["succeeded"]);
  for (const runId of approvals) await waitForRun(db, runId, ["waiting_for_human"]);
  await waitUntil(async () => (await db.humanTask.count({ where: { runId: { in: approvals }, status: "pending" } })) === approvals.length, "three pending tasks", 30_000);
  const cancelled = approvals[2];
  if (!cancelled) throw new Error("no run to cancel");
  await cancelRun(db, cancelled, "runs list test");
  await waitForRun(db, cancelled, ["cancelled"]);

  // Dates chosen, not the clock's: groups of three runs share one createdAt, an hour apart.
  const ids = (await snapshot()).map((run) => run.id).sort();
  const base = Date.UTC(2026, 10, 20, 12, 0, 0, 0);
  for (const [index, id] of ids.entries()) {
    await db.$executeRaw`UPDATE "Run" SET "createdAt" = ${new Date(base - Math.floor(index / 3) * 3_600_000).toISOString()}::timestamp(3) WHERE "id" = ${id}`;
  }
  runs = await snapshot();
}, 120_000);

afterAll(async () => {
  await closeWorkspaceFeedHub();
  await harness?.stop();
});

describe("listRunsPage", () => {
  it("lists this workspace's runs newest first, with the row's fields, and never another workspace's", async () => {
    const page = await listRunsPage(db, workspaceId, {}, canRespond);
    expect(page.runs.map((run) => run.id)).toEqual(expected(() => true));
    expect(page.nextCursor).toBeNull();
    const row = page.runs.find((run) => run.workflowId === wf.approval && run.status === "cancelled");
    expect(row).toMatchObject({ workflowName: "Approval", trigger: "manual", startedBy: "runs list test", parentRunId: null, origin: null });
    expect(row?.createdAt).toBeInstanceOf(Date);
    expect(typeof row?.durationMs).toBe("number");
    const succeeded = page.runs.find((run) => run.status === "succeeded");
    expect(succeeded?.stepCount).toBeGreaterThan(1);

    // Their workflow, their run ids, their words: nothing of theirs answers here.
    expect((await listRunsPage(db, workspaceId, { workflowId: wf.other }, canRespond)).runs).toEqual([]);
    for (const id of otherRunIds) expect((await listRunsPage(db, workspaceId, { q: id }, canRespond)).runs).toEqual([]);
    const theirs = await listRunsPage(db, otherWorkspaceId, { q: "needle" }, canRespond);
    expect(theirs.runs.map((run) => run.id)).toEqual([otherRunIds[0]]);
  });

  it("pages through every run with the cursor: no duplicates, no gaps, ties on createdAt included", async () => {
    for (const limit of [1, 2, 3, 4, 7, 200]) expect(await everyPage({}, limit), `pages of ${limit}`).toEqual(expected(() => true));
    const first = await listRunsPage(db, workspaceId, { limit: 5 }, canRespond);
    const cursor = decodeCursor(first.nextCursor ?? "");
    expect(cursor.id).toBe(first.runs[4]?.id);
  });

  it("filters by workflow, status (one or several), trigger and date range", async () => {
    expect(await everyPage({ workflowId: wf.approval })).toEqual(expected((run) => run.workflowId === wf.approval));
    expect(await everyPage({ status: "succeeded" })).toEqual(expected((run) => run.status === "succeeded"));
    expect(await everyPage({ status: ["waiting_for_human", "cancelled"] })).toEqual(expected((run) => run.status === "waiting_for_human" || run.status === "cancelled"));
    expect(await everyPage({ status: ["failed"] })).toEqual([]);
    expect(await everyPage({ trigger: "api" })).toEqual(expected((run) => run.trigger === "api"));
    expect(expected((run) => run.trigger === "api")).toHaveLength(5);

    const times = [...new Set(runs.map((run) => run.createdAt.getTime()))].sort((a, b) => a - b);
    const [low, high] = [times[2], times[6]] as [number, number];
    const between = (run: Snapshot) => run.createdAt.getTime() >= low && run.createdAt.getTime() < high;
    expect(await everyPage({ from: new Date(low).toISOString(), to: new Date(high).toISOString() })).toEqual(expected(between));
    expect(expected(between).length).toBeGreaterThan(6);
    // A day means the whole day (UTC): `to` includes it.
    expect(await everyPage({ from: "2026-11-20", to: "2026-11-20" })).toEqual(expected((run) => run.createdAt.toISOString().startsWith("2026-11-20")));
    expect(await everyPage({ to: "2026-11-19" })).toEqual(expected((run) => run.createdAt.getTime() < Date.UTC(2026, 10, 20)));

    // Filters combine (AND).
    expect(await everyPage({ workflowId: wf.simple, trigger: "manual", from: new Date(low).toISOString() })).toEqual(
      expected((run) => run.workflowId === wf.simple && run.trigger === "manual" && run.createdAt.getTime() >= low),
    );
  });

  it("waiting for me: runs waiting on a pending task, only for a caller who may answer", async () => {
    const waiting = expected((run) => run.status === "waiting_for_human" && run.pending);
    expect(waiting).toHaveLength(2);
    expect(await everyPage({ waitingForMe: true })).toEqual(waiting);
    expect(await everyPage({ waitingForMe: true }, 4, { canRespond: false })).toEqual([]);
    expect(await everyPage({ waitingForMe: false })).toEqual(expected(() => true));
  });

  it("searches a run id (whole or its beginning) and text inside the input", async () => {
    const target = runs.find((run) => run.workflowId === wf.approval);
    if (!target) throw new Error("no approval run");
    expect(await everyPage({ q: target.id })).toEqual([target.id]);
    expect(await everyPage({ q: `  ${target.id}  ` })).toEqual([target.id]);
    // A prefix: every run whose id starts with it (ids are random, so compute who does).
    const prefix = target.id.slice(0, 6);
    expect(await everyPage({ q: prefix })).toEqual(expected((run) => run.id.startsWith(prefix)));
    expect(await everyPage({ q: "run_" })).toEqual(expected(() => true));

    expect(await everyPage({ q: "weekly report 1" })).toEqual(expected((run) => /weekly report 1/.test(JSON.stringify(run.input))));
    expect(await everyPage({ q: "INVOICE" })).toEqual(expected((run) => JSON.stringify(run.input).includes("invoice")));
    expect(expected((run) => JSON.stringify(run.input).includes("invoice"))).toHaveLength(5);
    const needle = expected((run) => JSON.stringify(run.input).includes("needle"));
    expect(needle).toHaveLength(1);
    for (const q of ['"needle"', "C:\\temp", "temp\nnext", "100% done_ok", "needle"]) expect(await everyPage({ q }), q).toEqual(needle);
    // LIKE's wildcards are plain characters here.
    expect(await everyPage({ q: "100%_done" })).toEqual([]);
    expect(await everyPage({ q: "no such words anywhere" })).toEqual([]);
    // Two characters: too short for the input text, and no id starts with them.
    expect(await everyPage({ q: "we" })).toEqual([]);
    // Search combines with the other filters.
    expect(await everyPage({ q: "report", trigger: "api" })).toEqual([]);
    expect(await everyPage({ q: "approve me", status: "waiting_for_human" })).toEqual(expected((run) => run.status === "waiting_for_human" && JSON.stringify(run.input).includes("approve me")));
  });

  it("refuses bad input, naming the field", async () => {
    const refused = async (input: unknown, field: string) => {
      const error = await listRunsPage(db, workspaceId, input as ListRunsInput, canRespond).then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(error, JSON.stringify(input)).toBeInstanceOf(UserInputError);
      expect((error as UserInputError).path, JSON.stringify(input)).toBe(field);
    };
    await refused({ limit: 0 }, "limit");
    await refused({ limit: 201 }, "limit");
    await refused({ limit: 2.5 }, "limit");
    await refused({ status: "sleeping" }, "status");
    await refused({ status: [] }, "status");
    await refused({ trigger: "cron" }, "trigger");
    await refused({ from: "yesterday" }, "from");
    await refused({ to: "2026-11-31T25:00:00" }, "to");
    await refused({ from: "2026-11-20", to: "2026-11-10" }, "to");
    await refused({ workflowId: "wf with spaces" }, "workflowId");
    await refused({ q: "x".repeat(201) }, "q");
    await refused({ q: "nul\u0000byte" }, "q");
    await refused({ cursor: "not-a-cursor" }, "cursor");
    await refused({ cursor: Buffer.from("12:run'; DROP TABLE").toString("base64url") }, "cursor");
  });
});

describe("GET /api/v1/runs", () => {
  const get = async (query: string, token: string) => {
    const response = await listRoute(new Request(`${BASE}/api/v1/runs${query}`, { headers: { authorization: `Bearer ${token}`, host: "localhost:3100" } }));
    return { status: response.status, body: (await response.json()) as { runs?: { id: string; createdAt: string }[]; nextCursor?: string | null; error?: { code: string; message: string; path?: string } } };
  };

  it("answers the same filters as query parameters, page by page", async () => {
    const { token } = await createTestApiKey(db, workspaceId, ["read"]);
    const first = await get("?limit=4&status=succeeded,waiting_for_human&trigger=manual", token);
    expect(first.status).toBe(200);
    const wanted = expected((run) => (run.status === "succeeded" || run.status === "waiting_for_human") && run.trigger === "manual");
    expect(first.body.runs?.map((run) => run.id)).toEqual(wanted.slice(0, 4));
    expect(typeof first.body.runs?.[0]?.createdAt).toBe("string");
    const second = await get(`?limit=4&status=succeeded&status=waiting_for_human&trigger=manual&cursor=${first.body.nextCursor ?? ""}`, token);
    expect(second.body.runs?.map((run) => run.id)).toEqual(wanted.slice(4, 8));
    expect((await get(`?workflowId=${wf.approval}&q=approve`, token)).body.runs?.map((run) => run.id)).toEqual(
      expected((run) => run.workflowId === wf.approval && JSON.stringify(run.input).includes("approve")),
    );
  });

  it("waitingForMe follows what the key may do; a trigger token sees its workflow's runs only", async () => {
    const read = await createTestApiKey(db, workspaceId, ["read"]);
    const control = await createTestApiKey(db, workspaceId, ["control"]);
    expect((await get("?waitingForMe=true", read.token)).body.runs).toEqual([]);
    expect((await get("?waitingForMe=1", control.token)).body.runs?.map((run) => run.id)).toEqual(expected((run) => run.status === "waiting_for_human" && run.pending));

    const trigger = await createTriggerToken(db, { workspaceId, actor: { kind: "system", name: "test" }, ip: null }, wf.approval);
    expect((await get("", trigger.token)).body.runs?.map((run) => run.id)).toEqual(expected((run) => run.workflowId === wf.approval));
    expect((await get(`?workflowId=${wf.simple}`, trigger.token)).body.runs).toEqual([]);

    const outsider = await createTestApiKey(db, otherWorkspaceId, ["admin"]);
    expect((await get("?limit=200", outsider.token)).body.runs?.map((run) => run.id).sort()).toEqual([...otherRunIds].sort());
  });

  it("refuses a bad parameter with 400 naming it", async () => {
    const { token } = await createTestApiKey(db, workspaceId, ["read"]);
    const cases: [string, string][] = [
      ["?limit=abc", "limit"],
      ["?limit=0", "limit"],
      ["?limit=500", "limit"],
      ["?status=sleeping", "status"],
      ["?status=failed,", "status"],
      ["?trigger=cron", "trigger"],
      ["?from=last+week", "from"],
      ["?from=2026-11-20&to=2026-11-01", "to"],
      ["?waitingForMe=yes", "waitingForMe"],
      ["?cursor=garbage", "cursor"],
      ["?q=a&q=b", "q"],
      ["?q=%00", "q"],
      ["?statuses=failed", "statuses"],
      ["?workflowId=..%2Fx", "workflowId"],
    ];
    for (const [query, parameter] of cases) {
      const { status, body } = await get(query, token);
      expect(status, query).toBe(400);
      expect(body.error?.path, query).toBe(parameter);
      expect(body.error?.message, query).toContain(parameter);
    }
    const anonymous = await listRoute(new Request(`${BASE}/api/v1/runs`, { headers: { host: "localhost:3100" } }));
    expect(anonymous.status).toBe(401);
  });
});

type Frame = { event?: string; data?: string };

/** Reads an SSE body as a browser would, frame by frame. */
function readFrames(response: Response): { frames: Frame[]; cancel: () => Promise<void> } {
  const frames: Frame[] = [];
  const reader = response.body?.getReader();
  const done = (async () => {
    if (!reader) return;
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { done: finished, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (finished) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame: Frame = {};
        for (const line of buffer.slice(0, end).split("\n")) {
          const match = /^(event|data): ?(.*)$/.exec(line);
          if (match?.[1] === "event" || match?.[1] === "data") frame[match[1]] = match[2];
        }
        frames.push(frame);
        buffer = buffer.slice(end + 2);
      }
    }
  })();
  return {
    frames,
    cancel: async () => {
      await reader?.cancel().catch(() => undefined);
      await done;
    },
  };
}

describe("the workspace feed", () => {
  const change = (over: Partial<RunChange>): RunChange => ({ workspaceId, runId: newId("run"), workflowId: wf.simple, status: "running", at: new Date().toISOString(), ...over });
  const changesIn = (frames: Frame[]) => frames.filter((frame) => frame.event === "run-change").map((frame) => JSON.parse(frame.data ?? "null") as RunChange);

  it("streams this workspace's run changes to its viewers, and nothing of another workspace", async () => {
    const { token } = await createTestApiKey(db, workspaceId, ["read"]);
    const { token: theirToken } = await createTestApiKey(db, otherWorkspaceId, ["read"]);
    const abort = new AbortController();
    const open = (bearer: string) => feedRoute(new Request(`${BASE}/api/workspace/events`, { headers: { authorization: `Bearer ${bearer}`, host: "localhost:3100" }, signal: abort.signal }));
    const ours = await open(token);
    const theirs = await open(theirToken);
    expect(ours.status).toBe(200);
    expect(ours.headers.get("content-type")).toBe("text/event-stream");
    const ourFrames = readFrames(ours);
    const theirFrames = readFrames(theirs);
    // Live first: a client re-reads its list then, so nothing before the subscription is lost.
    await waitUntil(() => ourFrames.frames.some((frame) => frame.event === "live") && theirFrames.frames.some((frame) => frame.event === "live"), "both feeds live");

    const mine = change({});
    const notMine = change({ workspaceId: otherWorkspaceId, workflowId: wf.other, status: "failed" });
    await publishRunChange(notMine);
    await publishRunChange(mine);
    await waitUntil(() => changesIn(ourFrames.frames).length === 1 && changesIn(theirFrames.frames).length === 1, "each feed gets its change");
    expect(changesIn(ourFrames.frames)).toEqual([mine]);
    expect(changesIn(theirFrames.frames)).toEqual([notMine]);

    // A real run: the commits that change its status are announced (queued → running → succeeded).
    const runId = await start(wf.simple, { topic: "live feed" });
    await waitForRun(db, runId, ["succeeded"]);
    await waitUntil(() => changesIn(ourFrames.frames).some((c) => c.runId === runId && c.status === "succeeded"), "the run's end on the feed");
    expect(changesIn(ourFrames.frames).filter((c) => c.runId === runId).every((c) => c.workflowId === wf.simple && c.workspaceId === workspaceId)).toBe(true);
    expect(changesIn(theirFrames.frames).some((c) => c.runId === runId)).toBe(false);
    runs = await snapshot();

    abort.abort();
    await ourFrames.cancel();
    await theirFrames.cancel();
  });

  it("counts against the viewer's stream limit and refuses what may not read the workspace", async () => {
    const abort = new AbortController();
    const first = streamWorkspaceFeed({ workspaceId, viewerKey: "api_key:feed-limit", limit: 1, signal: abort.signal });
    expect(first.status).toBe(200);
    expect(openStreamCount("api_key:feed-limit")).toBe(1);
    const second = streamWorkspaceFeed({ workspaceId, viewerKey: "api_key:feed-limit", limit: 1, signal: abort.signal });
    expect(second.status).toBe(429);
    expect(second.headers.get("retry-after")).toBeTruthy();
    abort.abort();
    await first.body?.cancel();
    expect(openStreamCount("api_key:feed-limit")).toBe(0);

    const trigger = await createTriggerToken(db, { workspaceId, actor: { kind: "system", name: "test" }, ip: null }, wf.simple);
    const refused = await feedRoute(new Request(`${BASE}/api/workspace/events`, { headers: { authorization: `Bearer ${trigger.token}`, host: "localhost:3100" } }));
    expect(refused.status).toBe(401);
    expect((await feedRoute(new Request(`${BASE}/api/workspace/events`, { headers: { host: "localhost:3100" } }))).status).toBe(401);
  });
});
