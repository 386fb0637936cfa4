import { getEnv } from "../env";
import { getRedis } from "../events";
import type { Actor } from "./access";

/**
 * Run starts per minute for each caller (API key, trigger token, signed-in user), counted in
 * Redis so every web process shares the budget. A fixed one-minute window: one INCR per start
 * (auto-pipelined), cheap enough for the trigger's hot path; a burst at a window edge can reach
 * twice the rate for a moment, which is fine for a fairness guard.
 */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number; limit: number };

export async function takeRunStart(actor: Actor, now = Date.now()): Promise<RateDecision> {
  if (actor.kind === "system") return { allowed: true };
  const env = getEnv();
  const limit = env.RUN_START_RATE_PER_MINUTE;
  const window = Math.floor(now / 60_000);
  const key = `${env.QUEUE_PREFIX}:rate:run-start:${actor.kind}:${actor.id}:${window}`;
  const redis = getRedis();
  const [[, count]] = (await redis.multi().incr(key).expire(key, 120).exec()) as [[Error | null, number], unknown];
  if (count <= limit) return { allowed: true };
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(((window + 1) * 60_000 - now) / 1000)), limit };
}

export function rateLimitMessage(decision: Extract<RateDecision, { allowed: false }>): string {
  return `Too many runs started: at most ${decision.limit} a minute; try again in ${decision.retryAfterSeconds} s`;
}

/**
 * Failed password sign-ins per account. better-auth also limits per client address, but an
 * address is whatever X-Forwarded-For says when nothing in front of the app rewrites it; a
 * count per email holds whoever asks. Ten failures lock the account's password sign-in for
 * the rest of a 15-minute window (a person who knows their password is not slowed down).
 */
const SIGN_IN_FAILURES_ALLOWED = 10;
const SIGN_IN_WINDOW_SECONDS = 15 * 60;

function signInKey(email: string): string {
  return `${getEnv().QUEUE_PREFIX}:rate:sign-in-failures:${email.trim().toLowerCase()}`;
}

export async function signInBlockedFor(email: string): Promise<number | null> {
  const redis = getRedis();
  const key = signInKey(email);
  const failures = Number((await redis.get(key)) ?? 0);
  if (failures < SIGN_IN_FAILURES_ALLOWED) return null;
  return Math.max(1, await redis.ttl(key));
}

export async function recordSignInOutcome(email: string, succeeded: boolean): Promise<void> {
  const redis = getRedis();
  const key = signInKey(email);
  if (succeeded) {
    await redis.del(key);
    return;
  }
  const [[, failures]] = (await redis.multi().incr(key).ttl(key).exec()) as [[Error | null, number], [Error | null, number]];
  if (failures === 1) await redis.expire(key, SIGN_IN_WINDOW_SECONDS);
}
