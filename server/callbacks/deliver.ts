import type { Db } from "../db";
import { newId } from "../ids";
import { maskedUrl, notificationHttpPolicy } from "../notifications/channels";
import { SIGNATURE_HEADER, signatureHeader } from "../notifications/signature";
import { httpRequest } from "../tools/http-request";
import { openSigningSecret } from "./settings";

/**
 * One attempt at one run-finished callback: POST the run's result, signed like notification
 * webhooks (`AgentFlow-Signature: t=<unix>,v1=<hmac>` over `<t>.<body>` with the workflow's
 * callback secret), and log the attempt (status code, error, duration). The queue retries.
 */
export type CallbackAttemptResult =
  | { outcome: "delivered"; statusCode: number }
  | { outcome: "retry" | "failed"; statusCode: number | null; error: string }
  /** Nothing to do: the row is gone or already settled. */
  | { outcome: "done" };

const HTTP_TIMEOUT_MS = 10_000;
const RETRYABLE_4XX = new Set([408, 425, 429]);

export type CallbackBody = { runId: string; workflowId: string; status: string; output: unknown; error: string | null; finishedAt: string | null };

export function callbackBody(run: { id: string; workflowId: string; status: string; output: unknown; error: string | null; finishedAt: Date | null }): string {
  const body: CallbackBody = { runId: run.id, workflowId: run.workflowId, status: run.status, output: run.output ?? null, error: run.error, finishedAt: run.finishedAt?.toISOString() ?? null };
  return JSON.stringify(body);
}

function safeMasked(url: string): string {
  try {
    return maskedUrl(url);
  } catch {
    return "[the callback URL]";
  }
}

export async function attemptCallback(db: Db, callbackId: string, options: { isLastAttempt: (readyAt: Date) => boolean; now?: () => Date }): Promise<CallbackAttemptResult> {
  const now = options.now ?? (() => new Date());
  const callback = await db.runCallback.findUnique({
    where: { id: callbackId },
    select: { id: true, url: true, status: true, attempts: true, readyAt: true, run: { select: { id: true, workflowId: true, workspaceId: true, status: true, output: true, error: true, finishedAt: true } } },
  });
  if (!callback || callback.status !== "pending" || !callback.readyAt) return { outcome: "done" };
  const { run } = callback;
  const isLast = options.isLastAttempt(callback.readyAt);
  const started = Date.now();
  let statusCode: number | null = null;
  let error: string | null = null;
  let permanent = false;

  const settings = await db.workflowCallback.findUnique({ where: { workflowId: run.workflowId }, select: { workspaceId: true, workflowId: true, sealedSecret: true } });
  let secret: string | null = null;
  try {
    secret = settings && settings.workspaceId === run.workspaceId ? openSigningSecret(settings) : null;
  } catch {
    // Never the decrypted text: only that the secret could not be opened.
    secret = null;
  }
  if (!secret) {
    error = "the workflow's callback signing secret is missing or could not be opened (was the vault key changed?)";
    permanent = true;
  } else {
    const body = callbackBody(run);
    const masked = safeMasked(callback.url);
    const result = await httpRequest(
      {
        url: callback.url,
        method: "POST",
        body,
        timeoutMs: HTTP_TIMEOUT_MS,
        headers: {
          "content-type": "application/json",
          "user-agent": "AgentFlow-Callbacks",
          [SIGNATURE_HEADER]: signatureHeader(secret, Math.floor(now().getTime() / 1000), body),
          "AgentFlow-Event": "run.finished",
          "AgentFlow-Delivery": callback.id,
        },
      },
      // Error texts are shown in the delivery log: never the URL's path (it may hold a token).
      { ...notificationHttpPolicy(), idempotencyKey: callback.id, maxBodyBytes: 4_096, redactText: (text) => text.split(callback.url).join(masked) },
    );
    if (!result.ok) {
      error = result.error;
      permanent = result.error.startsWith("blocked") || result.error.startsWith("invalid URL");
    } else {
      statusCode = result.status;
      if (result.status < 200 || result.status >= 300) {
        const answer = result.body.trim().slice(0, 200);
        error = `HTTP ${result.status}${result.statusText ? ` ${result.statusText}` : ""}${answer ? `: ${answer}` : ""}`;
        permanent = result.status >= 400 && result.status < 500 && !RETRYABLE_4XX.has(result.status);
      }
    }
  }
  const durationMs = Date.now() - started;
  const attemptedAt = now();
  const delivered = error === null;
  const final = delivered || permanent || isLast;
  await db.$transaction([
    db.runCallbackAttempt.create({ data: { id: newId("rca"), callbackId: callback.id, attempt: callback.attempts + 1, statusCode, error: error?.slice(0, 1_000) ?? null, durationMs, at: attemptedAt } }),
    db.runCallback.update({
      where: { id: callback.id },
      data: {
        status: delivered ? "delivered" : final ? "failed" : "pending",
        attempts: { increment: 1 },
        lastStatusCode: statusCode,
        lastError: error?.slice(0, 1_000) ?? null,
        lastAttemptAt: attemptedAt,
        ...(delivered ? { deliveredAt: attemptedAt } : {}),
      },
    }),
  ]);
  if (delivered) return { outcome: "delivered", statusCode: statusCode ?? 0 };
  return { outcome: final ? "failed" : "retry", statusCode, error: error ?? "" };
}
