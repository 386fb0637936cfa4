// The chaos harness (`npm run chaos`, tests/chaos-smoke.test.ts): real Postgres and Redis of its
// own, real worker processes killed with SIGKILL under load, a store restarted mid-load, runs
// triggered and answered through the REST route handlers, and figures read back from the
// stores, the model server and the side-effect sink. Prints figures beside their aims; it is
// not a timed test.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import { startPostgres } from "./postgres";
import { startRedis } from "./redis";
import { withoutExternalStores, type Service } from "./services";
import { applyMigrations, resetDatabase } from "../migrate";
import { ROOT } from "./paths";
import { buildWorker, checkWorkerBuild } from "../build-worker";
import { leanNodeEnv, workerNodeFlags } from "./lean-node";
import { startSinkServer, sinkFigures, type SinkFigures } from "./chaos-sink";
import { startChaosModelServer, type ModelCall } from "./chaos-model";

export type ChaosOptions = {
  runs: number;
  kills: number;
  killEveryMs: number;
  workers: number;
  restartRedis: boolean;
  restartPostgres: boolean;
  /** How long a restarted store stays down. */
  storeDownMs: number;
  /** Where the harness's own Postgres and Redis keep their data (never the app's or the tests'). */
  dataDir: string;
  postgresPort: number;
  redisPort: number;
  /** Durability off for the harness's Postgres (throwaway data; the smoke test). */
  fastPostgres: boolean;
  /** WORKER_LOCK_MS of the workers: how soon a killed worker's job is handed on. */
  workerLockMs: number;
  /**
   * "tsx": `node --import tsx workers/main.ts`, as the tests start workers; "compiled": the
   * production bundle `node dist/worker/main.mjs` (`npm run build:worker`), which starts faster.
   */
  workerMode: "tsx" | "compiled";
  /** How long to wait, after the last trigger and kill, for every run to end. */
  settleMs: number;
  log: (line: string) => void;
};

export const DEFAULT_CHAOS_OPTIONS: ChaosOptions = {
  runs: 500,
  kills: 100,
  killEveryMs: 2_000,
  workers: 3,
  restartRedis: true,
  restartPostgres: true,
  storeDownMs: 3_000,
  dataDir: path.join(ROOT, ".data", "chaos"),
  postgresPort: 54349,
  redisPort: 63809,
  fastPostgres: false,
  workerLockMs: 2_000,
  workerMode: "compiled",
  settleMs: 180_000,
  log: (line) => console.log(`[chaos] ${line}`),
};

type StoreRestart = {
  /** "control": the same measurement at a moment with no store restart, to compare with. */
  store: "redis" | "postgres" | "control";
  downAt: number;
  backAt: number;
  /** Runs that could move (queued/running) at some point in the window after the store came back. */
  runnableAtBack: number;
  /** Longest a movable run went without a commit, counted from the store's return (ms); null: none seen. */
  longestStuckMs: number | null;
  /** Runs still movable and unmoved since before the store's return at the end of the window. */
  neverMoved: number;
  /** The run that stood still longest, and its log around the store's return (for finding out why). */
  slowestRunId: string | null;
  slowestDetail: string | null;
  /** Runs the workers' reconciler re-enqueued (runs with no live job) within 60 s of the return. */
  reconciledAfter: { afterMs: number; runs: number }[];
  /** The longest stand-still, and how much of it no worker process was ready (killed or still starting). */
  stalledFrom: number;
  stalledTo: number;
  noWorkerReadyMs: number;
};

export type ChaosFigures = {
  triggersSent: number;
  runsTriggered: number;
  /** Run rows in the harness's workspace (more than runsTriggered: a trigger started two runs). */
  runRows: number;
  /** Triggers (tags) that have more than one run, with the runs. */
  tagsWithTwoRuns: string[];
  runsEnded: number;
  runsSucceeded: number;
  endedOtherwise: Record<string, number>;
  runsLost: number;
  triggersNeverAccepted: number;
  duplicateSeq: number;
  duplicateLogicalEvents: number;
  duplicateExamples: string[];
  sink: SinkFigures;
  effectsMissing: number;
  modelCalls: number;
  committedReplies: number;
  modelRepliesPaidTwice: number;
  modelCallsRedoneBeforeCommit: number;
  triggers5xx: number;
  /** Every non-2xx trigger answer, by status and error code (retried until accepted). */
  triggerRefusals: Record<string, number>;
  /** Every non-200 answer to a task's approval, by status and error code (retried unless the task was answered). */
  answerRefusals: Record<string, number>;
  /** Worker processes that exited without being killed (restarted by the harness after 1 s). */
  workerOwnExits: number;
  /** Kills that hit a worker still starting (it had not said "ready" yet). */
  killedBeforeReady: number;
  /** Spawn → "ready" of every worker start that got there, sorted. */
  startToReadyMs: number[];
  /** Time under load with no worker process ready, and the length of the load. */
  noWorkerReadyMs: number;
  loadMs: number;
  /** Runs the workers' reconciler found without a live job and re-enqueued, over the whole run. */
  reconciledRuns: number;
  triggers503: number;
  triggerNetworkErrors: number;
  answers5xx: number;
  longestTriggerMs: number;
  kills: number;
  restarts: StoreRestart[];
  durationMs: number;
};

/** Longer than an abandoned Idempotency-Key claim blocks its retries (IN_FLIGHT_STALE_MS, 3 min, server/http/idempotency.ts). */
const COMPILED_WORKER = path.join(ROOT, "dist", "worker", "main.mjs");
/** How long after a store's return the harness watches for runs standing still. */
const STUCK_WINDOW_MS = 30_000;
const TRIGGER_GIVE_UP_MS = 240_000;
const TERMINAL = ["succeeded", "failed", "cancelled", "rejected", "timed_out"];
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

type Reply = { status: number; headers: http.IncomingHttpHeaders; text: string };

function request(agent: http.Agent, url: string, method: "GET" | "POST", headers: Record<string, string>, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: { ...headers, ...(body !== undefined ? { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) } : {}) }, timeout: 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end(body);
  });
}

/** A worker process as tests/support/worker-process.ts starts one: node + tsx's loader, so SIGKILL hits the worker itself. */
class WorkerSlot {
  child: ChildProcess | null = null;
  ready = false;
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: WriteStream,
    readonly index: number,
    /** Called when the worker says its reconciler put runs back on the queue (server/runs/reconcile.ts). */
    private readonly onReconciled: (runs: number) => void,
    private readonly mode: ChaosOptions["workerMode"],
  ) {}

  /** Exits the harness did not cause (e.g. a worker that cannot reach Postgres at start exits 1). */
  ownExits = 0;
  /** Milliseconds from spawn to "ready", one per start that got there. */
  readonly startToReadyMs: number[] = [];
  private stopping = false;

  start(): void {
    // Compiled: with the flags `npm start` gives its workers (scripts/lib/lean-node.ts).
    const args = this.mode === "compiled" ? [...workerNodeFlags(), COMPILED_WORKER] : ["--import", "tsx", "workers/main.ts"];
    // Numbered as npm start's pool numbers its workers: the next process of a slot takes over the jobs
    // the killed one held at once (server/runs/slot-handover.ts) instead of waiting out their locks.
    const env = { ...this.env, WORKER_SLOT: String(this.index + 1), AGENTFLOW_SUPERVISOR_PID: String(process.pid) };
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    this.ready = false;
    const spawnedAt = Date.now();
    // What a supervisor does (npm start's, or compose's restart policy): start it again, after a second.
    child.once("exit", (code, signal) => {
      if (this.child !== child || this.stopping) return;
      this.ownExits += 1;
      this.log.write(`[w${this.index}:${child.pid ?? "?"}] exited on its own (${signal ?? `code ${code}`}); restarting in 1 s\n`);
      this.child = null;
      setTimeout(() => {
        if (!this.stopping && this.child === null) this.start();
      }, 1_000);
    });
    const onData = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      this.log.write(text.replace(/^(?=.)/gm, `[w${this.index}:${child.pid ?? "?"}] `));
      // "[worker] ready" today; a JSON log line saying ready counts too.
      if (!this.ready && this.child === child && /\bready\b/.test(text)) {
        this.ready = true;
        this.startToReadyMs.push(Date.now() - spawnedAt);
      }
      // `{"reEnqueued":3,…}` (JSON logs) or `reconciler: re-enqueued 3` (plain ones).
      for (const match of text.matchAll(/"reEnqueued":(\d+)|re-enqueued (\d+)/g)) {
        const runs = Number(match[1] ?? match[2]);
        if (runs > 0) this.onReconciled(runs);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
  }

  /** SIGKILL without a restart: the harness is ending. */
  abandon(): void {
    this.stopping = true;
    this.child?.kill("SIGKILL");
  }

  kill(): void {
    this.child?.kill("SIGKILL");
    this.child = null;
    this.ready = false;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    await Promise.race([exited, sleep(10_000)]);
    child.kill("SIGKILL");
  }
}

type RunRow = { id: string; status: string; lastSeq: number };
type Watch = { lastSeq: number; status: string; movedAt: number };

/**
 * Polls the harness workspace's runs a few times a second; remembers when each one last moved
 * (a new commit or a status change), so the harness can tell how long runs stood still after
 * a store came back. Query errors (the store is down) are skipped.
 */
class RunWatcher {
  readonly runs = new Map<string, Watch>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  lastPollAt = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly workspaceId: string,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.poll(), 200);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async poll(): Promise<boolean> {
    if (this.polling) return false;
    this.polling = true;
    try {
      const { rows } = await this.pool.query<RunRow>(`SELECT "id", "status", "lastSeq" FROM "Run" WHERE "workspaceId" = $1`, [this.workspaceId]);
      const now = Date.now();
      for (const row of rows) {
        const seen = this.runs.get(row.id);
        if (!seen) this.runs.set(row.id, { lastSeq: row.lastSeq, status: row.status, movedAt: now });
        else if (seen.lastSeq !== row.lastSeq || seen.status !== row.status) Object.assign(seen, { lastSeq: row.lastSeq, status: row.status, movedAt: now });
      }
      this.lastPollAt = now;
      return true;
    } catch {
      return false;
    } finally {
      this.polling = false;
    }
  }
}

/** Runs the watcher counts as able to move without a person. */
const movable = (status: string) => status === "queued" || status === "running";

/**
 * For `windowMs` from the moment a store is back: at every poll, how long each run that could
 * move (queued or running) has gone without a commit or status change since then — runs that
 * were waiting when the store came back, runs triggered afterwards, and runs whose task was
 * answered afterwards alike. The figure is the longest such stand-still.
 */
async function measureStuckAfter(
  watcher: RunWatcher,
  backAt: number,
  windowMs: number,
): Promise<{ runnable: number; longestMs: number | null; neverMoved: number; slowestRunId: string | null; stalledFrom: number; stalledTo: number }> {
  const seen = new Set<string>();
  let longest: number | null = null;
  let slowestRunId: string | null = null;
  let [stalledFrom, stalledTo] = [backAt, backAt];
  let sampledAt = 0;
  while (Date.now() - backAt < windowMs) {
    await sleep(200);
    const at = watcher.lastPollAt;
    if (at < backAt || at === sampledAt) continue;
    sampledAt = at;
    for (const [id, run] of watcher.runs) {
      if (!movable(run.status)) continue;
      seen.add(id);
      const since = Math.max(run.movedAt, backAt);
      if (longest === null || at - since > longest) [longest, slowestRunId, stalledFrom, stalledTo] = [at - since, id, since, at];
    }
  }
  const neverMoved = [...watcher.runs.values()].filter((run) => movable(run.status) && run.movedAt < backAt).length;
  return { runnable: seen.size, longestMs: longest, neverMoved, slowestRunId, stalledFrom, stalledTo };
}

type EventRow = { runId: string; seq: number; type: string; nodeId: string | null; payload: { toolCallId?: string | null }; createdAt: Date; tag: string | null };

/**
 * The same logical event committed twice: a model reply for the same turn of the same node,
 * a tool result for the same call, a node started or finished twice (the chaos graph has no
 * loops), a task asked or answered twice, a run started or finished twice.
 */
function logicalDuplicates(events: EventRow[]): string[] {
  const duplicates: string[] = [];
  const byRun = new Map<string, EventRow[]>();
  for (const event of events) byRun.set(event.runId, [...(byRun.get(event.runId) ?? []), event]);
  for (const [runId, log] of byRun) {
    const seen = new Set<string>();
    const toolResults = new Map<string, number>();
    for (const event of log.sort((a, b) => a.seq - b.seq)) {
      const node = event.nodeId ?? "";
      let key: string | null;
      switch (event.type) {
        case "llm_response":
          key = `llm_response:${node}:turn ${toolResults.get(node) ?? 0}`;
          break;
        case "tool_result":
          key = `tool_result:${node}:${event.payload.toolCallId ?? "node"}`;
          toolResults.set(node, (toolResults.get(node) ?? 0) + 1);
          break;
        case "llm_error":
          key = null; // a failed attempt may repeat legitimately
          break;
        default:
          key = `${event.type}:${node}`;
      }
      if (key === null) continue;
      if (seen.has(key)) duplicates.push(`${runId} seq ${event.seq} ${key}`);
      seen.add(key);
    }
  }
  return duplicates;
}

/**
 * Model calls against committed replies. A reply is committed as an `llm_response` event whose
 * `createdAt` is when the worker had the answer. For each run and turn:
 * - paid twice: a call for that turn that arrived after its reply was committed (the answer was
 *   already stored, yet it was asked for again), plus any second committed reply for the turn;
 * - redone before commit: calls whose answer never made it into the log (the worker died in
 *   between); the one that got committed is not counted. These are the price of a crash mid-call.
 */
function modelFigures(calls: readonly ModelCall[], events: EventRow[]): { committed: number; paidTwice: number; redoneBeforeCommit: number } {
  const committedAt = new Map<string, number[]>();
  const turnsByRun = new Map<string, number>();
  for (const event of [...events].sort((a, b) => (a.runId === b.runId ? a.seq - b.seq : a.runId.localeCompare(b.runId)))) {
    if (event.tag === null) continue;
    if (event.type === "tool_result") turnsByRun.set(event.runId, (turnsByRun.get(event.runId) ?? 0) + 1);
    if (event.type === "llm_response") {
      const key = `${event.tag}#${turnsByRun.get(event.runId) ?? 0}`;
      committedAt.set(key, [...(committedAt.get(key) ?? []), event.createdAt.getTime()]);
    }
  }
  let committed = 0;
  let paidTwice = 0;
  for (const times of committedAt.values()) {
    committed += times.length;
    paidTwice += times.length - 1;
  }
  const callsByKey = new Map<string, number[]>();
  for (const call of calls) {
    if (call.tag === null) continue;
    const key = `${call.tag}#${call.turn}`;
    callsByKey.set(key, [...(callsByKey.get(key) ?? []), call.at]);
  }
  let redoneBeforeCommit = 0;
  for (const [key, times] of callsByKey) {
    const first = committedAt.get(key)?.[0];
    if (first === undefined) {
      redoneBeforeCommit += times.length; // never committed (the run ended otherwise)
      continue;
    }
    const after = times.filter((at) => at > first).length;
    paidTwice += after;
    redoneBeforeCommit += Math.max(0, times.length - after - 1);
  }
  return { committed, paidTwice, redoneBeforeCommit };
}

/** The slowest run's log around its stand-still: what it had committed last, and when it moved next. */
function describeAround(events: EventRow[], restart: StoreRestart): string | null {
  if (!restart.slowestRunId) return null;
  const log = events.filter((event) => event.runId === restart.slowestRunId).sort((a, b) => a.seq - b.seq);
  const before = log.filter((event) => event.createdAt.getTime() <= restart.stalledTo).at(-1);
  const after = log.find((event) => event.createdAt.getTime() > restart.stalledTo);
  const at = (time: number) => `${time >= restart.backAt ? "+" : ""}${((time - restart.backAt) / 1000).toFixed(1)} s`;
  return (
    `run ${restart.slowestRunId} stood still from ${at(restart.stalledFrom)} to ${at(restart.stalledTo)} after the return; ` +
    `its last commit ${before ? `${before.type} #${before.seq} at ${at(before.createdAt.getTime())}` : "none"}, next ${after ? `${after.type} #${after.seq} at ${at(after.createdAt.getTime())}` : "none"}`
  );
}

export async function runChaos(input: Partial<ChaosOptions> = {}): Promise<ChaosFigures> {
  const options: ChaosOptions = { ...DEFAULT_CHAOS_OPTIONS, ...input };
  const { log } = options;
  const started = Date.now();
  const harnessId = randomBytes(3).toString("hex");
  const tagOf = (i: number) => `chaos-${harnessId}-${i}`;
  const tagPattern = new RegExp(`chaos-${harnessId}-\\d+`);
  mkdirSync(options.dataDir, { recursive: true });
  if (options.workerMode === "compiled") {
    // The worker as production runs it (`npm start`, the Docker image): bundled when its sources changed.
    const check = checkWorkerBuild();
    if (check.stale) await buildWorker(check.hash);
  }
  const workerLog = createWriteStream(path.join(options.dataDir, "chaos-processes.log"), { flags: "w" });
  log(`process output: ${path.join(options.dataDir, "chaos-processes.log")}`);

  let postgres: Service | undefined;
  let redis: Service | undefined;
  let web: ChildProcess | undefined;
  let pool: pg.Pool | undefined;
  const slots: WorkerSlot[] = [];
  const sink = await startSinkServer();
  const model = await startChaosModelServer(tagPattern);
  const killAll = () => {
    for (const slot of slots) slot.abandon();
    web?.kill("SIGKILL");
  };
  process.once("exit", killAll);

  try {
    const startPostgresHere = () => withoutExternalStores(() => startPostgres({ dataDir: options.dataDir, port: options.postgresPort, fast: options.fastPostgres }));
    const startRedisHere = () => withoutExternalStores(() => startRedis({ dataDir: options.dataDir, port: options.redisPort }));
    [postgres, redis] = await Promise.all([startPostgresHere(), startRedisHere()]);
    // A clean database each time: figures count this harness's runs only.
    await resetDatabase(postgres.url);
    await applyMigrations(postgres.url, { log: () => undefined });
    const webPort = await freePort();
    const webUrl = `http://127.0.0.1:${webPort}`;
    const env: NodeJS.ProcessEnv = leanNodeEnv({
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      WORKSPACES_DIR: path.join(options.dataDir, "workspaces"),
      AGENTFLOW_SECRET_KEY_FILE: path.join(options.dataDir, "secret.key"),
      QUEUE_PREFIX: `chaos-${harnessId}`,
      DEMO_MODEL_URL: model.baseUrl,
      HTTP_ALLOW_PRIVATE_HOSTS: "127.0.0.1",
      HTTP_ALLOWLIST: "",
      WORKER_LOCK_MS: String(options.workerLockMs),
      APP_URL: webUrl,
      RUN_START_RATE_PER_MINUTE: "1000000",
      AGENTFLOW_OWNER_EMAIL: "chaos-owner@agentflow.test",
      AGENTFLOW_OWNER_PASSWORD: "chaos-owner-password",
      CHAOS_SINK_URL: sink.url,
      CHAOS_WEB_PORT: String(webPort),
    });

    // Owner, workspace, API key, workflow: in a process of its own (see chaos-setup.ts).
    const setupOutput = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", "tsx", "scripts/chaos.ts", "--set-up"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
      child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`chaos setup failed (exit ${code}): ${err || out}`))));
    });
    const setup = JSON.parse(setupOutput.trim().split("\n").at(-1) ?? "{}") as { workspaceId: string; workflowId: string; token: string };
    log(`workspace ${setup.workspaceId}, workflow ${setup.workflowId}`);

    web = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/chaos.ts", "--serve-web"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    web.stdout?.on("data", (chunk: Buffer) => workerLog.write(`[web] ${chunk.toString()}`));
    web.stderr?.on("data", (chunk: Buffer) => workerLog.write(`[web] ${chunk.toString()}`));
    const reconciled: { at: number; runs: number }[] = [];
    for (let i = 0; i < options.workers; i += 1) slots.push(new WorkerSlot(env, workerLog, i, (runs) => reconciled.push({ at: Date.now(), runs }), options.workerMode));
    for (const slot of slots) slot.start();

    const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
    const auth = { authorization: `Bearer ${setup.token}` };
    const deadline = Date.now() + 90_000;
    for (;;) {
      const webUp = await request(agent, `${webUrl}/api/v1/human-tasks?limit=1`, "GET", auth).then((reply) => reply.status === 200, () => false);
      if (webUp && slots.every((slot) => slot.ready)) break;
      if (Date.now() > deadline) throw new Error(`web or workers did not come up in 90 s (see ${path.join(options.dataDir, "chaos-processes.log")})`);
      await sleep(250);
    }
    log(`web on ${webUrl}, ${options.workers} workers ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);

    pool = new pg.Pool({ connectionString: postgres.url, max: 3, connectionTimeoutMillis: 2_000 });
    pool.on("error", () => undefined); // idle clients cut by the Postgres restart
    const watcher = new RunWatcher(pool, setup.workspaceId);
    watcher.start();
    // When no worker process was ready to take jobs (all of them killed, or still starting).
    const noWorkerReadyAt: number[] = [];
    const readiness = setInterval(() => {
      if (!slots.some((slot) => slot.ready)) noWorkerReadyAt.push(Date.now());
    }, 100);
    const noWorkerReadyMs = (from: number, to: number) => noWorkerReadyAt.filter((at) => at >= from && at < to).length * 100;
    const loadStartedAt = Date.now();

    // ── Triggers: paced over the chaos window, each retried under its own Idempotency-Key ──
    const chaosWindowMs = (options.kills > 0 ? options.kills : 30) * options.killEveryMs;
    const triggerEveryMs = (chaosWindowMs * 0.85) / Math.max(1, options.runs);
    const runIdByTag = new Map<string, string>();
    let triggers5xx = 0;
    let triggers503 = 0;
    let triggerNetworkErrors = 0;
    let longestTriggerMs = 0;
    let triggersNeverAccepted = 0;
    const triggerRefusals = new Map<string, number>();
    const triggerUrl = `${webUrl}/api/v1/workflows/${setup.workflowId}/trigger`;
    const triggerOne = async (i: number) => {
      const tag = tagOf(i);
      const at = Date.now();
      while (Date.now() - at < TRIGGER_GIVE_UP_MS) {
        try {
          const reply = await request(agent, triggerUrl, "POST", { ...auth, "idempotency-key": tag }, JSON.stringify({ input: { tag } }));
          if (reply.status === 202 || reply.status === 200) {
            runIdByTag.set(tag, (JSON.parse(reply.text) as { runId: string }).runId);
            longestTriggerMs = Math.max(longestTriggerMs, Date.now() - at);
            return;
          }
          const retryAfter = Number(reply.headers["retry-after"]);
          if (reply.status === 503 && Number.isFinite(retryAfter)) {
            triggers503 += 1;
            await sleep(Math.min(5, Math.max(0.2, retryAfter)) * 1000);
            continue;
          }
          const code = /"code"\s*:\s*"([^"]+)"/.exec(reply.text)?.[1] ?? "";
          const refusal = `${reply.status}${code ? ` ${code}` : ""}`;
          triggerRefusals.set(refusal, (triggerRefusals.get(refusal) ?? 0) + 1);
          if (reply.status >= 500) {
            triggers5xx += 1;
            log(`trigger ${tag}: ${reply.status} ${reply.text.slice(0, 200)}`);
          }
        } catch {
          triggerNetworkErrors += 1;
        }
        await sleep(500);
      }
      triggersNeverAccepted += 1;
    };

    // ── The person at the gate: answers every pending task through the REST API ──
    let answering = true;
    let answers5xx = 0;
    const answered = new Set<string>();
    const answerRefusals = new Map<string, number>();
    const answerLoop = (async () => {
      while (answering) {
        try {
          const list = await request(agent, `${webUrl}/api/v1/human-tasks?workflowId=${setup.workflowId}&limit=200`, "GET", auth);
          if (list.status >= 500 && list.status !== 503) answers5xx += 1;
          if (list.status === 200) {
            const tasks = (JSON.parse(list.text) as { tasks: { id: string }[] }).tasks.filter((task) => !answered.has(task.id));
            await Promise.all(
              tasks.map(async (task) => {
                const reply = await request(agent, `${webUrl}/api/v1/human-tasks/${task.id}`, "POST", { ...auth, "idempotency-key": `approve-${task.id}` }, JSON.stringify({ decision: "approve" })).catch(() => null);
                if (!reply) return;
                const code = /"code"\s*:\s*"([^"]+)"/.exec(reply.text)?.[1] ?? "";
                if (reply.status !== 200) answerRefusals.set(`${reply.status}${code ? ` ${code}` : ""}`, (answerRefusals.get(`${reply.status}${code ? ` ${code}` : ""}`) ?? 0) + 1);
                // 409 "conflict": someone answered it already. 409 "idempotency_request_in_progress": the
                // first attempt under this key has not finished (or its claim outlived a store outage): ask again.
                if (reply.status === 200 || (reply.status === 409 && code !== "idempotency_request_in_progress")) answered.add(task.id);
                else if (reply.status >= 500 && !(reply.status === 503 && reply.headers["retry-after"])) {
                  answers5xx += 1;
                  log(`answer ${task.id}: ${reply.status} ${reply.text.slice(0, 200)}`);
                }
              }),
            );
          }
        } catch {
          // the web process could not be reached this time: asked again below
        }
        await sleep(300);
      }
    })();

    // ── Chaos: kill -9 a random worker every killEveryMs (restarted at once), a store restart at 1/3 and 2/3 ──
    const restarts: StoreRestart[] = [];
    const measurements: Promise<void>[] = [];
    const restartStore = async (store: "redis" | "postgres" | "control") => {
      const downAt = Date.now();
      if (store !== "control") log(`${store}: stopping`);
      if (store === "control") {
        // Nothing is restarted: how long runnable runs stand still under the same load and kills anyway.
      } else if (store === "redis") {
        await redis?.stop();
        await sleep(options.storeDownMs);
        redis = await startRedisHere();
      } else {
        await postgres?.stop();
        await sleep(options.storeDownMs);
        postgres = await startPostgresHere();
      }
      const backAt = Date.now();
      if (store !== "control") log(`${store}: back after ${((backAt - downAt) / 1000).toFixed(1)} s`);
      const restart: StoreRestart = { store, downAt, backAt, runnableAtBack: 0, longestStuckMs: null, neverMoved: 0, slowestRunId: null, slowestDetail: null, reconciledAfter: [], stalledFrom: backAt, stalledTo: backAt, noWorkerReadyMs: 0 };
      restarts.push(restart);
      measurements.push(
        measureStuckAfter(watcher, backAt, STUCK_WINDOW_MS).then((stuck) => {
          Object.assign(restart, {
            runnableAtBack: stuck.runnable,
            longestStuckMs: stuck.longestMs,
            neverMoved: stuck.neverMoved,
            slowestRunId: stuck.slowestRunId,
            stalledFrom: stuck.stalledFrom,
            stalledTo: stuck.stalledTo,
          });
        }),
      );
    };

    const triggering = (async () => {
      const pending: Promise<void>[] = [];
      for (let i = 0; i < options.runs; i += 1) {
        pending.push(triggerOne(i));
        await sleep(triggerEveryMs);
      }
      await Promise.all(pending);
    })();

    let kills = 0;
    let killedBeforeReady = 0;
    const storeRestarts: Promise<void>[] = [];
    // Without kills (--kills 0) the same clock still paces the store restarts: 30 ticks.
    const ticks = options.kills > 0 ? options.kills : 30;
    const redisAt = Math.floor(ticks / 3);
    const postgresAt = Math.floor((2 * ticks) / 3);
    for (let k = 1; k <= ticks; k += 1) {
      await sleep(options.killEveryMs);
      // Any of the worker processes, ready or still starting, as a crash would pick them.
      const victim = options.kills > 0 ? slots[Math.floor(Math.random() * slots.length)] : undefined;
      if (victim) {
        if (!victim.ready) killedBeforeReady += 1;
        victim.kill();
        victim.start();
        kills += 1;
      }
      if (options.restartRedis && k === Math.max(1, redisAt)) storeRestarts.push(restartStore("redis"));
      if (options.restartPostgres && k === Math.max(1, postgresAt)) storeRestarts.push(restartStore("postgres"));
      if (k === Math.max(1, Math.floor(ticks / 2))) storeRestarts.push(restartStore("control"));
      if (k % 10 === 0) log(`${kills} kills, ${runIdByTag.size} runs triggered so far`);
    }
    await Promise.all(storeRestarts);
    await triggering;
    log(`all ${options.runs} triggers answered or given up; waiting for runs to end`);

    // ── Every run should end ──
    const settleUntil = Date.now() + options.settleMs;
    for (;;) {
      await watcher.poll();
      const open = [...runIdByTag.values()].filter((runId) => !TERMINAL.includes(watcher.runs.get(runId)?.status ?? "unknown"));
      if (open.length === 0 || Date.now() > settleUntil) break;
      await sleep(500);
    }
    await Promise.all(measurements);
    answering = false;
    await answerLoop;
    watcher.stop();
    clearInterval(readiness);
    const loadEndedAt = Date.now();
    await Promise.all(slots.map((slot) => slot.stop()));
    web.kill("SIGTERM");
    agent.destroy();

    // ── Figures ──
    const { rows: runRows } = await pool.query<{ id: string; status: string; tag: string | null }>(`SELECT "id", "status", "input"->>'tag' AS tag FROM "Run" WHERE "workspaceId" = $1`, [setup.workspaceId]);
    const triggered = new Set(runIdByTag.values());
    const runIdsByTag = new Map<string, string[]>();
    for (const row of runRows) runIdsByTag.set(row.tag ?? "(no tag)", [...(runIdsByTag.get(row.tag ?? "(no tag)") ?? []), row.id]);
    const statusOf = new Map(runRows.map((row) => [row.id, row.status]));
    const endedOtherwise: Record<string, number> = {};
    let ended = 0;
    let succeeded = 0;
    for (const runId of triggered) {
      const status = statusOf.get(runId) ?? "missing";
      if (TERMINAL.includes(status)) ended += 1;
      if (status === "succeeded") succeeded += 1;
      else endedOtherwise[status] = (endedOtherwise[status] ?? 0) + 1;
    }
    const { rows: seqDuplicates } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT s."runId", s."seq" FROM "RunStep" s JOIN "Run" r ON r."id" = s."runId" WHERE r."workspaceId" = $1 GROUP BY 1, 2 HAVING count(*) > 1) d`,
      [setup.workspaceId],
    );
    const { rows: events } = await pool.query<EventRow>(
      `SELECT s."runId", s."seq", s."type", s."nodeId", s."payload", s."createdAt", r."input"->>'tag' AS tag FROM "RunStep" s JOIN "Run" r ON r."id" = s."runId" WHERE r."workspaceId" = $1`,
      [setup.workspaceId],
    );
    const duplicates = logicalDuplicates(events);
    for (const restart of restarts) {
      restart.slowestDetail = describeAround(events, restart);
      restart.noWorkerReadyMs = noWorkerReadyMs(restart.stalledFrom, restart.stalledTo);
      restart.reconciledAfter = reconciled.filter((action) => action.at >= restart.backAt && action.at <= restart.backAt + 60_000).map((action) => ({ afterMs: action.at - restart.backAt, runs: action.runs }));
    }
    const models = modelFigures(model.calls(), events);
    const sinkRequests = sink.requests();
    const tagsAtSink = new Set(sinkRequests.map((request) => tagPattern.exec(request.body)?.[0]).filter((tag): tag is string => !!tag));
    const runsWithEffect = new Set(events.filter((event) => event.type === "tool_result" && event.tag !== null).map((event) => event.tag as string));

    return {
      triggersSent: options.runs,
      runsTriggered: triggered.size,
      runRows: runRows.length,
      tagsWithTwoRuns: [...runIdsByTag].filter(([, ids]) => ids.length > 1).map(([tag, ids]) => `${tag}: ${ids.join(" + ")}`),
      runsEnded: ended,
      runsSucceeded: succeeded,
      endedOtherwise,
      runsLost: triggered.size - ended + triggersNeverAccepted,
      triggersNeverAccepted,
      duplicateSeq: seqDuplicates[0]?.n ?? 0,
      duplicateLogicalEvents: duplicates.length,
      duplicateExamples: duplicates.slice(0, 5),
      sink: sinkFigures(sinkRequests, (body) => tagPattern.exec(body)?.[0] ?? null),
      effectsMissing: [...runsWithEffect].filter((tag) => !tagsAtSink.has(tag)).length,
      modelCalls: model.calls().length,
      committedReplies: models.committed,
      modelRepliesPaidTwice: models.paidTwice,
      modelCallsRedoneBeforeCommit: models.redoneBeforeCommit,
      triggers5xx,
      triggerRefusals: Object.fromEntries(triggerRefusals),
      answerRefusals: Object.fromEntries(answerRefusals),
      workerOwnExits: slots.reduce((sum, slot) => sum + slot.ownExits, 0),
      killedBeforeReady,
      startToReadyMs: slots.flatMap((slot) => slot.startToReadyMs).sort((a, b) => a - b),
      noWorkerReadyMs: noWorkerReadyMs(loadStartedAt, loadEndedAt),
      loadMs: loadEndedAt - loadStartedAt,
      reconciledRuns: reconciled.reduce((sum, action) => sum + action.runs, 0),
      triggers503,
      triggerNetworkErrors,
      answers5xx,
      longestTriggerMs,
      kills,
      restarts,
      durationMs: Date.now() - started,
    };
  } finally {
    process.removeListener("exit", killAll);
    killAll();
    await pool?.end().catch(() => undefined);
    await sink.close();
    await model.close();
    await redis?.stop().catch(() => undefined);
    await postgres?.stop().catch(() => undefined);
    workerLog.end();
  }
}

const percentile = (sorted: readonly number[], q: number) => (sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mark = (ok: boolean) => (ok ? "ok" : "MISSED");

/** The figures, each beside its aim (issue 14, "Proof harness"). */
export function chaosReport(figures: ChaosFigures, options: Pick<ChaosOptions, "workers" | "kills" | "killEveryMs" | "workerMode" | "workerLockMs">): string[] {
  const otherwise = Object.entries(figures.endedOtherwise).map(([status, n]) => `${n} ${status}`).join(", ");
  const lines = [
    `chaos: ${options.workers} worker processes (${options.workerMode === "compiled" ? "node dist/worker/main.mjs" : "node --import tsx workers/main.ts"}, WORKER_LOCK_MS ${options.workerLockMs}), ${figures.kills} × kill -9 (one every ${seconds(options.killEveryMs)}), ${figures.restarts.filter((r) => r.store !== "control").map((r) => `${r.store} restart`).join(" + ") || "no store restart"}`,
    `chaos: runs triggered ${figures.runsTriggered}/${figures.triggersSent}, ended ${figures.runsEnded} (${figures.runsSucceeded} succeeded${otherwise ? `, ${otherwise}` : ""}), lost ${figures.runsLost} — aim: lost 0, every run ends [${mark(figures.runsLost === 0 && figures.runsEnded === figures.runsTriggered)}]`,
    `chaos: run rows in the workspace ${figures.runRows} for ${figures.runsTriggered} accepted triggers — aim: equal, no trigger starts two runs [${mark(figures.runRows === figures.runsTriggered)}]${figures.tagsWithTwoRuns.length > 0 ? ` (${figures.tagsWithTwoRuns.slice(0, 5).join("; ")}: their second run makes its side effect under a new key and pays its model calls again, so the sink and model figures count it too)` : ""}`,
    `chaos: duplicate events: ${figures.duplicateSeq} repeated (runId, seq), ${figures.duplicateLogicalEvents} logical repeats (same reply/tool result/node/task event twice) — aim 0 [${mark(figures.duplicateSeq + figures.duplicateLogicalEvents === 0)}]${figures.duplicateExamples.length > 0 ? ` e.g. ${figures.duplicateExamples.join("; ")}` : ""}`,
    `chaos: side effects at the sink: ${figures.sink.requests} requests for ${figures.sink.effects} effects; repeated under a new key ${figures.sink.repeatedUnderNewKey}, without a key ${figures.sink.withoutKey} — aim 0 [${mark(figures.sink.repeatedUnderNewKey + figures.sink.withoutKey === 0)}]; re-sent under their first key ${figures.sink.resentUnderFirstKey} (allowed: crash retries the sink can deduplicate); committed results missing at the sink ${figures.effectsMissing}`,
    `chaos: model replies paid twice ${figures.modelRepliesPaidTwice} — aim 0 [${mark(figures.modelRepliesPaidTwice === 0)}] (${figures.modelCalls} model calls, ${figures.committedReplies} replies committed; ${figures.modelCallsRedoneBeforeCommit} calls redone because the worker died before committing the reply)`,
    `chaos: triggers that got a 5xx other than 503+Retry-After: ${figures.triggers5xx} — aim 0 [${mark(figures.triggers5xx === 0)}] (503 with Retry-After, retried: ${figures.triggers503}; connection errors, retried: ${figures.triggerNetworkErrors}; slowest trigger incl. retries ${seconds(figures.longestTriggerMs)}; never accepted ${figures.triggersNeverAccepted}); task answers/lists with a 5xx: ${figures.answers5xx}`,
    `chaos: workers: ${figures.kills - figures.killedBeforeReady} kills hit a ready worker, ${figures.killedBeforeReady} one still starting; start → ready p50 ${seconds(percentile(figures.startToReadyMs, 0.5))}, max ${seconds(percentile(figures.startToReadyMs, 1))} (${figures.startToReadyMs.length} starts got there); no worker ready for ${seconds(figures.noWorkerReadyMs)} of ${seconds(figures.loadMs)} under load; runs the reconciler found without a job and re-enqueued: ${figures.reconciledRuns}`,
    `chaos: trigger answers other than 2xx (all retried under the same Idempotency-Key): ${Object.entries(figures.triggerRefusals).map(([refusal, n]) => `${refusal} ×${n}`).join(", ") || "none"}; task answers other than 200: ${Object.entries(figures.answerRefusals).map(([refusal, n]) => `${refusal} ×${n}`).join(", ") || "none"}; workers that exited on their own (restarted): ${figures.workerOwnExits}`,
    ...figures.restarts.map((r) =>
      r.store === "control"
        ? `chaos: control, no store restart (mid-load, same 30 s window): longest a runnable run stood still ${r.longestStuckMs === null ? "n/a" : seconds(r.longestStuckMs)} over ${r.runnableAtBack} runnable runs; no worker ready for ${seconds(r.noWorkerReadyMs)} of that — what kills and load alone cost, to compare the store figures with`
        : `chaos: ${r.store} down ${seconds(r.backAt - r.downAt)}; in the 30 s after it was back, longest a runnable (queued/running) run stood still: ${r.longestStuckMs === null ? "n/a (no runnable run)" : seconds(r.longestStuckMs)} over ${r.runnableAtBack} runnable runs${r.neverMoved > 0 ? `, ${r.neverMoved} had not moved since before it came back` : ""} — aim ≤ 5 s [${mark(r.longestStuckMs === null || r.longestStuckMs <= 5_000)}]${r.slowestDetail ? ` (slowest: ${r.slowestDetail})` : ""}; no worker ready for ${seconds(r.noWorkerReadyMs)} of that; reconciler re-enqueued after it: ${r.reconciledAfter.map((action) => `${action.runs} at +${seconds(action.afterMs)}`).join(", ") || "none"}`,
    ),
    `chaos: total ${seconds(figures.durationMs)}`,
  ];
  return lines;
}
