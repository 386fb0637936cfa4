import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../db";
import type { WorkspaceAccess } from "../auth/access";
import { IDEMPOTENCY_KEY_PATTERN } from "./api-schemas";
import { readBodyBytes } from "./webhook-signature";
import { errorResponse, jsonError } from "./rest";
import { isStoreOutage } from "./store-outage";
import { componentLog } from "../ops/log";

const logger = componentLog("idempotency");

/**
 * `Idempotency-Key` on the REST POSTs that create or change something (trigger, run control and
 * lineage, human-task answers), Stripe-style: the first request with a key runs; a later one
 * with the same key, from the same credential in the same workspace on the same path, gets the
 * first response again (status, body, Location/Retry-After) for 24 h — no second run. The same
 * key with another body is a 422. A duplicate that arrives while the first is still running
 * waits for it (up to IN_FLIGHT_WAIT_MS, long enough for a sync trigger's default wait to be
 * the exception) and then answers 409 `idempotency_request_in_progress` with Retry-After.
 *
 * Postgres, not Redis, holds the keys: the row is claimed with INSERT … ON CONFLICT DO NOTHING
 * on a unique (scope, key) before the work starts, so concurrent duplicates create exactly one
 * run, and a Redis that lost its data cannot turn a retry into a second run.
 *
 * Only answers below 400 are stored. A refused request (4xx: a bad body, an invalid workflow,
 * a rate limit, a spent budget) or a failed one (5xx) did nothing, so, as with Stripe, its row is
 * deleted and the same key can be retried as is or with a corrected request: a client that
 * fixed the workflow its trigger named gets a run, not the old 422 for 24 h. A claim left
 * behind by a process that died mid-request is taken over after IN_FLIGHT_STALE_MS.
 */
export const IDEMPOTENCY_HEADER = "Idempotency-Key";
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const IN_FLIGHT_WAIT_MS = 10_000;
const IN_FLIGHT_POLL_MS = 25;
/** Longer than any request may take (a sync trigger waits at most 60 s). */
const IN_FLIGHT_STALE_MS = 3 * 60 * 1000;
const REPLAYED_HEADERS = ["content-type", "location", "retry-after"] as const;

/** Who may replay whose answers: the same credential, in the same workspace, on the same path. */
export function idempotencyScope(access: Pick<WorkspaceAccess, "workspaceId" | "actor">, path: string): string {
  const credential = access.actor.kind === "system" ? `system:${access.actor.name}` : `${access.actor.kind}:${access.actor.id}`;
  return `${access.workspaceId}|${credential}|POST ${path}`;
}

type KeyRow = {
  id: string;
  requestHash: string;
  responseStatus: number | null;
  responseBody: string | null;
  responseHeaders: Record<string, string> | null;
  createdAt: Date;
};

/**
 * Runs `handle` under the request's Idempotency-Key, if it has one. The body is read here (at
 * most `maxBodyBytes`, or taken from `rawBody` when the caller already read it to verify a
 * signature) and handed to `handle` as a fresh Request, so routes parse it as usual.
 */
export async function withIdempotency(
  db: Db,
  request: Request,
  options: { access: Pick<WorkspaceAccess, "workspaceId" | "actor">; maxBodyBytes: number; rawBody?: Uint8Array },
  handle: (request: Request) => Promise<Response>,
): Promise<Response> {
  const key = request.headers.get(IDEMPOTENCY_HEADER);
  if (key === null) return handle(options.rawBody ? withBody(request, options.rawBody) : request);
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
    return jsonError(400, "invalid_idempotency_key", `${IDEMPOTENCY_HEADER} must be 1–255 printable ASCII characters (a UUID is a good choice)`, {
      path: `header:${IDEMPOTENCY_HEADER}`,
    });
  }
  let body: Uint8Array;
  try {
    body = options.rawBody ?? (await readBodyBytes(request, options.maxBodyBytes));
  } catch (error) {
    return errorResponse(error);
  }
  const scope = idempotencyScope(options.access, new URL(request.url).pathname);
  const requestHash = createHash("sha256").update(body).digest("hex");
  sweepExpiredSometimes(db);

  const deadline = Date.now() + IN_FLIGHT_WAIT_MS;
  for (;;) {
    const claimedId = await claim(db, scope, key, requestHash);
    if (claimedId) return runClaimed(db, claimedId, () => handle(withBody(request, body)));
    const row = await findKey(db, scope, key);
    if (!row) continue; // deleted between our insert and read (expired, or the first one failed): claim again
    const age = Date.now() - row.createdAt.getTime();
    if (age > IDEMPOTENCY_TTL_MS || (row.responseStatus === null && age > IN_FLIGHT_STALE_MS)) {
      await db.$executeRaw`DELETE FROM "IdempotencyKey" WHERE "id" = ${row.id}`;
      continue;
    }
    if (row.requestHash !== requestHash) {
      return jsonError(
        422,
        "idempotency_key_reused",
        `This ${IDEMPOTENCY_HEADER} was already used with a different request body; use a new key for a different request`,
        { path: `header:${IDEMPOTENCY_HEADER}` },
      );
    }
    if (row.responseStatus !== null) return replay(row);
    if (Date.now() >= deadline) {
      return jsonError(409, "idempotency_request_in_progress", `A request with this ${IDEMPOTENCY_HEADER} is still being handled; retry shortly`, {
        path: `header:${IDEMPOTENCY_HEADER}`,
        headers: { "retry-after": "1" },
      });
    }
    await new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_POLL_MS));
  }
}

function withBody(request: Request, body: Uint8Array): Request {
  return new Request(request.url, { method: request.method, headers: request.headers, body: body.byteLength > 0 ? Buffer.from(body) : null, signal: request.signal });
}

async function claim(db: Db, scope: string, key: string, requestHash: string): Promise<string | null> {
  const id = `idem_${randomBytes(12).toString("base64url")}`;
  const inserted = await db.$queryRaw<{ id: string }[]>`
    INSERT INTO "IdempotencyKey" ("id", "scope", "key", "requestHash", "createdAt")
    VALUES (${id}, ${scope}, ${key}, ${requestHash}, now())
    ON CONFLICT ("scope", "key") DO NOTHING
    RETURNING "id"`;
  return inserted[0]?.id ?? null;
}

async function findKey(db: Db, scope: string, key: string): Promise<KeyRow | null> {
  const rows = await db.$queryRaw<KeyRow[]>`
    SELECT "id", "requestHash", "responseStatus", "responseBody", "responseHeaders", "createdAt"
    FROM "IdempotencyKey" WHERE "scope" = ${scope} AND "key" = ${key}`;
  return rows[0] ?? null;
}

/** How long the bookkeeping after the work keeps trying through a store outage (a Postgres restart takes seconds). */
const SETTLE_THROUGH_OUTAGE_MS = 20_000;
const SETTLE_RETRY_MS = 250;

/**
 * Writes the claim's outcome, retrying while Postgres is unreachable. Left undone, the claim
 * would stay "in progress": the client's retries would get 409 until IN_FLIGHT_STALE_MS and
 * then run the request a second time, although the first one did its work (seen in the chaos
 * harness: a Postgres restart right after a trigger gave a second run three minutes later).
 * Gives up quietly in the end: the answer to the client matters more than the bookkeeping.
 */
async function settleClaim(write: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + SETTLE_THROUGH_OUTAGE_MS;
  for (;;) {
    try {
      await write();
      return;
    } catch (error) {
      if (!isStoreOutage(error) || Date.now() >= deadline) {
        logger.error({ err: error }, "could not record the outcome of an idempotent request");
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, SETTLE_RETRY_MS));
    }
  }
}

async function runClaimed(db: Db, id: string, handle: () => Promise<Response>): Promise<Response> {
  let response: Response;
  try {
    response = await handle();
  } catch (error) {
    await settleClaim(() => db.$executeRaw`DELETE FROM "IdempotencyKey" WHERE "id" = ${id}`);
    return errorResponse(error);
  }
  if (response.status >= 400) {
    // Refused or failed: nothing was done, so the key is freed and the client's retry is handled afresh.
    await settleClaim(() => db.$executeRaw`DELETE FROM "IdempotencyKey" WHERE "id" = ${id}`);
    return response;
  }
  const text = await response.text();
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  await settleClaim(
    () => db.$executeRaw`
      UPDATE "IdempotencyKey"
      SET "responseStatus" = ${response.status}, "responseBody" = ${text}, "responseHeaders" = ${JSON.stringify(headers)}::jsonb, "completedAt" = now()
      WHERE "id" = ${id}`,
  );
  return new Response(text, { status: response.status, headers: response.headers });
}

function replay(row: KeyRow): Response {
  const headers = new Headers(row.responseHeaders ?? {});
  headers.set("idempotent-replayed", "true");
  return new Response(row.responseBody ?? "", { status: row.responseStatus ?? 200, headers });
}

/** Rows past 24 h are ignored when read; about one claim in a hundred also deletes them. */
function sweepExpiredSometimes(db: Db): void {
  if (Math.random() >= 0.01) return;
  const cutoff = new Date(Date.now() - IDEMPOTENCY_TTL_MS);
  void db.$executeRaw`DELETE FROM "IdempotencyKey" WHERE "createdAt" < ${cutoff}`.catch(() => undefined);
}
