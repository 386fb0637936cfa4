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
