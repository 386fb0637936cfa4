/**
 * Scale bench (`npm run bench -- scale`), the "Scale" line of issue 14:
 *  1. Waiting runs: a real worker process (the compiled bundle dist/worker/main.mjs, rebuilt
 *     first when its sources changed, as `npm start` runs it) and a workflow trigger → human
 *     approval → output. N runs (BENCH_SCALE_RUNS, default 10,000) are started through
 *     startRun (what the API calls) and wait for a person; the worker's RSS (and its V8 heap in
 *     use, from the metrics it pushes) is read idle (after warm-up runs) and once they all wait,
 *     each time after a settle (SETTLE_MS: the worker trims itself once quiet after a burst) and
 *     a full GC (the worker is started with --expose-gc and collects on SIGUSR2). Then M of them
 *     are answered one at a time through respondToHumanTask (what the API calls), timed from the call to the run
 *     row reading `succeeded`; the floor is the same resume with no other run waiting.
 *     Aims: worker memory grows ≤ 20 MiB; resuming one takes p50 ≤ 50 ms.
 *  2. SSE viewers: 1,000 streams of one run, opened over real HTTP through the run page's route
 *     (pages/api/runs/[runId]/events.ts), served by this process, which plays the one web process,
 *     and read by another (scripts/lib/sse-viewers.ts), as browsers are elsewhere; the
 *     run has human gates the bench answers, the worker process committing the steps between
 *     them. Per viewer and event: the RunStep row's createdAt (stamped by the process that
 *     committed it, on this machine's clock; a little before the commit itself) → the frame
 *     arriving at the viewer. Two floors: a raw Redis publish → subscriber round trip, and the
 *     same viewers reading a bare node:http SSE server that writes each frame to every socket
 *     (bareFanOut: what this machine's sockets cost with no app at all).
 *     The first WARMUP_GATES gates after the streams open are shown apart, not in the figure:
 *     a web process in service has long run the code that writes a notice to its viewers,
 *     while this one runs it for the first time (interpreted, then compiled as it gets hot).
 *     Then GATES gates are counted (BENCH_SCALE_GATES), the run's end with them.
 *     The route allows MAX_STREAMS_PER_VIEWER streams per key, so the viewers use enough API
 *     keys to stay under it (they are as many people, each with a few tabs open).
 *     Aim: committed step visible to the viewer p99 ≤ 50 ms. BENCH_SCALE_DUMP=<file> writes each
 *     counted step's type, its notice time and its viewers' p50/p99 there: where the tail comes from.
 * Runs in a process of its own (its queue prefix; `--conditions=react-server` for the route's
 * server-only modules). Needs DATABASE_URL and REDIS_URL (scripts/with-services.ts).
 */
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { buildWorker, checkWorkerBuild, WORKER_ENTRY } from "./build-worker";
import { summarize } from "./bench-runtime";
import { say } from "./lib/log";
import { ROOT } from "./lib/paths";
import { leanNodeEnv, workerNodeFlags } from "./lib/lean-node";
import { sleep, startGroup, waitUntil } from "./lib/process";
import { runAloneIfMain } from "./lib/run-alone";
import type { PushedMetrics } from "../server/ops/metrics-push";
import type { ViewersAnswer } from "./lib/sse-viewers";

const WAITING_RUNS = Number(process.env.BENCH_SCALE_RUNS ?? 10_000);
const VIEWERS = Number(process.env.BENCH_SCALE_VIEWERS ?? 1_000);
const RESUMES = 50;
const START_CONCURRENCY = 16;
const WARMUP_GATES = 3;
/** How often the SSE part's gate loop looks at the run and the viewers (see there). */
const POLL_MS = 25;
const GATES = Number(process.env.BENCH_SCALE_GATES ?? 10);
/**
 * Before each memory reading: long enough for the worker's own idle trim (server/ops/idle-trim.ts:
 * 10 s without a job after a burst, checked every 2 s) to have handed the burst's heap pages back,
 * as it does in production, and for its next metrics push (every 3 s) to count it.
 */
const SETTLE_MS = Number(process.env.BENCH_SCALE_SETTLE_MS ?? 20_000);
const MEMORY_AIM_MIB = 20;
const RESUME_AIM_MS = 50;
const VISIBLE_AIM_MS = 50;
const REDIS_SAMPLES = 500;

const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : "n/a");
const met = (ok: boolean) => (ok ? "met" : "NOT met");
const wallNow = () => performance.timeOrigin + performance.now();

function percentile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function rssMib(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN) / 1024;
}

/** Runs `task` for every item with at most `limit` in flight. */
async function inParallel<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await task(items[next++] as T);
    }),
  );
}

type NodeRoute = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

/** A node route (the run events route of pages/api, or the fan-out floor's) on a node:http server on loopback, as Next calls it. */
async function serveRunEvents(route: NodeRoute): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => void route(req, res).catch(() => res.destroy()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The viewers' process (scripts/lib/sse-viewers.ts), asked one question at a time over IPC. */
function startViewers(): { ask: (question: object) => Promise<ViewersAnswer>; stop: () => void } {
  const child = fork(path.join(ROOT, "scripts/lib/sse-viewers.ts"), [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return {
    ask: (question) =>
      new Promise((resolve, reject) => {
        const onExit = (code: number | null) => reject(new Error(`the viewers' process exited (${code})`));
        child.once("exit", onExit);
        child.once("message", (reply) => {
          child.off("exit", onExit);
          resolve(reply as ViewersAnswer);
        });
        child.send(question);
      }),
    stop: () => void child.kill(),
  };
}

type Viewers = ReturnType<typeof startViewers>;

/** Waits until every open stream has received event `seq` (false after 60 s). */
function allViewersSaw(viewers: Viewers, seq: number): Promise<boolean> {
  return waitUntil(
    async () => {
      const seen = await viewers.ask({ type: "min-seen" });
      return seen.type === "min-seen" && seen.seq >= seq;
    },
    60_000,
    POLL_MS,
  );
}

const FAN_OUT_WARMUP_FRAMES = 3; // as the run's first gates are
const FAN_OUT_FLOOR_FRAMES = FAN_OUT_WARMUP_FRAMES + 20;

/**
 * The fan-out floor: the same viewers' process reading `count` streams from a bare SSE server in
 * this process (node:http; no app, Redis or database), which writes each frame to every socket
 * the way the run events route does (the same bytes to all, one write each), a few hundred bytes
 * like a step's frame. Frame written → frame at the viewer: what this machine's socket writing
 * and the viewers' reading cost on their own, under the run figure above.
 */
async function bareFanOut(viewers: Viewers, count: number): Promise<ReturnType<typeof summarize>> {
  const open: http.ServerResponse[] = [];
  const server = await serveRunEvents(async (_req, res) => {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    res.flushHeaders();
    open.push(res);
  });
  try {
    await viewers.ask({ type: "reset" });
    const opened = await viewers.ask({ type: "open", url: `${server.origin}/floor`, tokens: ["-"], perToken: count, count });
    if (opened.type !== "opened" || opened.opened !== count) throw new Error("the viewers did not open the floor's streams");
    const writtenAt = new Map<number, number>();
    for (let id = 1; id <= FAN_OUT_FLOOR_FRAMES; id += 1) {
      const frame = Buffer.from(`id: ${id}\nevent: step\ndata: ${JSON.stringify({ seq: id, padding: "x".repeat(400) })}\n\n`);
      writtenAt.set(id, wallNow());
      for (const res of open) res.write(frame);
      if (!(await allViewersSaw(viewers, id))) throw new Error(`not every viewer saw the floor's frame ${id}`);
    }
    const report = await viewers.ask({ type: "report" });
    if (report.type !== "report") throw new Error("the viewers did not report");
    return summarize(report.arrivals.filter(([, id]) => id > FAN_OUT_WARMUP_FRAMES).map(([, id, at]) => at - (writtenAt.get(id) as number)));
  } finally {
    await server.close();
  }
}

export async function benchScale(): Promise<string[]> {
  process.env.QUEUE_PREFIX = `bench-scale-${randomBytes(3).toString("hex")}`;
  process.env.APP_URL ??= "http://localhost:3000";
  // Imported after the env is set: these modules read it lazily but cache it.
  const { getDb, closeDb } = await import("../server/db");
  const { closeRedis, createSubscriber, getRedis, runChannel } = await import("../server/events");
  const { getRunsQueue } = await import("../server/queue");
  const { newId } = await import("../server/ids");
  const { createWorkflow } = await import("../server/workflows/workflows");
  const { createApiKey } = await import("../server/auth/api-keys");
  const { buildGraph } = await import("../server/engine/test-helpers");
  const { startRun } = await import("../server/runs/start-run");
  const { respondToHumanTask } = await import("../server/runs/respond-human");
  const { getEnv } = await import("../server/env");
  const { closeRunEventHub } = await import("../server/streams/run-event-hub");
  const { default: runEventsRoute } = await import("../pages/api/runs/[runId]/events");

  const check = checkWorkerBuild();
  if (check.stale) {
    say(`bench scale: ${check.reason}; bundling the worker`);
    await buildWorker(check.hash);
  }
  const db = getDb();
  const workspaceId = newId("ws");
  const access = { workspaceId, actor: { kind: "system" as const, name: "bench" }, ip: null };
  // --expose-gc and a SIGUSR2 handler that collects: memory is read after a full collection,
  // so it is what the worker holds, not garbage an idle process had no reason to collect yet.
  const collectOnSignal = "data:text/javascript,process.on('SIGUSR2',()=>globalThis.gc())";
  // With the flags and environment `npm start` gives it (scripts/lib/lean-node.ts).
  const worker = startGroup("worker", process.execPath, [...workerNodeFlags(), "--expose-gc", "--import", collectOnSignal, path.relative(ROOT, WORKER_ENTRY)], {
    cwd: ROOT,
    env: leanNodeEnv({ ...process.env, NODE_ENV: "production", LOG_LEVEL: "warn" }),
    stdio: ["ignore", "ignore", "inherit"],
    stopTimeoutMs: 15_000,
  });
  const lines: string[] = [`scale: worker process: node ${path.relative(ROOT, WORKER_ENTRY)} (compiled bundle), WORKER_CONCURRENCY ${getEnv().WORKER_CONCURRENCY}`];

  /**
   * From the metrics the worker pushes to Redis every 3 s: its V8 heap in use (prom-client's
   * default metrics), which tells memory it holds from heap it has not given back yet, and how
   * often it has trimmed itself so far (server/ops/idle-trim.ts).
   */
  const workerMemory = async (): Promise<{ heapUsedMib: number; trims: number }> => {
    const [key] = await getRedis().keys(`${process.env.QUEUE_PREFIX}:metrics:*`);
    const pushed = key ? await getRedis().get(key) : null;
    const metrics = pushed ? (JSON.parse(pushed) as PushedMetrics).metrics : [];
    const value = (name: string) => metrics.find((metric) => metric.name === name)?.values[0]?.value ?? Number.NaN;
    return { heapUsedMib: value("nodejs_heap_size_used_bytes") / 2 ** 20, trims: value("agentflow_worker_memory_trims_total") };
  };
  /** A full collection in the worker, then a wait for its next metrics push (every 3 s). */
  const collectWorkerGarbage = async () => {
    process.kill(worker.pid, "SIGUSR2");
    await sleep(4_000);
  };
  const statusOf = async (runId: string) => (await db.run.findUniqueOrThrow({ where: { id: runId }, select: { status: true } })).status;
  const waitForStatus = async (runId: string, status: string, intervalMs = 2) => {
    if (!(await waitUntil(async () => (await statusOf(runId)) === status, 60_000, intervalMs))) throw new Error(`run ${runId} did not reach ${status}`);
  };
  /** Answer → the run row reads `succeeded` (the worker committed run_finished). */
  const resume = async (runId: string): Promise<number> => {
    const task = await db.humanTask.findFirstOrThrow({ where: { runId, status: "pending" }, select: { id: true } });
    const started = performance.now();
    await respondToHumanTask(db, access, { taskId: task.id, decision: "approve" });
    await waitForStatus(runId, "succeeded");
    return performance.now() - started;
  };

  try {
    await db.workspace.create({ data: { id: workspaceId, name: "bench scale" } });

    // ---- 1. Waiting runs ----
    const gateGraph = buildGraph(
      [["trigger", "trigger"], ["review", "human", { message: "Go ahead?" }], ["out", "output"]],
      [["trigger", "review"], ["review", "out", "approve"]],
    );
    const { id: workflowId } = await createWorkflow(db, workspaceId, { name: "bench scale gate", graph: gateGraph });
    const start = async () => (await startRun(db, { workspaceId, workflowId, input: {}, trigger: "api", startedBy: "bench" })).runId;

    // Warm-up, then the floor: the same resume with no other run waiting.
    for (let i = 0; i < 3; i += 1) {
      const runId = await start();
      await waitForStatus(runId, "waiting_for_human");
      await resume(runId);
    }
    const floorResumes: number[] = [];
    for (let i = 0; i < RESUMES; i += 1) {
      const runId = await start();
      await waitForStatus(runId, "waiting_for_human");
      floorResumes.push(await resume(runId));
    }
    await sleep(SETTLE_MS);
    await collectWorkerGarbage();
    const idleMib = rssMib(worker.pid);
    const { heapUsedMib: idleHeapMib, trims: idleTrims } = await workerMemory();

    say(`bench scale: starting ${WAITING_RUNS} runs that wait for a person`);
    const startedAt = performance.now();
    const waitingIds: string[] = [];
    await inParallel(
      Array.from({ length: WAITING_RUNS }, (_, i) => i),
      START_CONCURRENCY,
      async () => void waitingIds.push(await start()),
    );
    const startSeconds = (performance.now() - startedAt) / 1000;
    const allWaiting = await waitUntil(
      async () => (await db.run.count({ where: { workspaceId, workflowId, status: "waiting_for_human" } })) >= WAITING_RUNS,
      30 * 60_000,
      1_000,
    );
    const waitSeconds = (performance.now() - startedAt) / 1000;
    if (!allWaiting) throw new Error(`not all ${WAITING_RUNS} runs reached waiting_for_human`);
    let peakMib = rssMib(worker.pid);
    // A settle (timers, sweeps, the last jobs' clean-up), then a full collection.
    for (let waited = 0; waited < SETTLE_MS; waited += 500) {
      await sleep(500);
      peakMib = Math.max(peakMib, rssMib(worker.pid));
    }
    await collectWorkerGarbage();
    const waitingMib = rssMib(worker.pid);
    const { heapUsedMib: waitingHeapMib, trims: waitingTrims } = await workerMemory();
    const burstTrims = waitingTrims - idleTrims;

    const loadedResumes: number[] = [];
    for (const runId of waitingIds.slice(0, RESUMES)) loadedResumes.push(await resume(runId));
    const grown = waitingMib - idleMib;
    const p50 = percentile(loadedResumes, 0.5);
    lines.push(
      `scale: ${WAITING_RUNS.toLocaleString()} runs started (startRun, ${START_CONCURRENCY} at a time) in ${fmt(startSeconds)} s, all waiting_for_human after ${fmt(waitSeconds)} s`,
      `scale: worker RSS idle ${fmt(idleMib)} MiB → ${fmt(waitingMib)} MiB with ${WAITING_RUNS.toLocaleString()} waiting, each after a full GC (peak ${fmt(peakMib)} MiB; the worker trimmed itself ${burstTrims} time(s) after the burst): grew ${fmt(grown)} MiB (aim ≤ ${MEMORY_AIM_MIB} MiB) ${met(grown <= MEMORY_AIM_MIB)}`,
      `scale: worker V8 heap in use (its pushed metrics) idle ${fmt(idleHeapMib)} MiB → ${fmt(waitingHeapMib)} MiB with ${WAITING_RUNS.toLocaleString()} waiting: grew ${fmt(waitingHeapMib - idleHeapMib)} MiB (after a full collection: what the worker holds)`,
      `scale: resume one (respondToHumanTask → run succeeded) with ${WAITING_RUNS.toLocaleString()} waiting p50 ${fmt(p50)} ms p95 ${fmt(percentile(loadedResumes, 0.95))} ms | floor with 0 waiting p50 ${fmt(percentile(floorResumes, 0.5))} ms p95 ${fmt(percentile(floorResumes, 0.95))} ms (n=${RESUMES}; aim p50 ≤ ${RESUME_AIM_MS} ms) ${met(p50 <= RESUME_AIM_MS)}`,
    );

    // ---- 2. SSE viewers ----
    // Floor: a raw Redis publish → subscriber round trip on this machine.
    const subscriber = createSubscriber();
    const channel = `bench-scale-floor-${randomBytes(3).toString("hex")}`;
    const redisTrips: number[] = [];
    subscriber.on("message", (_channel: string, message: string) => redisTrips.push(wallNow() - Number(message)));
    await subscriber.subscribe(channel);
    for (let i = 0; i < REDIS_SAMPLES; i += 1) {
      await getRedis().publish(channel, String(wallNow()));
      await sleep(1);
    }
    await sleep(100);
    await subscriber.quit();

    const gates = Array.from({ length: WARMUP_GATES + GATES }, (_, i) => `gate${i + 1}`);
    const viewGraph = buildGraph(
      [["trigger", "trigger"], ...gates.map((id): [string, "human", Record<string, unknown>] => [id, "human", { message: `Step ${id}?` }]), ["out", "output"]],
      // A human node's way on is its "approve" handle.
      ["trigger", ...gates, "out"].slice(1).map((id, i, rest): [string, string, string?] => (i === 0 ? ["trigger", id] : [rest[i - 1] as string, id, "approve"])),
    );
    const { id: viewWorkflowId } = await createWorkflow(db, workspaceId, { name: "bench scale viewers", graph: viewGraph });
    const { runId } = await startRun(db, { workspaceId, workflowId: viewWorkflowId, input: {}, trigger: "api", startedBy: "bench" });
    await waitForStatus(runId, "waiting_for_human");

    // Where the time goes: the run's Redis notice arriving in this process, before any stream reads the log.
    const noticeAt = new Map<number, number>();
    const noticeSubscriber = createSubscriber();
    noticeSubscriber.on("message", (_channel: string, message: string) => {
      const at = wallNow();
      for (const event of JSON.parse(message) as { seq: number }[]) noticeAt.set(event.seq, at);
    });
    await noticeSubscriber.subscribe(runChannel(runId));

    const perKey = getEnv().MAX_STREAMS_PER_VIEWER;
    const keys: string[] = [];
    for (let i = 0; i < Math.ceil(VIEWERS / perKey); i += 1) keys.push((await createApiKey(db, access, { name: `bench viewer ${i}`, scopes: ["read"] })).token);
    // This process plays the one web process: the run events route on a real HTTP server. The
    // viewers are another process, as browsers are (scripts/lib/sse-viewers.ts).
    const server = await serveRunEvents(runEventsRoute);
    const viewers = startViewers();
    try {
      const opened = await viewers.ask({ type: "open", url: `${server.origin}/api/runs/${runId}/events`, tokens: keys, perToken: perKey, count: VIEWERS });
      if (opened.type !== "opened") throw new Error("the viewers did not open their streams");
      const lastSeqNow = async () => (await db.runStep.findFirst({ where: { runId }, orderBy: { seq: "desc" }, select: { seq: true } }))?.seq ?? 0;
      const backlogSeq = await lastSeqNow();
      if (!(await allViewersSaw(viewers, backlogSeq))) throw new Error("not every viewer received the run's backlog");

      // Answer each gate; the worker commits the steps up to the next one (or the run's end).
      // This process plays the web process, so the bench's own polling here is unhurried: the
      // figure is timed from each step's commit, and every poll's Postgres read would take CPU
      // from the writing of frames.
      let warmSeq = backlogSeq;
      for (let gate = 0; gate < gates.length; gate += 1) {
        const last = gate === gates.length - 1;
        const task = await db.humanTask.findFirstOrThrow({ where: { runId, status: "pending" }, select: { id: true } });
        await respondToHumanTask(db, access, { taskId: task.id, decision: "approve" });
        await waitForStatus(runId, last ? "succeeded" : "waiting_for_human", POLL_MS);
        if (!last) await waitUntil(async () => (await db.humanTask.count({ where: { runId, status: "pending" } })) > 0, 60_000, POLL_MS);
        const seq = await lastSeqNow();
        if (!(await allViewersSaw(viewers, seq))) throw new Error(`not every viewer saw the steps after ${gates[gate]}`);
        if (gate === WARMUP_GATES - 1) warmSeq = seq;
      }
      const report = await viewers.ask({ type: "report" });
      if (report.type !== "report") throw new Error("the viewers did not report");
      await noticeSubscriber.quit();

      const arrivals = new Map(report.arrivals.map(([stream, seq, at]) => [`${stream}:${seq}`, at]));
      /** Commit → frame at each viewer for each of `steps`, and how many frames never arrived. */
      const visibility = (steps: { seq: number; createdAt: Date }[]) => {
        const visible: number[] = [];
        let missing = 0;
        for (let stream = 0; stream < opened.opened; stream += 1) {
          for (const step of steps) {
            const at = arrivals.get(`${stream}:${step.seq}`);
            if (at === undefined) missing += 1;
            else visible.push(at - step.createdAt.getTime());
          }
        }
        return { ...summarize(visible), missing };
      };
      const allSteps = await db.runStep.findMany({ where: { runId, seq: { gt: backlogSeq } }, select: { seq: true, type: true, createdAt: true } });
      const steps = allSteps.filter((step) => step.seq > warmSeq);
      const warm = visibility(allSteps.filter((step) => step.seq <= warmSeq));
      const seen = visibility(steps);
      if (process.env.BENCH_SCALE_DUMP) {
        const lines = steps.map((step) => {
          const one = visibility([step]);
          const notice = noticeAt.has(step.seq) ? (noticeAt.get(step.seq) as number) - step.createdAt.getTime() : Number.NaN;
          return `${step.seq}\t${step.type}\tnotice ${notice.toFixed(1)}\tp50 ${one.p50.toFixed(1)}\tp99 ${one.p99.toFixed(1)}`;
        });
        writeFileSync(process.env.BENCH_SCALE_DUMP, `${lines.join("\n")}\n`);
      }
      const notices = summarize(steps.flatMap((step) => (noticeAt.has(step.seq) ? [(noticeAt.get(step.seq) as number) - step.createdAt.getTime()] : [])));
      const floor = summarize(redisTrips);
      const refusedText = Object.entries(opened.refused).map(([status, count]) => `${count} × ${status}`).join(", ");
      lines.push(
        `scale: ${opened.opened} SSE viewers of one run through the run events route over HTTP, served by this process, read by another (${keys.length} API keys, ≤ ${perKey} streams each = MAX_STREAMS_PER_VIEWER)${refusedText ? `; refused: ${refusedText}` : ""}`,
        `scale: committed step → frame at the viewer p50 ${fmt(seen.p50)} ms p99 ${fmt(seen.p99)} ms over ${seen.n.toLocaleString()} frames (${steps.length} steps of ${GATES} gates and the run's end × ${opened.opened} viewers, ${seen.missing} missing) | floor raw Redis publish → subscriber p50 ${fmt(floor.p50, 2)} ms p99 ${fmt(floor.p99, 2)} ms (n=${floor.n}) (aim p99 ≤ ${VISIBLE_AIM_MS} ms) ${met(seen.p99 <= VISIBLE_AIM_MS)}`,
        `scale: before those, the first ${WARMUP_GATES} gates after the streams opened (warm-up, not counted above): p50 ${fmt(warm.p50)} ms p99 ${fmt(warm.p99)} ms over ${warm.n.toLocaleString()} frames, ${warm.missing} missing`,
        `scale: of which committed step → its Redis notice in the serving process p50 ${fmt(notices.p50)} ms p99 ${fmt(notices.p99)} ms (n=${notices.n}); the rest is writing the notice's frames to the ${opened.opened} sockets (no read of the log when the notice continues a stream) and the viewers' reading`,
      );
      const fanOut = await bareFanOut(viewers, opened.opened);
      lines.push(
        `scale: floor of that rest: a bare node:http SSE server in this process writing one frame to the same ${opened.opened} viewers (no app, Redis or database) → frame at the viewer p50 ${fmt(fanOut.p50)} ms p99 ${fmt(fanOut.p99)} ms (n=${fanOut.n.toLocaleString()}); run figure p99 / this p99 = ${fmt(seen.p99 / fanOut.p99, 2)}`,
      );
    } finally {
      viewers.stop();
      await server.close();
    }
    return lines;
  } finally {
    await worker.stop();
    await getRunsQueue().obliterate({ force: true }).catch(() => undefined);
    await getRunsQueue().close();
    await db.$executeRaw`DELETE FROM "Run" WHERE "workspaceId" = ${workspaceId}`.catch((error: unknown) => console.error(error));
    await db.workspace.delete({ where: { id: workspaceId } }).catch((error: unknown) => console.error(error));
    await closeRunEventHub();
    await closeRedis();
    await closeDb();
  }
}

// `tsx scripts/bench-scale.ts` runs this part alone (bench.ts starts it that way).
runAloneIfMain(import.meta.url, benchScale);
