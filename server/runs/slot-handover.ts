import os from "node:os";
import { Job, type Queue } from "bullmq";
import type { Redis } from "ioredis";
import { getEnv } from "../env";
import { releaseRunLeaseHeldBy } from "./run-lease";

/**
 * A supervised worker's run jobs, recorded while they run, so that the next process of its slot
 * hands them back to the queue the moment it starts.
 *
 * Why: a worker that dies (a crash, an out-of-memory kill, kill -9) leaves its jobs locked in
 * BullMQ until the lock runs out (WORKER_LOCK_MS, 30 s by default), and BullMQ's stalled check
 * moves them back only after that (up to half of it again); its runs' leases
 * (server/runs/run-lease.ts) last as long. Under a supervisor — npm start's worker pool, which
 * numbers its processes with WORKER_SLOT, or the chaos harness — the next process of a slot
 * starts only after the previous one exited, so the jobs recorded under the slot are orphans.
 * Each goes back to wait with the dead holder's own lock token (BullMQ refuses if the lock is
 * anyone else's now: it expired and another worker took the job), and its run's lease is deleted
 * if the dead holder's token still holds it. Without a supervisor (a worker started by hand)
 * nothing is recorded and locks run out as before.
 *
 * A slot is named by host, supervisor pid and number: two launchers on one machine, or on two
 * machines sharing a Redis, never share one.
 *
 * A container is a slot too (`WORKER_SLOT=container`, set by docker-compose.yml): its one worker
 * process is restarted by the container's restart policy only after it exited, and the
 * container keeps its hostname (unique per container, so per replica) across restarts. The
 * slot is then named by the hostname alone; a hostname shared by two running workers (a fixed
 * `hostname:` on a scaled service) would let one hand back the other's live jobs, so the
 * setting is for one worker per container with Docker's own hostnames.
 */
export type SlotJobs = {
  /** Records a job this process now holds: its lock token and its run's lease token. */
  record(jobId: string, lockToken: string, runId: string, leaseToken: string): Promise<void>;
  /** The job is no longer held here (finished, delayed, failed or handed on). */
  forget(jobId: string): Promise<void>;
};

/** How long a slot's record outlives its last write: a supervisor that is gone for good leaves no key behind. */
const SLOT_RECORD_TTL_MS = 24 * 3_600_000;

/** Says that this process is its container's only worker (see above). */
export const CONTAINER_SLOT = "container";

/** The Redis hash of a supervised slot, or null when this process is not supervised. */
export function supervisedSlotKey(env: NodeJS.ProcessEnv = process.env): string | null {
  const slot = env.WORKER_SLOT;
  if (slot === CONTAINER_SLOT) return `${getEnv().QUEUE_PREFIX}:worker-slot:${CONTAINER_SLOT}:${os.hostname()}`;
  const supervisor = env.AGENTFLOW_SUPERVISOR_PID;
  if (!slot || !/^\d+$/.test(slot) || !supervisor || !/^\d+$/.test(supervisor)) return null;
  return `${getEnv().QUEUE_PREFIX}:worker-slot:${os.hostname()}:${supervisor}:${slot}`;
}

export function slotJobs(redis: Redis, slotKey: string): SlotJobs {
  return {
    async record(jobId, lockToken, runId, leaseToken) {
      // Auto-pipelined with the job's other commands; a record that fails only costs the fast handover.
      await Promise.all([redis.hset(slotKey, jobId, JSON.stringify({ lockToken, runId, leaseToken })), redis.pexpire(slotKey, SLOT_RECORD_TTL_MS)]).catch(() => undefined);
    },
    async forget(jobId) {
      await redis.hdel(slotKey, jobId).catch(() => undefined);
    },
  };
}

type SlotRecord = { lockToken: string; runId: string; leaseToken: string };

function parseRecord(text: string): SlotRecord | null {
  try {
    const value = JSON.parse(text) as Partial<SlotRecord>;
    return typeof value.lockToken === "string" && typeof value.runId === "string" && typeof value.leaseToken === "string" ? (value as SlotRecord) : null;
  } catch {
    return null;
  }
}

export type HandOverReport = { recorded: number; handedBack: number };

/**
 * Puts back on the queue the jobs the slot's previous process held when it died. Call before
 * this process takes any job: the slot's record is read and deleted whole.
 */
export async function handBackOrphanedJobs(redis: Redis, queue: Queue, slotKey: string): Promise<HandOverReport> {
  const read = await redis.multi().hgetall(slotKey).del(slotKey).exec();
  const records = Object.entries((read?.[0]?.[1] ?? {}) as Record<string, string>);
  let handedBack = 0;
  for (const [jobId, text] of records) {
    const record = parseRecord(text);
    if (!record) continue;
    // The lease first: whoever takes the job next must not find the dead holder's lease in its way.
    await releaseRunLeaseHeldBy(redis, record.runId, record.leaseToken);
    const job = await Job.fromId(queue, jobId);
    if (!job) continue;
    try {
      await job.moveToWait(record.lockToken);
      handedBack += 1;
    } catch {
      // Finished, or its lock expired and another worker holds it now: nothing to hand back.
    }
  }
  return { recorded: records.length, handedBack };
}
