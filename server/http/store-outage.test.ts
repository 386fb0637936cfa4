import net from "node:net";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z, type ZodError } from "zod";
import { PrismaClient } from "../generated/prisma/client";
import { NotFoundError, UserInputError } from "../errors";
import { isOutageSqlState, isStoreOutage } from "./store-outage";

/**
 * Every error here is produced by the real client libraries against real sockets: a port where
 * nothing listens, a server that accepts and hangs up, a server that accepts and never answers.
 * (The errors of a real Postgres stopped mid-query — 57P01 — are captured in tests/store-outage.test.ts.)
 */

async function capture(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error("expected the action to fail");
}

/** A TCP port with nothing listening on it (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const servers: net.Server[] = [];
async function tcpServer(onConnection: (socket: net.Socket) => void): Promise<number> {
  const server = net.createServer(onConnection).listen(0, "127.0.0.1");
  servers.push(server);
  await new Promise((resolve) => server.once("listening", resolve));
  return (server.address() as net.AddressInfo).port;
}

const sockets: net.Socket[] = [];
let refusedPort = 0;
let hangUpPort = 0;
let silentPort = 0;

beforeAll(async () => {
  refusedPort = await closedPort();
  hangUpPort = await tcpServer((socket) => socket.destroy());
  silentPort = await tcpServer((socket) => void sockets.push(socket));
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

const url = (port: number) => `postgresql://u:p@127.0.0.1:${port}/d`;

async function withPrisma<T>(connectionString: string, action: (db: PrismaClient, pool: pg.Pool) => Promise<T>, poolOptions: pg.PoolConfig = {}): Promise<T> {
  const pool = new pg.Pool({ connectionString, ...poolOptions });
  const db = new PrismaClient({ adapter: new PrismaPg(pool) });
  try {
    return await action(db, pool);
  } finally {
    await db.$disconnect().catch(() => undefined);
    await pool.end().catch(() => undefined);
  }
}

describe("Postgres unreachable", () => {
  it("node-postgres: connection refused", async () => {
    const error = await withPrisma(url(refusedPort), (_db, pool) => capture(() => pool.query("SELECT 1")));
    expect(error).toMatchObject({ code: "ECONNREFUSED" });
    expect(isStoreOutage(error)).toBe(true);
  });

  it("Prisma model query: P1001 from the adapter's DatabaseNotReachable", async () => {
    const error = await withPrisma(url(refusedPort), (db) => capture(() => db.workspace.findFirst()));
    expect(error).toMatchObject({ code: "P1001" });
    expect(isStoreOutage(error)).toBe(true);
  });

  it("Prisma raw query: P2010 wrapping the adapter's DatabaseNotReachable", async () => {
    const error = await withPrisma(url(refusedPort), (db) => capture(() => db.$queryRaw`SELECT 1`));
    expect(error).toMatchObject({ code: "P2010" });
    expect(isStoreOutage(error)).toBe(true);
  });

  it("Prisma interactive transaction that cannot start", async () => {
    const error = await withPrisma(url(refusedPort), (db) => capture(() => db.$transaction(async (tx) => tx.$queryRaw`SELECT 1`)));
    expect(isStoreOutage(error)).toBe(true);
  });

  it("the server hangs up: pg's 'Connection terminated unexpectedly', through Prisma too", async () => {
    const direct = await withPrisma(url(hangUpPort), (_db, pool) => capture(() => pool.query("SELECT 1")));
    expect((direct as Error).message).toMatch(/Connection terminated/);
    expect(isStoreOutage(direct)).toBe(true);
    const viaPrisma = await withPrisma(url(hangUpPort), (db) => capture(() => db.workspace.count()));
    expect(isStoreOutage(viaPrisma)).toBe(true);
  });

  it("a server that never answers: the connection times out", async () => {
    const error = await withPrisma(url(silentPort), (db) => capture(() => db.$queryRaw`SELECT 1`), { connectionTimeoutMillis: 200 });
    expect((error as Error).message).toMatch(/Connection terminated due to connection timeout/);
    expect(isStoreOutage(error)).toBe(true);
  });
});

describe("Redis unreachable", () => {
  it("ioredis while reconnecting: MaxRetriesPerRequestError", async () => {
    const redis = new Redis(`redis://127.0.0.1:${refusedPort}`, { maxRetriesPerRequest: 1, retryStrategy: () => 20 });
    redis.on("error", () => undefined);
    const error = await capture(() => redis.get("x"));
    redis.disconnect();
    expect((error as Error).name).toBe("MaxRetriesPerRequestError");
    expect(isStoreOutage(error)).toBe(true);
  });

  it("ioredis after it stopped reconnecting: 'Connection is closed.'", async () => {
    const redis = new Redis(`redis://127.0.0.1:${refusedPort}`, { lazyConnect: true });
    redis.on("error", () => undefined);
    redis.disconnect();
    const error = await capture(() => redis.get("x"));
    expect((error as Error).message).toBe("Connection is closed.");
    expect(isStoreOutage(error)).toBe(true);
  });

  it("a MULTI whose commands could not be sent", async () => {
    const redis = new Redis(`redis://127.0.0.1:${refusedPort}`, { maxRetriesPerRequest: 0 });
    redis.on("error", () => undefined);
    const error = await capture(() => redis.multi().incr("k").expire("k", 10).exec());
    redis.disconnect();
    expect(isStoreOutage(error)).toBe(true);
  });
});

describe("not an outage", () => {
  it("a caller's mistake or a bug stays what it is", async () => {
    expect(isStoreOutage(new UserInputError("name: required", "name"))).toBe(false);
    expect(isStoreOutage(new NotFoundError("Run x"))).toBe(false);
    expect(isStoreOutage(z.object({ a: z.string() }).safeParse({}).error as ZodError)).toBe(false);
    expect(isStoreOutage(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isStoreOutage("a string thrown")).toBe(false);
    expect(isStoreOutage(null)).toBe(false);
  });

  it("someone else's server refusing a fetch (a model provider, a callback URL) is not our store", async () => {
    const error = await capture(() => fetch(`http://127.0.0.1:${refusedPort}/`));
    expect((error as Error).message).toBe("fetch failed");
    expect(isStoreOutage(error)).toBe(false);
  });

  it("SQLSTATEs: connection classes and shutdowns only", () => {
    for (const code of ["08000", "08003", "08006", "57P01", "57P02", "57P03", "53300"]) expect(isOutageSqlState(code)).toBe(true);
    for (const code of ["23505", "42601", "22P02", "40001", "57014"]) expect(isOutageSqlState(code)).toBe(false);
  });
});
