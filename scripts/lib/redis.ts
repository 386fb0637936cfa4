// Redis for BullMQ and run events: REDIS_URL if set, else a `redis-server` child with its
// data under <dataDir>/redis (installed from Debian's packages when missing and allowed).
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { ensureProgram } from "./apt";
import { redactUrl, say } from "./log";
import { commandLine, pidAlive, startGroup, waitUntil } from "./process";
import type { Service } from "./services";

export type RedisOptions = { dataDir: string; port: number };

/** True if something on 127.0.0.1:port answers PING with PONG. */
export function pingRedis(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    let reply = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on("error", () => done(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString("utf8");
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
  });
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, "utf8").trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Same policy as postgres.ts: share a live owner's server, stop an orphan, drop a stale pid file. */
async function settleEarlierServer(pidFile: string, ownerFile: string, port: number): Promise<"reuse" | "start"> {
  const pid = readPid(pidFile);
  if (pid === undefined) return "start";
  if (pidAlive(pid) && commandLine(pid).includes(`:${port}`)) {
    const owner = readPid(ownerFile);
    if (owner !== undefined && owner !== process.pid && pidAlive(owner)) return "reuse";
    say(`redis: stopping redis-server (pid ${pid}) left running by an earlier run`);
    process.kill(pid, "SIGTERM"); // redis flushes the AOF and exits
    if (!(await waitUntil(() => !pidAlive(pid), 10_000))) throw new Error(`redis-server pid ${pid} did not stop; stop it and retry`);
  }
  rmSync(pidFile, { force: true });
  return "start";
}

export async function startRedis(options: RedisOptions): Promise<Service> {
  const external = process.env.REDIS_URL;
  if (external) {
    say(`redis: using REDIS_URL ${redactUrl(external)}`);
    return { url: external, stop: async () => undefined };
  }

  const dataDir = path.resolve(options.dataDir);
  const redisDir = path.join(dataDir, "redis");
  const pidFile = path.join(redisDir, "redis.pid");
  const ownerFile = path.join(dataDir, "redis.owner");
  const logFile = path.join(dataDir, "redis.log");
  const url = `redis://127.0.0.1:${options.port}`;
  mkdirSync(redisDir, { recursive: true });

  if ((await settleEarlierServer(pidFile, ownerFile, options.port)) === "reuse") {
    if (!(await waitUntil(() => pingRedis(options.port), 30_000, 200))) throw new Error(`redis on port ${options.port} does not answer`);
    say(`redis: reusing the running redis-server on 127.0.0.1:${options.port} (${redisDir})`);
    return { url, stop: async () => undefined }; // its owner stops it
  }

  const binary = ensureProgram({ program: "redis-server", aptPackage: "redis-server", purpose: "the job queue (Redis)" });
  const log = openSync(logFile, "a");
  const server = startGroup(
    "redis",
    binary,
    [
      "--bind", "127.0.0.1",
      "--port", String(options.port),
      "--dir", redisDir,
      "--pidfile", pidFile, // lets the next start find a server orphaned by a killed run
      "--daemonize", "no",
      // Durable job state: every write goes to the append-only file; RDB snapshots off.
      "--appendonly", "yes",
      "--save", "",
      // BullMQ requires that Redis never evicts keys (it warns or misbehaves otherwise).
      "--maxmemory-policy", "noeviction",
    ],
    { stdio: ["ignore", log, log], stopSignal: "SIGTERM", stopTimeoutMs: 10_000 },
  );
  closeSync(log);

  const ready = await waitUntil(async () => !server.running() || (await pingRedis(options.port)), 30_000, 100);
  if (!ready || !server.running()) {
    await server.stop();
    const lastLines = readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-15).join("\n");
    throw new Error(`redis-server did not start on 127.0.0.1:${options.port}; last lines of ${logFile}:\n${lastLines}`);
  }
  writeFileSync(ownerFile, `${process.pid}\n`);
  say(`redis: redis-server on 127.0.0.1:${options.port}, data in ${redisDir}`);

  return {
    url,
    process: server,
    stop: async () => {
      await server.stop();
      rmSync(ownerFile, { force: true });
    },
  };
}
