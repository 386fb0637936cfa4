import { z } from "zod";
import type { Db } from "../db";
import { getEnv } from "../env";
import { actorLabel, type WorkspaceAccess } from "../auth/access";
import { rateLimitMessage, takeRunStart } from "../auth/rate-limit";
import { isTerminalStatus, type RunStatus } from "../engine/events";
import { startRun } from "../runs/start-run";
import { newId } from "../ids";
import { getRunEventHub } from "../streams/run-event-hub";
import { MAX_SYNC_WAIT_SECONDS, triggerBodySchema } from "./api-schemas";
import { withIdempotency } from "./idempotency";
import { parseResumeCursor, streamRunEvents } from "../streams/run-event-stream";
import { fetchResponder } from "../streams/sse";
import { checkRequestCallback, recordRunCallback } from "../callbacks/settings";
import { errorResponse, isWellFormedId, jsonError, readJsonBody, requireAccess, type RestAccess } from "./rest";
import { findWebhookSecret, forgetSignature, readBodyBytes, rememberSignature, SCHEME_HEADERS, verifyWebhookSignature, type WebhookScheme } from "./webhook-signature";
import { componentLog } from "../ops/log";
import { streamViewerKey } from "../streams/viewer-limits";

const logger = componentLog("trigger");

/** GitHub and Stripe send their own payloads, not `{input}`: the whole JSON document is the input. */
const wholePayloadSchema = z.unknown().transform((input) => ({ input }));


/** Who is triggering: the route asks the request's credentials (the benchmark's control run skips it). */
export type TriggerAuthorizer = (db: Db, request: Request) => Promise<RestAccess>;

export const authorizeTrigger: TriggerAuthorizer = (db, request) => requireAccess(db, request, "run:start", { allowTriggerToken: true });

type TriggerCaller = { access: WorkspaceAccess; webhook: { scheme: WebhookScheme; rawBody: Uint8Array; replayDigest: string } | null };

/**
 * POST /api/v1/workflows/:workflowId/trigger: identity (that workflow's trigger token, an API key
 * with `trigger`, a session — or, without an Authorization header, a request signed with the
 * workflow's webhook secret), the optional Idempotency-Key, the caller's run-start budget, the
 * body (at most MAX_RUN_INPUT_BYTES), then the run. Answers 202 with where to poll — or, with
 * `?wait=<s>` / `Prefer: wait=<s>`, waits up to that long for the run's outcome (200 when it
 * finished, 202 when it still runs or waits for a person) — or, with `Accept: text/event-stream`,
 * answers with the run's event stream from its first event to `run_finished` (live tokens
 * included), resumable at the run's stream URL with `Last-Event-ID`.
 */
export async function handleTrigger(db: Db, request: Request, workflowId: string, authorize: TriggerAuthorizer = authorizeTrigger): Promise<Response> {
  try {
    const env = getEnv();
    const wait = syncWaitSeconds(request);
    if (!wait.ok) return wait.response;
    const stream = wantsEventStream(request);
    if (stream && wait.seconds > 0) return jsonError(400, "invalid_mode", "Ask for the event stream (Accept: text/event-stream) or a sync wait (wait), not both", { path: "query:wait" });
    const caller = await identify(db, request, workflowId, authorize, env.MAX_RUN_INPUT_BYTES);
    if (!caller.ok) return caller.response;
    const { access, webhook } = caller.value;
    if (!isWellFormedId(workflowId) || ((access.actor.kind === "trigger_token" || access.actor.kind === "webhook") && access.actor.workflowId !== workflowId)) {
      return jsonError(404, "not_found", `Workflow ${workflowId.slice(0, 100)} not found`);
    }
    const response = await withIdempotency(db, request, { access, maxBodyBytes: env.MAX_RUN_INPUT_BYTES, rawBody: webhook?.rawBody }, async (body) => {
      const decision = await takeRunStart(access.actor);
      if (!decision.allowed) {
        return jsonError(429, "rate_limited", rateLimitMessage(decision), { headers: { "retry-after": String(decision.retryAfterSeconds) } });
      }
      const bodySchema: z.ZodType<{ input?: unknown; callbackUrl?: string }> = webhook && webhook.scheme !== "agentflow" ? wholePayloadSchema : triggerBodySchema;
      const parsed = await readJsonBody(body, bodySchema, env.MAX_RUN_INPUT_BYTES);
      if (!parsed.ok) return parsed.response;
      // A per-request callback is vetted (address, the workflow's signing secret) before the run exists.
      const requested = parsed.value.callbackUrl;
      const callbackUrl = requested === undefined ? null : await checkRequestCallback(db, access.workspaceId, workflowId, requested);
      const start = {
        workspaceId: access.workspaceId,
        workflowId,
        input: parsed.value.input ?? null,
        trigger: "api" as const,
        startedBy: actorLabel(access.actor),
      };
      const appUrl = env.APP_URL.replace(/\/$/, "");
      if (wait.seconds > 0) {
        // The waiter watches the run before it is queued, so it misses none of the worker's commits.
        const runId = newId("run");
        const outcome = watchRunOutcome(db, runId);
        try {
          const { finished } = await startRun(db, { ...start, runId, beforeEnqueue: outcome.beforeEnqueue });
          if (callbackUrl) await recordRunCallback(db, runId, callbackUrl);
          const statusUrl = `${appUrl}/api/v1/runs/${runId}`;
          // A run with no I/O ended as it started: its answer is at hand.
          if (finished) return syncAnswer(runId, statusUrl, { status: finished.status, output: finished.output ?? null, error: finished.error ?? null, pendingTasks: [] });
          return syncAnswer(runId, statusUrl, await outcome.settled(wait.seconds * 1000, request.signal));
        } finally {
          outcome.stop();
        }
      }
      const { runId } = await startRun(db, start);
      if (callbackUrl) await recordRunCallback(db, runId, callbackUrl);
      const statusUrl = `${appUrl}/api/v1/runs/${runId}`;
      return Response.json({ runId, statusUrl }, { status: 202, headers: answerHeaders(statusUrl) });
    });
    if (webhook && (response.status === 429 || response.status >= 500)) await forgetSignature(workflowId, webhook.replayDigest);
    // Stream mode: the stored (and, under an Idempotency-Key, replayed) answer is the 202 that
    // names the run; what the caller gets is that run's event stream, so a retry follows the same run.
    if (stream && response.status === 202) return runEventStream(db, request, access, ((await response.json()) as { runId: string }).runId);
    return response;
  } catch (error) {
    return errorResponse(error);
  }
}

/**
 * A bearer token or session goes through `authorize`. A request with neither, to a workflow that
 * has a webhook secret, must carry that scheme's signature over its raw body — checked here,
 * before the body is parsed. Without a secret, no Authorization is the usual 401.
 */
async function identify(
  db: Db,
  request: Request,
  workflowId: string,
  authorize: TriggerAuthorizer,
  maxBodyBytes: number,
): Promise<{ ok: true; value: TriggerCaller } | { ok: false; response: Response }> {
  const hasCredential = request.headers.has("authorization") || request.headers.get("cookie")?.includes("session_token");
  if (!hasCredential && isWellFormedId(workflowId)) {
    const webhook = await findWebhookSecret(workflowId);
    if (webhook) {
      const rawBody = await readBodyBytes(request, maxBodyBytes);
      const verified = verifyWebhookSignature(webhook.scheme, webhook.secret, request.headers, rawBody);
      if (!verified.ok) return { ok: false, response: webhookRefused(webhook.scheme, verified.message) };
      if (!(await rememberSignature(webhook.workflowId, verified.replayDigest, verified.replayExpiresAt))) {
        return { ok: false, response: webhookRefused(webhook.scheme, "signature already used (replay refused)") };
      }
      return {
        ok: true,
        value: {
          // Rate limits and the run's "started by" use this identity; it may only start this workflow's runs.
          access: { workspaceId: webhook.workspaceId, actor: { kind: "webhook", id: webhook.id, name: `signed webhook (${webhook.scheme})`, workflowId: webhook.workflowId }, ip: null },
          webhook: { scheme: webhook.scheme, rawBody, replayDigest: verified.replayDigest },
        },
      };
    }
  }
  const auth = await authorize(db, request);
  return auth.ok ? { ok: true, value: { access: auth.access, webhook: null } } : auth;
}

function webhookRefused(scheme: WebhookScheme, message: string): Response {
  return jsonError(401, "invalid_signature", `Webhook signature refused: ${message}`, { path: `header:${SCHEME_HEADERS[scheme]}` });
}

/**
 * A trigger's answer is a few hundred bytes, never cached; `no-transform` also keeps the
 * server's response compression off it, which costs more CPU than it saves bytes at this size.
 */
function answerHeaders(statusUrl: string): HeadersInit {
  return { location: statusUrl, "cache-control": "no-store, no-transform" };
}

// ─── Sync mode ──────────────────────────────────────────────────────────────────────────

/** `?wait=<seconds>` or `Prefer: wait=<seconds>` (RFC 7240); 0 or absent is the async 202. */
function syncWaitSeconds(request: Request): { ok: true; seconds: number } | { ok: false; response: Response } {
  const query = new URL(request.url).searchParams.get("wait");
  const prefer = /(?:^|[,;\s])wait=("?)(\d+)\1(?:$|[,;\s])/i.exec(request.headers.get("prefer") ?? "")?.[2] ?? null;
  const text = query ?? prefer;
  if (text === null) return { ok: true, seconds: 0 };
  const where = query !== null ? "query:wait" : "header:Prefer";
  if (!/^\d{1,3}$/.test(text) || Number(text) > MAX_SYNC_WAIT_SECONDS) {
    return { ok: false, response: jsonError(400, "invalid_wait", `wait must be a whole number of seconds from 0 to ${MAX_SYNC_WAIT_SECONDS}`, { path: where }) };
  }
  return { ok: true, seconds: Number(text) };
}

/** What the sync answer says about a run: its status, and its end or the tasks it waits on. */
type RunOutcome = { status: string; output: unknown; error: unknown; pendingTasks: { taskId: string; nodeId: string; message: string }[] };

function isSettled(status: string): boolean {
  return status === "waiting_for_human" || isTerminalStatus(status as RunStatus);
}

function syncAnswer(runId: string, statusUrl: string, outcome: RunOutcome | null): Response {
  const headers = answerHeaders(statusUrl);
  if (!outcome || !isSettled(outcome.status)) return Response.json({ runId, status: outcome?.status ?? "queued", statusUrl }, { status: 202, headers });
  if (outcome.status === "waiting_for_human") return Response.json({ runId, status: outcome.status, pendingTasks: outcome.pendingTasks, statusUrl }, { status: 202, headers });
  return Response.json({ runId, status: outcome.status, output: outcome.output, ...(outcome.error != null ? { error: outcome.error } : {}), statusUrl }, { status: 200, headers });
}

/** Events after which only the run row can say whether the run waits for a person. */
const EVENTS_TO_READ_AFTER: ReadonlySet<string> = new Set(["human_requested", "run_resumed", "run_retried"]);

/**
 * What a commit message (the committed events as JSON) says about the run's end: the outcome
 * itself when it holds `run_finished`, "read" when only the run row can tell (a person was
 * asked, or the message is not what we publish), nothing when the run just moved on.
 */
export function outcomeFromMessage(message: Buffer): RunOutcome | "read" | null {
  let events: unknown;
  try {
    events = JSON.parse(message.toString());
  } catch {
    return "read";
  }
  if (!Array.isArray(events)) return "read";
  let answer: RunOutcome | "read" | null = null;
  for (const event of events as { type?: unknown; status?: unknown; output?: unknown; error?: unknown }[]) {
    if (event?.type === "run_finished" && typeof event.status === "string") {
      return { status: event.status, output: event.output ?? null, error: event.error ?? null, pendingTasks: [] };
    }
    if (typeof event?.type === "string" && EVENTS_TO_READ_AFTER.has(event.type)) answer = "read";
  }
  return answer;
}

/** How long a sync start waits for its subscription before queueing the run anyway (then it reads instead). */
const SUBSCRIBE_WAIT_MS = 2_000;

/**
 * The sync trigger's wait for one run, on the process's one shared Redis subscriber
 * (server/streams/run-event-hub.ts) — no connection per waiting caller. It watches the run
 * once it is committed and lets it be queued only once the subscription is live, so every
 * commit of the worker's reaches it: the run's end comes from `run_finished` in the message, with
 * no read. Postgres is read only when a message cannot tell (a person was asked), when the
 * subscription became live late or came back after a reconnect (messages may be lost), and
 * once when the time is up.
 */
function watchRunOutcome(db: Db, runId: string) {
  let queued = false;
  let latest: RunOutcome | null = null;
  let markLive: () => void = () => undefined;
  const live = new Promise<void>((resolve) => {
    markLive = resolve;
  });
  const listeners = new Set<() => void>();
  const settle = (outcome: RunOutcome) => {
    latest = outcome;
    if (isSettled(outcome.status)) for (const listener of [...listeners]) listener();
  };

  let reading = false;
  let readAgain = false;
  const read = async (): Promise<void> => {
    if (reading) {
      readAgain = true;
      return;
    }
    reading = true;
    try {
      const row = await readRunOutcome(db, runId);
      if (row) settle(row);
    } catch (error) {
      logger.error({ err: error, runId }, "sync wait read failed");
    } finally {
      reading = false;
    }
    if (readAgain) {
      readAgain = false;
      await read();
    }
  };

  let unwatch: () => void = () => undefined;
  const watch = () => {
    unwatch = getRunEventHub().watchRun(runId, (message) => {
      if (message === null) {
        markLive();
        // Live only after the run was queued, or live again after a reconnect: messages may be lost.
        if (queued) void read();
        return;
      }
      const outcome = outcomeFromMessage(message);
      if (outcome === "read") void read();
      else if (outcome) settle(outcome);
    });
  };

  return {
    /**
     * Passed to startRun: the run is committed and about to be queued (a run that ended as it
     * started never is, and costs no subscription); watch it, and wait (briefly) for the
     * subscription before it is queued.
     */
    beforeEnqueue: async () => {
      watch();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([live, new Promise<void>((resolve) => (timer = setTimeout(resolve, SUBSCRIBE_WAIT_MS)))]);
      clearTimeout(timer);
      queued = true;
    },
    /** The run's outcome once it finished or waits for a person, or what it is when `waitMs` is up. */
    settled: (waitMs: number, signal: AbortSignal): Promise<RunOutcome | null> =>
      new Promise((resolve) => {
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          listeners.delete(finish);
          signal.removeEventListener("abort", finish);
          resolve(latest);
        };
        // One last read when the time is up: the answer is as fresh as possible.
        const timer = setTimeout(() => void read().finally(finish), waitMs);
        listeners.add(finish);
        signal.addEventListener("abort", finish);
        if (latest && isSettled(latest.status)) finish();
      }),
    stop: () => unwatch(),
  };
}

async function readRunOutcome(db: Db, runId: string): Promise<RunOutcome | null> {
  const row = await db.run.findUnique({
    where: { id: runId },
    select: { status: true, output: true, error: true, humanTasks: { where: { status: "pending" }, select: { id: true, nodeId: true, message: true }, orderBy: { createdAt: "asc" } } },
  });
  if (!row) return null;
  return { status: row.status, output: row.output, error: row.error, pendingTasks: row.humanTasks.map((task) => ({ taskId: task.id, nodeId: task.nodeId, message: task.message })) };
}

/** Whether the caller asked for the run's events as they happen (`Accept: text/event-stream`). */
function wantsEventStream(request: Request): boolean {
  return (request.headers.get("accept") ?? "").toLowerCase().includes("text/event-stream");
}

/** The new run's event stream, as GET /api/runs/:id/events serves it, with the run named in headers. */
async function runEventStream(db: Db, request: Request, access: WorkspaceAccess, runId: string): Promise<Response> {
  const events = await streamRunEvents({
    db,
    respond: fetchResponder,
    runId,
    afterSeq: parseResumeCursor(request),
    viewerKey: streamViewerKey(access),
    limit: getEnv().MAX_STREAMS_PER_VIEWER,
    signal: request.signal,
  });
  const appUrl = getEnv().APP_URL.replace(/\/$/, "");
  const headers = new Headers(events.headers);
  headers.set("x-run-id", runId);
  headers.set("location", `${appUrl}/api/v1/runs/${runId}`);
  // Where to resume (with Last-Event-ID) if the connection drops.
  headers.set("link", `<${appUrl}/api/runs/${runId}/events>; rel="alternate"; type="text/event-stream"`);
  return new Response(events.body, { status: events.status, headers });
}
