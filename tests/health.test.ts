import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { NextRequest } from "next/server";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitUntil, type Harness } from "./support/harness";
import * as healthRoute from "../app/api/health/route";
import * as readyRoute from "../app/api/ready/route";
import { proxy } from "../proxy";
import { getEnv } from "../server/env";
import { getRedis } from "../server/events";
import { startWorkerHeartbeat } from "../server/ops/heartbeat";
import { checkReadiness, readinessResponse, type ReadinessReport } from "../server/ops/readiness";
import { listLiveWorkers, workerKey } from "../server/ops/workers";

/**
 * /api/health and /api/ready against the real Postgres, Redis and a real workers/main.ts
 * process: ready only with a worker heartbeat, not with a migration row missing, Redis on a
 * wrong port or stores that accept connections and never answer — each within its timeout, and
 * without a host, port or error text in the public body.
 */

let harness: Harness;
const children: ChildProcess[] = [];

beforeAll(async () => {
  // No in-process worker: only what a test starts beats under this file's queue prefix.
  harness = await startHarness({ worker: false });
});

afterAll(async () => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  await harness?.stop();
});

async function readyAnswer(response: Response | Promise<Response>): Promise<{ status: number; report: ReadinessReport; text: string }> {
  const answer = await response;
  const text = await answer.text();
  expect(answer.headers.get("cache-control")).toBe("no-store");
  return { status: answer.status, report: JSON.parse(text) as ReadinessReport, text };
}

const checkOf = (report: ReadinessReport, name: string) => report.checks.find((check) => check.name === name);

/** Hosts, ports and users the public body must never show. */
function expectNoAddresses(text: string, ...urls: string[]) {
  for (const url of urls) {
    const parsed = new URL(url);
    expect(text).not.toContain(`${parsed.hostname}:`);
    if (parsed.port) expect(text).not.toContain(parsed.port);
    if (parsed.username) expect(text).not.toContain(`${parsed.username}@`);
    if (parsed.password) expect(text).not.toContain(parsed.password);
  }
  expect(text).not.toMatch(/connect |at \w+ \(|\/work\//); // no error message, no stack
}

/** A TCP port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("GET /api/health", () => {
  it("answers 200 {status: ok} and checks no store", async () => {
    const response = healthRoute.GET();
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ status: "ok" });
  });
});

describe("GET /api/ready", () => {
  it("is 503 without a worker heartbeat; the other checks pass; the body shows no address", async () => {
    const { status, report, text } = await readyAnswer(readyRoute.GET());
    expect(status).toBe(503);
    expect(report.status).toBe("not_ready");
    expect(report.checks.map((check) => check.name)).toEqual(["postgres", "redis", "migrations", "workers"]);
    expect(report.checks.filter((check) => !check.ok).map((check) => check.name)).toEqual(["workers"]);
    expect(checkOf(report, "workers")?.detail).toBe("no worker heartbeat in the last 30 s");
    expect(checkOf(report, "migrations")?.detail).toMatch(/^\d+ applied$/);
    for (const check of report.checks) expect(check.ms).toBeGreaterThanOrEqual(0);
    expectNoAddresses(text, getEnv().DATABASE_URL, getEnv().REDIS_URL);
  });

  it("is 200 while a workers/main.ts process beats, and 503 again at once after its clean shutdown", async () => {
    const root = path.resolve(import.meta.dirname, "..");
    const child = spawn(process.execPath, ["--import", "tsx", "workers/main.ts"], { cwd: root, env: { ...process.env }, stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await waitUntil(() => output.includes("[worker] ready"), `the worker process to be ready (output: ${output.slice(-500)})`, 45_000);

    // Counted from its first beat: ready as soon as it says so.
    const workers = await listLiveWorkers();
    expect(workers).toHaveLength(1);
    expect(workers[0]).toMatchObject({ pid: child.pid, host: os.hostname(), concurrency: getEnv().WORKER_CONCURRENCY });
    expect(Date.parse(workers[0]!.lastBeatAt)).toBeGreaterThanOrEqual(Date.parse(workers[0]!.startedAt));
    const ttl = await getRedis().pttl(workerKey(getEnv().QUEUE_PREFIX, workers[0]!.id));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30_000);
    const ready = await readyAnswer(readyRoute.GET());
    expect(ready.status, ready.text).toBe(200);
    expect(ready.report).toMatchObject({ status: "ready" });
    expect(checkOf(ready.report, "workers")).toMatchObject({ ok: true, detail: "1 online" });
    expect(ready.text).not.toContain(os.hostname());

    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(await listLiveWorkers()).toEqual([]);
    expect((await readyAnswer(readyRoute.GET())).status).toBe(503);
  }, 60_000);

  it("keeps a beating worker listed, and drops one that stopped beating without a word when its TTL runs out", async () => {
    const beating = await startWorkerHeartbeat({ concurrency: 3, everyMs: 100, ttlMs: 400 });
    // Beats once and never again, like a process killed with SIGKILL (no cleanup).
    const silent = await startWorkerHeartbeat({ concurrency: 5, everyMs: 3_600_000, ttlMs: 400 });
    try {
      const first = await listLiveWorkers();
      expect(first.map((worker) => worker.id).sort()).toEqual([beating.id, silent.id].sort());
      await new Promise((resolve) => setTimeout(resolve, 900));
      const later = await listLiveWorkers();
      expect(later.map((worker) => worker.id)).toEqual([beating.id]);
      expect(Date.parse(later[0]!.lastBeatAt)).toBeGreaterThan(Date.parse(first.find((worker) => worker.id === beating.id)!.lastBeatAt));
      expect((await readyAnswer(readyRoute.GET())).status).toBe(200);
      await beating.stop();
      const after = await readyAnswer(readyRoute.GET());
      expect(after.status).toBe(503);
      expect(checkOf(after.report, "workers")?.ok).toBe(false);
    } finally {
      await beating.stop();
      await silent.stop();
    }
  });

  it("is 503 when a migration of prisma/migrations has no row in _prisma_migrations", async () => {
    const heartbeat = await startWorkerHeartbeat({ concurrency: 1 });
    // The row is deleted inside a transaction that is rolled back: the shared test database is
    // never left without it, even if this test dies half-way.
    const client = new pg.Client({ connectionString: getEnv().DATABASE_URL });
    await client.connect();
    try {
      const before = await checkReadiness({ db: client });
      expect(before.status).toBe("ready");
      await client.query("BEGIN");
      const newest = readdirSync(path.resolve("prisma/migrations"), { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort().at(-1);
      const { rows } = await client.query<{ migration_name: string }>(`DELETE FROM "_prisma_migrations" WHERE migration_name = $1 RETURNING migration_name`, [newest]);
      expect(rows).toHaveLength(1);
      const report = await checkReadiness({ db: client });
      const total = Number(/^(\d+) applied$/.exec(checkOf(before, "migrations")?.detail ?? "")?.[1]);
      expect(checkOf(report, "migrations")).toMatchObject({ ok: false, detail: `1 of ${total} not applied` });
      expect(report.checks.filter((check) => !check.ok).map((check) => check.name)).toEqual(["migrations"]);
      const { status, text } = await readyAnswer(readinessResponse(report));
      expect(status).toBe(503);
      expect(text).not.toContain(rows[0]!.migration_name); // names go to the server log, not to anonymous callers
    } finally {
      await client.query("ROLLBACK").catch(() => undefined);
      await client.end();
      await heartbeat.stop();
    }
  });

  it("is 503 within its timeout when REDIS_URL points at a port nothing listens on; the body shows no address", async () => {
    const heartbeat = await startWorkerHeartbeat({ concurrency: 1 });
    const wrongUrl = new URL(getEnv().REDIS_URL);
    wrongUrl.port = String(await closedPort());
    const wrongRedis = new Redis(wrongUrl.toString(), { maxRetriesPerRequest: 1 });
    wrongRedis.on("error", () => undefined); // refused connections are what this test is about
    try {
      const started = Date.now();
      const report = await checkReadiness({ redis: wrongRedis });
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(report.status).toBe("not_ready");
      expect(checkOf(report, "postgres")?.ok).toBe(true);
      expect(checkOf(report, "migrations")?.ok).toBe(true);
      // The worker beats into the real Redis, but readiness cannot see Redis at all.
      expect(checkOf(report, "redis")).toMatchObject({ ok: false, detail: expect.stringMatching(/^(failed|no answer within \d+ ms)/) });
      expect(checkOf(report, "workers")?.ok).toBe(false);
      const { status, text } = await readyAnswer(readinessResponse(report));
      expect(status).toBe(503);
      expectNoAddresses(text, wrongUrl.toString());
    } finally {
      wrongRedis.disconnect();
      await heartbeat.stop();
    }
  });

  it("answers within its timeout when Postgres and Redis accept connections and never answer", async () => {
    // A store that hangs: the TCP handshake succeeds, no byte ever comes back.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as net.AddressInfo;
    const hungPool = new pg.Pool({ connectionString: `postgresql://agentflow:secret@127.0.0.1:${port}/agentflow`, connectionTimeoutMillis: 10_000 });
    hungPool.on("error", () => undefined);
    const hungRedis = new Redis({ host: "127.0.0.1", port, maxRetriesPerRequest: 1 });
    hungRedis.on("error", () => undefined);
    try {
      const started = Date.now();
      const report = await checkReadiness({ db: hungPool, redis: hungRedis, timeoutMs: 300 });
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(report.status).toBe("not_ready");
      for (const check of report.checks) {
        expect(check, check.name).toMatchObject({ ok: false, detail: "no answer within 300 ms" });
        expect(check.ms).toBeLessThan(1_500);
      }
    } finally {
      hungRedis.disconnect();
      for (const socket of sockets) socket.destroy();
      await hungPool.end().catch(() => undefined);
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe("the front door lets probes in whatever their Host header", () => {
  const request = (url: string, init: { method?: string; host: string }) => new NextRequest(url, { method: init.method ?? "GET", headers: { host: init.host } });

  it("passes GET /api/health and /api/ready with a pod IP as Host, and still refuses that Host elsewhere", async () => {
    // A Kubernetes httpGet probe sends the pod's address; compose's may send the container's.
    for (const probe of ["/api/health", "/api/ready"]) {
      for (const method of ["GET", "HEAD"]) {
        const response = proxy(request(`http://10.1.2.3:3000${probe}`, { method, host: "10.1.2.3:3000" }));
        expect(response.status, `${method} ${probe}`).toBe(200);
        expect(response.headers.get("x-middleware-next"), `${method} ${probe}`).toBe("1");
      }
    }
    const elsewhere = proxy(request("http://10.1.2.3:3000/api/trpc/setup.status", { host: "10.1.2.3:3000" }));
    expect(elsewhere.status).toBe(400);
    expect(await elsewhere.json()).toMatchObject({ error: { code: "host_not_allowed" } });
    // Only the exact paths, only reads.
    expect(proxy(request("http://10.1.2.3:3000/api/ready/x", { host: "10.1.2.3:3000" })).status).toBe(400);
    expect(proxy(request("http://10.1.2.3:3000/api/ready", { method: "POST", host: "10.1.2.3:3000" })).status).toBe(400);
  });
});
