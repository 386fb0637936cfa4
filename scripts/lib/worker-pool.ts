// The worker processes of `npm start` / `npm run dev`, each one supervised: a worker that dies
// on its own (crash, OOM kill, kill -9) is restarted after the backoff of ./supervise.ts while
// the web process keeps serving. Runs survive this by design: a run's state is in Postgres and
// its job in Redis, so the restarted (or another) worker picks the job up again.
import { say, seconds, warn } from "./log";
import { describeExit, startGroup, type ProcessGroup } from "./process";
import { decideRestart, DEFAULT_RESTART_POLICY, type RestartPolicy } from "./supervise";

export type WorkerPoolOptions = {
  count: number;
  /** The worker command (node + script), the same for every process. */
  command: string;
  args: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  policy?: RestartPolicy;
  /** How long a worker gets to finish the jobs in hand on stop before SIGKILL. */
  stopTimeoutMs?: number;
};

export type WorkerPool = {
  /** Pids of the worker processes running now (one per slot that is not waiting to restart). */
  pids(): number[];
  /** Restarts so far, all slots together. */
  restarts(): number;
  /** Stops every worker (no more restarts) and waits for them to exit. Idempotent. */
  stop(): Promise<void>;
};

export function startWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const policy = options.policy ?? DEFAULT_RESTART_POLICY;
  const current: (ProcessGroup | undefined)[] = Array.from({ length: options.count }, () => undefined);
  let restarts = 0;
  let stopping = false;
  let wakeSleepers: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => {
    wakeSleepers = resolve;
  });
  const label = (slot: number) => (options.count === 1 ? "worker" : `worker ${slot + 1}/${options.count}`);

  async function superviseSlot(slot: number): Promise<void> {
    let crashesInARow = 0;
    while (!stopping) {
      const startedAt = Date.now();
      const group = startGroup(label(slot), options.command, options.args, {
        cwd: options.cwd,
        env: { ...(options.env ?? process.env), WORKER_SLOT: String(slot + 1) },
        stopTimeoutMs: options.stopTimeoutMs,
      });
      current[slot] = group;
      if (crashesInARow > 0) say(`${label(slot)} restarted (pid ${group.pid})`);
      const info = await group.exited;
      if (stopping) return;
      current[slot] = undefined;
      // Whatever the dead leader left in its group (a tsx child, say) goes with it.
      await group.stop();
      const ranForMs = Date.now() - startedAt;
      const decision = decideRestart(policy, crashesInARow, ranForMs);
      crashesInARow = decision.crashesInARow;
      restarts += 1;
      warn(
        `${label(slot)} (pid ${group.pid}) exited unexpectedly (${describeExit(info)}) after ${seconds(ranForMs)}; ` +
          `restarting it in ${seconds(decision.delayMs)} (crash ${crashesInARow} in a row); the web app keeps running`,
      );
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([new Promise<void>((resolve) => (timer = setTimeout(resolve, decision.delayMs))), stopRequested]);
      clearTimeout(timer);
    }
  }

  const slots = current.map((_, slot) => superviseSlot(slot));
  let stopped: Promise<void> | undefined;
  return {
    pids: () => current.flatMap((group) => (group?.running() ? [group.pid] : [])),
    restarts: () => restarts,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        wakeSleepers();
        await Promise.all(current.map((group) => group?.stop()));
        await Promise.all(slots);
      })();
      return stopped;
    },
  };
}
