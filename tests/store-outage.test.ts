import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startPostgres } from "../scripts/lib/postgres";
import { startRedis } from "../scripts/lib/redis";
import { withoutExternalStores, type Service } from "../scripts/lib/services";
import { applyMigrations } from "../scripts/migrate";
import { startHarness, waitForRun, waitUntil, type Harness } from "./support/harness";
import { createTestApiKey, createTestUser, createWorkspaceWith, type TestUser } from "./support/identities";
import { gateOnlyGraph, outputOnlyGraph } from "./support/graphs";
import { startWorkerProcess } from "./support/worker-process";
import type { Db } from "../server/db";
import { newId } from "../server/ids";
import { isStoreOutage, STORE_OUTAGE_RETRY_AFTER_SECONDS } from "../server/http/store-outage";
import { startRun } from "../server/runs/start-run";
import { createWorkflow } from "../server/workflows/workflows";
import { publishVersion } from "../server/workflows/versions";
import * as triggerRoute from "../app/api/v1/workflows/[workflowId]/trigger/route";
import * as runRoute from "../app/api/v1/runs/[runId]/route";
import * as trpcRoute from "../app/api/trpc/[trpc]/route";
import * as authRoute from "../app/api/auth/[...all]/route";

/**
 * A store outage is a 503 with Retry-After, never a 500 (issue 14, "Stores"). This file runs its
 * OWN Postgres and Redis (other ports, a temporary data directory) and stops and restarts them —
 * never the shared test services — while calling the real route handlers: the REST trigger, the
 * run status route and tRPC. After each restart the same trigger is accepted and its run
 * finishes, and a run committed while Redis was down is not lost. A worker process started
 * while Postgres is down waits for it instead of exiting.
 */

const BASE = "http://localhost:3100";
const PG_PORT = 54359;
const REDIS_PORT = 63819;
const dataDir = path.join(os.tmpdir(), `agentflow-store-outage-${process.pid}`);

let postgres: Service;
let redis: Service;
/** A test that fails while a store is stopped must not leave it stopped for the next test and the cleanup. */
const stopped = { postgres: false, redis: false };
let harness: Harness;
let db: Db;
let owner: TestUser;
let workspaceId: string;
let workflowId: string;
let apiKey: string;

async function startOwnPostgres(): Promise<Service> {
  const service = await withoutExternalStores(() => startPostgres({ dataDir, port: PG_PORT, fast: true }));
  stopped.postgres = false;
  return service;
}

async function startOwnRedis(): Promise<Service> {
  const service = await withoutExternalStores(() => startRedis({ dataDir, port: REDIS_PORT }));
  stopped.redis = false;
  return service;
}

function trigger(): Promise<Response> {
  const request = new Request(`${BASE}/api/v1/workflows/${workflowId}/trigger`, {
    method: "POST",
    headers: { host: "localhost:3100", "content-type": "application/json", authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ input: { topic: "outage" } }),
  });
  return triggerRoute.POST(request, { params: Promise.resolve({ workflowId }) });
}

function runStatus(runId: string): Promise<Response> {
  const request = new Request(`${BASE}/api/v1/runs/${runId}`, { headers: { host: "localhost:3100", authorization: `Bearer ${apiKey}` } });
  return runRoute.GET(request, { params: Promise.resolve({ runId }) });
}

function trpcStartRun(): Promise<Response> {
  const request = new Request(`${BASE}/api/trpc/run.start`, {
    method: "POST",
    headers: { host: "localhost:3100", "content-type": "application/json", cookie: owner.cookie },
    body: JSON.stringify({ workflowId, input: { topic: "outage" } }),
  });
  return trpcRoute.POST(request);
}

async function expectUnavailable(response: Response, what: string): Promise<void> {
  const text = await response.text();
  expect(response.status, `${what} → ${response.status} ${text.slice(0, 300)}`).toBe(503);
  expect(response.headers.get("retry-after"), what).toBe(String(STORE_OUTAGE_RETRY_AFTER_SECONDS));
  expect(text, what).toMatch(/try again/);
}

async function expectUnavailableTrpc(response: Response, what: string): Promise<void> {
  const text = await response.text();
  expect(response.status, `${what} → ${response.status} ${text.slice(0, 300)}`).toBe(503);
  expect(response.headers.get("retry-after"), what).toBe(String(STORE_OUTAGE_RETRY_AFTER_SECONDS));
  expect(text, what).toContain("SERVICE_UNAVAILABLE");
}

async function activeSleeps(): Promise<number> {
  const [row] = await db.$queryRaw<{ count: number }[]>`SELECT count(*)::int AS count FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%' AND state = 'active' AND pid <> pg_backend_pid()`;
  return row?.count ?? 0;
}

/** What a client honouring Retry-After does: ask again until accepted; every answer before that is a 503. */
async function triggerUntilAccepted(timeoutMs = 20_000): Promise<{ runId: string; refusals: number }> {
  const deadline = Date.now() + timeoutMs;
  let refusals = 0;
  for (;;) {
    const response = await trigger();
    if (response.status === 202) return { runId: ((await response.json()) as { runId: string }).runId, refusals };
    await expectUnavailable(response, "a trigger while the store comes back");
    refusals += 1;
    if (Date.now() > deadline) throw new Error("the trigger was not accepted after the store came back");
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

beforeAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  postgres = await startOwnPostgres();
  redis = await startOwnRedis();
  await applyMigrations(postgres.url, { log: () => undefined });
  process.env.DATABASE_URL = postgres.url;
  process.env.REDIS_URL = redis.url;
  harness = await startHarness();
  db = harness.db;
  const [setting] = await db.$queryRaw<{ port: string }[]>`SELECT current_setting('port') AS port`;
  expect(Number(setting?.port), "this file must use its own Postgres, never the shared one").toBe(PG_PORT);
  owner = await createTestUser("outage owner");
  workspaceId = await createWorkspaceWith(db, "Store outage", [{ user: owner, role: "owner" }]);
  workflowId = (await createWorkflow(db, workspaceId, { name: "outage", graph: outputOnlyGraph() })).id;
  await publishVersion(db, workspaceId, workflowId);
  apiKey = (await createTestApiKey(db, workspaceId, ["admin"])).token;
}, 120_000);

afterEach(async () => {
  if (stopped.postgres) postgres = await startOwnPostgres();
  if (stopped.redis) redis = await startOwnRedis();
}, 60_000);

afterAll(async () => {
  await harness?.stop();
  await redis?.stop();
  await postgres?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe("a store outage is a 503 with Retry-After, and work resumes when the store is back", () => {
  it("Postgres stopped mid-query and restarted", async () => {
    const before = await trigger();
    expect(before.status).toBe(202);

    // A query in flight when the server ends its session (what a restart does to every session):
    // the real error, 57P01 admin_shutdown through Prisma's adapter, is an outage.
    const inFlight = db.$queryRaw`SELECT pg_sleep(30)::text`.then(
      () => null,
      (error: unknown) => error,
    );
    await waitUntil(async () => (await activeSleeps()) > 0, "the query in flight");
    await db.$queryRaw`SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%' AND pid <> pg_backend_pid()`;
    const shutdownError = await inFlight;
    expect(String((shutdownError as Error).message)).toMatch(/57P01|terminating connection/);
    expect(isStoreOutage(shutdownError)).toBe(true);

    stopped.postgres = true;
    await postgres.stop();

    // While it is down: the REST trigger, the run status route and tRPC all answer 503 + Retry-After.
    await expectUnavailable(await trigger(), "REST trigger, Postgres down");
    await expectUnavailable(await runStatus("run_whatever"), "GET run, Postgres down");
    await expectUnavailableTrpc(await trpcStartRun(), "tRPC run.start, Postgres down");
    // Reading the session and signing in (better-auth rethrows the database error) too.
    await expectUnavailable(await authRoute.GET(new Request(`${BASE}/api/auth/get-session`, { headers: { host: "localhost:3100", cookie: owner.cookie } })), "get-session, Postgres down");
    const signIn = new Request(`${BASE}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { host: "localhost:3100", "content-type": "application/json" },
      body: JSON.stringify({ email: owner.email, password: "integration test password" }),
    });
    await expectUnavailable(await authRoute.POST(signIn), "sign-in, Postgres down");
    // The error a query gets now ("Can't reach database server", P1001) is an outage too.
    const refused = await db.workspace.count().then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toMatchObject({ code: "P1001" });
    expect(isStoreOutage(refused)).toBe(true);

    postgres = await startOwnPostgres();
    const { runId, refusals } = await triggerUntilAccepted();
    console.log(`[store-outage] Postgres back: the trigger was accepted after ${refusals} × 503`);
    expect((await waitForRun(db, runId, ["succeeded", "failed"], 30_000)).status).toBe("succeeded");
    const status = await runStatus(runId);
    expect(status.status).toBe(200);
    expect(((await status.json()) as { status: string }).status).toBe("succeeded");
  }, 120_000);

  it("Redis stopped and restarted: 503 while down, and a run committed meanwhile is not lost", async () => {
    stopped.redis = true;
    await redis.stop();

    const started = Date.now();
    await expectUnavailable(await trigger(), "REST trigger, Redis down");
    console.log(`[store-outage] Redis down: the trigger answered 503 in ${Date.now() - started} ms`);
    await expectUnavailableTrpc(await trpcStartRun(), "tRPC run.start, Redis down");

    // A run committed while Redis is down (no rate limiter in the way: startRun itself) that
    // needs the worker (a gate to ask): its row is in Postgres and its enqueue waits in ioredis'
    // offline queue; nothing is lost, and the worker asks the gate's person once Redis is back.
    const gated = (await createWorkflow(db, workspaceId, { name: "outage gate", graph: gateOnlyGraph() })).id;
    const runId = newId("run");
    const pending = startRun(db, { workspaceId, workflowId: gated, input: { topic: "queued while Redis is down" }, trigger: "manual", startedBy: "outage test", runId });
    await waitUntil(async () => (await db.run.count({ where: { id: runId } })) === 1, "the run row committed while Redis is down");
    expect(["queued", "running"]).toContain((await db.run.findUniqueOrThrow({ where: { id: runId } })).status);

    redis = await startOwnRedis();
    const back = Date.now();
    await pending;
    expect((await waitForRun(db, runId, ["waiting_for_human", "failed"], 40_000)).status).toBe("waiting_for_human");
    // Every connection tries Redis again at least once a second (reconnectWithinASecond in
    // server/events.ts): the run moves about a second after Redis is back. With BullMQ's own
    // reconnect strategy (growing to 20 s between attempts) it took 4.9 s here; issue 14's aim is ≤ 5 s.
    const resumedMs = Date.now() - back;
    console.log(`[store-outage] Redis back: the queued run reached its gate ${resumedMs} ms later`);
    expect(resumedMs, "a run queued while Redis was down stood still after Redis was back").toBeLessThan(3_000);

    const accepted = await triggerUntilAccepted();
    console.log(`[store-outage] Redis back: the trigger was accepted after ${accepted.refusals} × 503`);
    expect((await waitForRun(db, accepted.runId, ["succeeded", "failed"], 40_000)).status).toBe("succeeded");
  }, 120_000);

  it("a worker process started while Postgres is down waits for it (no exit), and is ready once it is back", async () => {
    stopped.postgres = true;
    await postgres.stop();
    const started: ChildProcess[] = [];
    try {
      // The headless-owner variables make the worker ask Postgres before it says ready (workers/main.ts).
      const worker = startWorkerProcess(started, { AGENTFLOW_OWNER_EMAIL: "outage-owner@agentflow.test", AGENTFLOW_OWNER_PASSWORD: "outage owner password", QUEUE_PREFIX: `outage-${randomBytes(3).toString("hex")}` });
      let output = "";
      worker.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
      worker.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
      // It used to exit 1 here ("failed to start") and leave its supervisor to start it again.
      await waitUntil(() => output.includes("Postgres unreachable at start") || worker.exitCode !== null, "the worker to find Postgres away", 30_000);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(worker.exitCode, output).toBeNull();
      expect(output).not.toContain("[worker] ready");
      expect(output).not.toContain("failed to start");

      postgres = await startOwnPostgres();
      await waitUntil(() => output.includes("[worker] ready"), "the worker to be ready once Postgres is back", 30_000);
      expect(worker.exitCode, output).toBeNull();
    } finally {
      for (const child of started) child.kill("SIGKILL");
    }
  }, 120_000);
});
