import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { getEnv } from "../env";

/**
 * One run is advanced by one job at a time, across every worker process. A second job for
 * the same run — enqueued when a person answers while other branches are still busy, or by
 * the reconciler during a long model call — would otherwise pay for the same model call
 * again. The lease is a Redis key holding the holder's token, renewed while it works and
 * expiring on its own if the holder dies (after about as long as BullMQ's job lock).
 * Correctness never depends on it (commits are guarded by the run's last sequence number);
 * it prevents duplicate work.
 */
export type RunLease = {
  /** The holder's value of the key: what releaseRunLeaseHeldBy needs to let go of it for a dead holder. */
  readonly token: string;
  /** Stops renewing and deletes the key if it is still ours. */
  release(): Promise<void>;
};

const RENEW_IF_OURS = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;
const DELETE_IF_OURS = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

function leaseKey(runId: string): string {
  return `${getEnv().QUEUE_PREFIX}:run-lease:${runId}`;
}

/**
 * Takes the run's lease, or returns null when another job holds it. `onLost` is called if a
 * renewal finds the lease gone or taken (this process stalled longer than `ttlMs`): the
 * caller must stop advancing, since another job may now own the run.
 */
export async function tryAcquireRunLease(redis: Redis, runId: string, ttlMs: number, onLost: () => void): Promise<RunLease | null> {
  const key = leaseKey(runId);
  // randomUUID draws from node's cached entropy: no call into the CSPRNG per job, as randomBytes makes.
  const token = randomUUID();
  const taken = await redis.set(key, token, "PX", ttlMs, "NX");
  if (taken !== "OK") return null;

  const renewal = setInterval(() => {
    redis.eval(RENEW_IF_OURS, 1, key, token, String(ttlMs)).then(
      (renewed) => {
        if (renewed !== 1) {
          clearInterval(renewal);
          onLost();
        }
      },
      () => undefined, // Redis unreachable for a moment: the next renewal tries again
    );
  }, Math.max(100, Math.floor(ttlMs / 3)));
  renewal.unref();

  return {
    token,
    async release() {
      clearInterval(renewal);
      await releaseRunLeaseHeldBy(redis, runId, token);
    },
  };
}

/** Deletes the run's lease if `token` still holds it (a holder that is gone: server/runs/slot-handover.ts). */
export async function releaseRunLeaseHeldBy(redis: Redis, runId: string, token: string): Promise<void> {
  await redis.eval(DELETE_IF_OURS, 1, leaseKey(runId), token).catch(() => undefined);
}
