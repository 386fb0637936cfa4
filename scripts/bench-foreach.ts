/**
 * For-each benchmark (`npm run bench -- foreach`): what 1,000 items cost the run that holds
 * them. Each item is a run of its own, so the parent's state keeps only each item's result;
 * measured here, against the same Postgres in the same run:
 *  - the parent's state size after 1,000 items, and per item (its result plus bookkeeping);
 *  - the time to commit one item's start and end to the parent early (items 0–49) and late
 *    (items 950–999), beside the floor: the same commit to a run whose state is one node;
 *  - end to end on the real worker and the demo model over HTTP: 1,000 items, 50 at a time,
 *    each an agent call — items per second, and the parent's commits.
 * Needs DATABASE_URL and REDIS_URL (scripts/with-services.ts).
 */
import { randomBytes } from "node:crypto";
import { summarize } from "./bench-runtime";
import { runAloneIfMain } from "./lib/run-alone";

const ITEMS = 1_000;
const CONCURRENCY = 50;
const fmt = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : "n/a");

export async function benchForEach(): Promise<string[]> {
  const { startDemoModelServer } = await import("../server/llm/serve-demo-model");
  const demo = await startDemoModelServer();
  process.env.DEMO_MODEL_URL = demo.baseUrl;
  process.env.QUEUE_PREFIX = `bench-foreach-${randomBytes(3).toString("hex")}`;
  process.env.APP_URL ??= "http://localhost:3000";
  const { closeDb, getDb } = await import("../server/db");
  const { newId } = await import("../server/ids");
  const { buildGraph } = await import("../server/engine/test-helpers");
  const { createWorkflow } = await import("../server/workflows/workflows");
  const { snapshotVersion } = await import("../server/workflows/versions");
  const { commitEvents, insertRun } = await import("../server/runs/commit");
  const { startRun } = await import("../server/runs/start-run");
  const { createRunWorker } = await import("../server/runs/worker");
  const { closeRunsQueue, getRunsQueue } = await import("../server/queue");
  const { closeRedis } = await import("../server/events");
  const { jsonText } = await import("../server/json");
  const db = getDb();
  const workspaceId = newId("ws");
  const lines: string[] = [];
  try {
    await db.workspace.create({ data: { id: workspaceId, name: "bench for-each" } });
    const graph = buildGraph(
      [
        ["trigger", "trigger", { sampleInput: '{"items": ["x"]}' }],
        ["each", "for_each", { items: "input.items", concurrency: CONCURRENCY }],
        ["work", "agent", { task: "Item {{index}}: {{item}}" }],
        ["out", "output"],
      ],
      [["trigger", "each"], ["each", "work", "item"], ["work", "each"], ["each", "out", "done"]],
    );
    const { id: workflowId } = await createWorkflow(db, workspaceId, { name: "bench for-each", graph });
    const version = await snapshotVersion(db, workflowId, graph);
    const items = Array.from({ length: ITEMS }, (_, index) => `ticket ${index}: the printer on floor ${index % 7} is jammed again`);
    /** A result the size an agent's short answer has. */
    const result = (index: number) => `Item ${index}: a paper jam on the printer; send a technician. `.repeat(2);

    // 1. Commit cost: the same pair of events on a one-node run (the floor) and on a for-each
    //    at item i of 1,000, through the worker's own commit (one statement, state beside the log).
    const newRun = async (input: unknown) => {
      const runId = newId("run");
      const state = await insertRun({ runId, workspaceId, workflowId, versionId: version.id, trigger: "manual", startedBy: "bench", events: [{ type: "run_started", input, seq: 1, at: new Date().toISOString() }] });
      return { runId, state };
    };
    const floorRun = await newRun({});
    let floorState = floorRun.state;
    const floorSamples: number[] = [];
    for (let i = 0; i < 200; i += 1) {
      const started = performance.now();
      floorState = (await commitEvents(db, floorRun.runId, floorState, [{ type: "route_chosen", nodeId: "only", branch: "a", reason: `r${i}`, defaulted: false }])).state;
      floorSamples.push(performance.now() - started);
    }
    const parent = await newRun({ items });
    let parentState = (await commitEvents(db, parent.runId, parent.state, [{ type: "node_started", nodeId: "each" }, { type: "items_listed", nodeId: "each", count: ITEMS }])).state;
    const itemSamples: number[] = [];
    for (let index = 0; index < ITEMS; index += 1) {
      const childRunId = `run_bench_${index}`;
      const started = performance.now();
      parentState = (await commitEvents(db, parent.runId, parentState, [{ type: "child_started", nodeId: "each", index, childRunId }])).state;
      parentState = (await commitEvents(db, parent.runId, parentState, [{ type: "child_finished", nodeId: "each", index, childRunId, status: "succeeded", output: result(index) }])).state;
      itemSamples.push((performance.now() - started) / 2);
    }
    const floor = summarize(floorSamples.slice(50));
    const early = summarize(itemSamples.slice(0, 50));
    const late = summarize(itemSamples.slice(-50));
    const stateBytes = Buffer.byteLength(jsonText(parentState));
    const resultBytes = items.reduce((sum, _, index) => sum + Buffer.byteLength(JSON.stringify(result(index))), 0);
    lines.push(
      `foreach: parent state after ${ITEMS} items: ${fmt(stateBytes / 1024, 1)} KiB (${fmt(stateBytes / ITEMS, 0)} B per item, of which ${fmt(resultBytes / ITEMS, 0)} B is the item's result; no item's thread)`,
      `foreach: commit per item event (mean, p99 ms): items 0–49 ${fmt(early.mean)} / ${fmt(early.p99)}, items 950–999 ${fmt(late.mean)} / ${fmt(late.p99)}; floor (one-node run) ${fmt(floor.mean)} / ${fmt(floor.p99)}; ratio late/floor ${fmt(late.mean / floor.mean)}×`,
    );

    // 2. End to end: 1,000 items on the real worker, each an agent call on the demo model.
    const worker = createRunWorker(db, { concurrency: CONCURRENCY + 10 });
    await worker.waitUntilReady();
    try {
      const started = performance.now();
      const { runId } = await startRun(db, { workspaceId, startedBy: "bench", workflowId, input: { items }, trigger: "manual" });
      for (;;) {
        const row = await db.run.findUniqueOrThrow({ where: { id: runId }, select: { status: true, lastSeq: true } });
        if (row.status === "succeeded") break;
        if (row.status !== "running" && row.status !== "queued") throw new Error(`the for-each run ended ${row.status}`);
        if (performance.now() - started > 600_000) throw new Error("the for-each run took over 10 minutes");
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const seconds = (performance.now() - started) / 1000;
      const row = await db.run.findUniqueOrThrow({ where: { id: runId }, select: { lastSeq: true, state: true } });
      const children = await db.run.count({ where: { callerRunId: runId, status: "succeeded" } });
      const commits = await db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(DISTINCT "createdAt")::int AS n FROM "RunStep" WHERE "runId" = $1`, runId);
      lines.push(
        `foreach: end to end, ${ITEMS} items × one agent call (demo model over HTTP), ${CONCURRENCY} at a time, one in-process worker: ${fmt(seconds, 1)} s, ${fmt(ITEMS / seconds, 1)} items/s; ${children} item runs succeeded`,
        `foreach: the parent's log: ${row.lastSeq} events in ${commits[0]?.n ?? "?"} commits (items gathered in batches); final state ${fmt(Buffer.byteLength(JSON.stringify(row.state)) / 1024, 1)} KiB`,
      );
    } finally {
      await worker.close();
      await getRunsQueue().obliterate({ force: true }).catch(() => undefined);
      // Not getRunsQueue().close(): the next part of the bench, in this process, must get a new queue.
      await closeRunsQueue();
    }
  } finally {
    await db.workspace.delete({ where: { id: workspaceId } }).catch(() => undefined);
    await closeRedis();
    await closeDb();
    await demo.close();
  }
  return lines;
}

// `tsx scripts/bench-foreach.ts` runs this part alone (bench.ts starts it that way).
runAloneIfMain(import.meta.url, benchForEach);
