import { z } from "zod";
import type { Db } from "../db";
import { getEnv } from "../env";
import { actorLabel, type WorkspaceAccess } from "../auth/access";
import { rateLimitMessage, takeRunStart } from "../auth/rate-limit";
import { isTerminalStatus, type RunStatus } from "../engine/events";
import { startRun } from "../runs/start-run";
import { getRunEventHub } from "../streams/run-event-hub";
import { MAX_SYNC_WAIT_SECONDS, triggerBodySchema } from "./api-schemas";
import { withIdempotency } from "./idempotency";
import { parseResumeCursor, streamRunEvents } from "../streams/run-event-stream";
import { checkRequestCallback, recordRunCallback } from "../callbacks/settings";
import { errorResponse, isWellFormedId, jsonError, readJsonBody, requireAccess, type RestAccess } from "./rest";
import { findWebhookSecret, forgetSignature, readBodyBytes, rememberSignature, SCHEME_HEADERS, verifyWebhookSignature, type WebhookScheme } from "./webhook-signature";

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
      const { runId } = await startRun(db, {
        workspaceId: access.workspaceId,
        workflowId,
        input: parsed.value.input ?? null,
        trigger: "api",
        startedBy: actorLabel(access.actor),
      });
      if (callbackUrl) await recordRunCallback(db, runId, callbackUrl);
      const statusUrl = `${env.APP_URL.replace(/\/$/, "")}/api/v1/runs/${runId}`;
      if (wait.seconds > 0) return syncAnswer(db, runId, statusUrl, wait.seconds * 1000, request.signal);
      return Response.json({ runId, statusUrl }, { status: 202, headers: { location: statusUrl } });
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

type RunOutcomeRow = { status: string; output: unknown; error: unknown; humanTasks: { id: string; nodeId: string; message: string }[] };

function isSettled(status: string): boolean {
  return status === "waiting_for_human" || isTerminalStatus(status as RunStatus);
}

/**
 * Waits for the run to finish or to wait for a person, woken by the run's commit notices on the
 * process's one shared Redis subscriber (server/streams/run-event-hub.ts) — no connection per
 * waiting caller — and re-reading the run row on each wake (a notice is only a wake-up).
 */
async function syncAnswer(db: Db, runId: string, statusUrl: string, waitMs: number, signal: AbortSignal): Promise<Response> {
  const row = await waitForSettledRun(db, runId, waitMs, signal);
  const headers = { location: statusUrl };
  if (!row || !isSettled(row.status)) return Response.json({ runId, status: row?.status ?? "queued", statusUrl }, { status: 202, headers });
  if (row.status === "waiting_for_human") {
    const pendingTasks = row.humanTasks.map((task) => ({ taskId: task.id, nodeId: task.nodeId, message: task.message }));
    return Response.json({ runId, status: row.status, pendingTasks, statusUrl }, { status: 202, headers });
  }
  return Response.json({ runId, status: row.status, output: row.output, ...(row.error != null ? { error: row.error } : {}), statusUrl }, { status: 200, headers });
}

function waitForSettledRun(db: Db, runId: string, waitMs: number, signal: AbortSignal): Promise<RunOutcomeRow | null> {
  const read = () =>
    db.run.findUnique({
      where: { id: runId },
      select: { status: true, output: true, error: true, humanTasks: { where: { status: "pending" }, select: { id: true, nodeId: true, message: true }, orderBy: { createdAt: "asc" } } },
    });
  return new Promise((resolve) => {
    let last: RunOutcomeRow | null = null;
    let settled = false;
    let reading = false;
    let wokenWhileReading = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unwatch();
      signal.removeEventListener("abort", finish);
      resolve(last);
    };
    const check = async () => {
      if (settled) return;
      if (reading) {
        wokenWhileReading = true;
        return;
      }
      reading = true;
      try {
        last = await read();
        if (!last || isSettled(last.status)) finish();
      } catch (error) {
        console.error("[trigger] sync wait read failed", error);
        finish();
      } finally {
        reading = false;
      }
      if (wokenWhileReading) {
        wokenWhileReading = false;
        void check();
      }
    };
    const timer = setTimeout(() => {
      // One last read: the answer is as fresh as possible when the time is up.
      void read()
        .then((row) => {
          if (row) last = row;
        })
        .catch(() => undefined)
        .finally(finish);
    }, waitMs);
    const unwatch = getRunEventHub().watchRun(runId, () => void check());
    signal.addEventListener("abort", finish);
    void check();
  });
}

/** Whether the caller asked for the run's events as they happen (`Accept: text/event-stream`). */
function wantsEventStream(request: Request): boolean {
  return (request.headers.get("accept") ?? "").toLowerCase().includes("text/event-stream");
}

/** The new run's event stream, as GET /api/runs/:id/events serves it, with the run named in headers. */
async function runEventStream(db: Db, request: Request, access: WorkspaceAccess, runId: string): Promise<Response> {
  const events = await streamRunEvents({
    db,
    runId,
    afterSeq: parseResumeCursor(request),
    viewerKey: `${access.actor.kind}:${access.actor.kind === "system" ? "system" : access.actor.id}`,
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
