/**
 * Is this error a store that cannot be reached right now (Postgres restarting, Redis down),
 * rather than a bug? Such a request is answered 503 with Retry-After ("try again") instead of
 * a 500: the caller did nothing wrong and the same request will work once the store is back.
 *
 * The shapes below are the ones the stores really produce here (see store-outage.test.ts and
 * tests/store-outage.test.ts, which capture them from real servers):
 * - Prisma over @prisma/adapter-pg: a PrismaClientKnownRequestError with code P1001 ("Can't
 *   reach database server") or P2010 whose `meta.driverAdapterError.cause` is
 *   `{kind: "DatabaseNotReachable" | "ConnectionClosed" | ...}` or `{kind: "postgres", code: "57P01"}`;
 *   some failures pass through the adapter unwrapped (pg's own "Connection terminated
 *   unexpectedly", pg-pool's "timeout exceeded when trying to connect").
 * - node-postgres: a socket error (ECONNREFUSED, ECONNRESET, ...) or a server error whose
 *   SQLSTATE is 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now,
 *   53300 too_many_connections, or class 08 (connection exception).
 * - ioredis: MaxRetriesPerRequestError while it reconnects, "Connection is closed." after the
 *   client gave up, or the socket error itself.
 * Pure: it looks at the error only.
 */

/** Seconds a caller should wait before retrying: a store restart here takes a few seconds. */
export const STORE_OUTAGE_RETRY_AFTER_SECONDS = 5;

export const STORE_OUTAGE_MESSAGE = "A data store (database or queue) is unavailable for a moment: try again";

const SOCKET_ERROR_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ECONNABORTED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);

/** Prisma's own codes for "the database is not reachable / timed out / closed the connection / pool exhausted". */
const PRISMA_OUTAGE_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);

/** @prisma/adapter-pg's error kinds (DriverAdapterError.cause.kind) that mean the connection, not the query. */
const ADAPTER_OUTAGE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);

const OUTAGE_MESSAGES = [
  /^Connection terminated/i, // pg: the server closed the socket (restart, kill)
  /^timeout exceeded when trying to connect/i, // pg-pool: no connection within connectionTimeoutMillis
  /^Client has encountered a connection error and is not queryable/i, // pg: a client whose socket died
  /^Connection is closed\.?$/i, // ioredis: the client stopped reconnecting
  /^Can't reach database server/i, // Prisma P1001's text, when the code is lost on the way
];

/** A Postgres SQLSTATE meaning "the server is going away or cannot take connections", not "your query is wrong". */
export function isOutageSqlState(code: string): boolean {
  return code.startsWith("08") || code === "57P01" || code === "57P02" || code === "57P03" || code === "53300";
}

export function isStoreOutage(error: unknown): boolean {
  return outageIn(error, 0);
}

function outageIn(error: unknown, depth: number): boolean {
  if (depth > 5 || typeof error !== "object" || error === null) return false;
  const record = error as Record<string, unknown>;
  const name = typeof record.name === "string" ? record.name : "";
  const code = typeof record.code === "string" ? record.code : "";
  const message = typeof record.message === "string" ? record.message : "";
  // fetch() to someone else's server (a model provider, a callback URL) failing is not our store:
  // its cause carries the same socket codes (ECONNREFUSED, ...), so it is not looked into.
  if (name === "TypeError" && message === "fetch failed") return false;
  const kind = typeof record.kind === "string" ? record.kind : "";

  if (name === "MaxRetriesPerRequestError") return true;
  if (SOCKET_ERROR_CODES.has(code)) return true;
  if (PRISMA_OUTAGE_CODES.has(code)) return true;
  // A pg DatabaseError carries its SQLSTATE in `code` beside a `severity`; the adapter's mapped cause has kind "postgres".
  if ((typeof record.severity === "string" || kind === "postgres") && /^[0-9A-Z]{5}$/.test(code) && isOutageSqlState(code)) return true;
  if (ADAPTER_OUTAGE_KINDS.has(kind)) return true;
  if (message && OUTAGE_MESSAGES.some((pattern) => pattern.test(message))) return true;

  const meta = record.meta as Record<string, unknown> | undefined;
  const nested: unknown[] = [record.cause, meta?.driverAdapterError];
  if (Array.isArray(record.errors)) nested.push(...(record.errors as unknown[]));
  return nested.some((inner) => inner !== error && outageIn(inner, depth + 1));
}
