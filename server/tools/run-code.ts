import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { threadMessageSchema, type SandboxLimits, type SandboxOutcome } from "./run-code-protocol";
import { closePythonSandbox } from "./run-python";
import { runSandboxJob, type RunCodeResult } from "./sandbox-job";

/**
 * The run_code tool: untrusted JavaScript in QuickJS (WebAssembly) on a worker thread.
 *
 * Three layers of limits, innermost first:
 *  1. QuickJS itself: heap limit, stack limit, and an interrupt handler that stops the
 *     interpreter once its time budget is spent (infinite loops, runaway promise chains).
 *  2. The thread's V8 resource limits, for anything the host side of QuickJS allocates.
 *  3. A wall-clock timer here that terminates the thread if it does not answer in time —
 *     the backstop for anything the interrupt handler cannot see.
 * The caller's event loop (the BullMQ worker's) only ever waits on a message.
 */

export type RunCodeInput = { code: string; input?: unknown };

export type RunCodeLimits = SandboxLimits & {
  /** Hard limit on one job from the moment it is handed to a ready thread. */
  wallMs: number;
};

export const RUN_CODE_LIMITS: RunCodeLimits = {
  cpuMs: 2_000,
  memoryBytes: 32 * 1024 * 1024,
  stackBytes: 512 * 1024,
  maxConsoleChars: 16_384,
  maxResultChars: 262_144,
  // CPU budget plus room for a fresh WebAssembly instance and serialising the result on a
  // busy machine; only code stuck inside one long builtin call ever reaches it.
  wallMs: 4_000,
};

export type { RunCodeResult } from "./sandbox-job";

export type RunCodeOptions = { signal?: AbortSignal; limits?: Partial<RunCodeLimits> };

export async function runCode(args: RunCodeInput, options: RunCodeOptions = {}): Promise<RunCodeResult> {
  return runSandboxJob((job, signal) => pool.run(job, signal), args, { ...RUN_CODE_LIMITS, ...options.limits }, options.signal);
}

/**
 * Stop every sandbox thread, JavaScript and Python (worker shutdown, tests). Running jobs end
 * with "cancelled".
 */
export async function closeRunCodeSandbox(): Promise<void> {
  await Promise.all([pool.close(), closePythonSandbox()]);
}

const THREAD_ENTRY = new URL("./run-code-thread.mjs", import.meta.url);
/** Loading tsx and QuickJS in a fresh thread takes ~0.3 s; allow for a busy machine. */
const BOOT_TIMEOUT_MS = 30_000;
/** Threads are recycled now and then so nothing accumulates in a long-lived worker process. */
const JOBS_PER_THREAD = 200;

type Job = { code: string; inputJson: string | undefined; limits: RunCodeLimits };
type Thread = { worker: Worker; jobs: number };

/**
 * A few long-lived sandbox threads, one job at a time each. Reuse matters because starting a
 * thread costs far more than most snippets; isolation between jobs comes from the fresh
 * QuickJS instance each job gets. Capped below the core count so sandboxed CPU work cannot
 * starve the worker's own event loop.
 */
class SandboxPool {
  private readonly idle: Thread[] = [];
  private readonly waiters: Array<() => void> = [];
  /** Every started thread that has not been stopped; its size is checked against maxThreads. */
  private readonly threads = new Set<Worker>();
  private starting = 0;
  private closing = false;
  private nextId = 1;

  constructor(private readonly maxThreads: number) {}

  async run(job: Job, signal?: AbortSignal): Promise<SandboxOutcome> {
    if (signal?.aborted) throw new Error("cancelled");
    const thread = await this.acquire(signal);
    const { worker } = thread;
    const id = this.nextId++;
    worker.ref();

    return new Promise<SandboxOutcome>((resolve) => {
      let done = false;
      const finish = (outcome: SandboxOutcome, healthy: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
        signal?.removeEventListener("abort", onAbort);
        if (healthy) this.release(thread);
        else this.discard(worker);
        resolve(outcome);
      };
      const killed = (error: string) => finish({ ok: false, error, console: "", consoleTruncated: false }, false);
      const onMessage = (raw: unknown) => {
        const message = threadMessageSchema.safeParse(raw);
        if (message.success && message.data.type === "result" && message.data.id === id) finish(message.data.outcome, true);
      };
      const onError = (error: Error) => {
        const code = "code" in error ? error.code : undefined;
        killed(code === "ERR_WORKER_OUT_OF_MEMORY" ? "memory limit: the sandbox thread ran out of memory" : `sandbox crashed: ${error.message.slice(0, 200)}`);
      };
      const onExit = () => killed(this.closing ? "cancelled" : "sandbox crashed: the thread exited");
      const onAbort = () => killed("cancelled");
      const timer = setTimeout(
        () => killed(`timeout: no result within ${job.limits.wallMs} ms; the sandbox thread was stopped`),
        job.limits.wallMs,
      );
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
      signal?.addEventListener("abort", onAbort, { once: true });
      const { cpuMs, memoryBytes, stackBytes, maxConsoleChars, maxResultChars } = job.limits;
      const limits: SandboxLimits = { cpuMs, memoryBytes, stackBytes, maxConsoleChars, maxResultChars };
      worker.postMessage({ type: "run", id, code: job.code, inputJson: job.inputJson, limits });
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    try {
      await Promise.all([...this.threads].map((worker) => worker.terminate()));
    } finally {
      this.closing = false;
    }
  }

  private async acquire(signal?: AbortSignal): Promise<Thread> {
    for (;;) {
      const idle = this.idle.pop();
      if (idle) return idle;
      if (this.threads.size + this.starting < this.maxThreads) {
        this.starting++;
        let worker: Worker;
        try {
          worker = await spawnThread(signal);
        } catch (error) {
          this.wakeOne();
          throw error;
        } finally {
          this.starting--;
        }
        this.threads.add(worker);
        // A thread can die while idle (OOM, a bug); forget it so the next job gets a live one.
        // The "error" listener also keeps such an error from becoming an uncaught exception.
        worker.on("error", () => undefined);
        worker.once("exit", () => this.forget(worker));
        return { worker, jobs: 0 };
      }
      await this.waitForThread(signal);
    }
  }

  private waitForThread(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const wake = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        const index = this.waiters.indexOf(wake);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new Error("cancelled"));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(wake);
    });
  }

  private release(thread: Thread): void {
    thread.jobs++;
    if (thread.jobs >= JOBS_PER_THREAD) {
      this.discard(thread.worker);
      return;
    }
    // An idle thread must not keep the process alive.
    thread.worker.unref();
    this.idle.push(thread);
    this.wakeOne();
  }

  private discard(worker: Worker): void {
    this.forget(worker);
    void worker.terminate();
  }

  private forget(worker: Worker): void {
    if (!this.threads.delete(worker)) return;
    const index = this.idle.findIndex((thread) => thread.worker === worker);
    if (index >= 0) this.idle.splice(index, 1);
    this.wakeOne();
  }

  private wakeOne(): void {
    this.waiters.shift()?.();
  }
}

function spawnThread(signal?: AbortSignal): Promise<Worker> {
  const worker = new Worker(THREAD_ENTRY, {
    // Nothing from the host's environment (API keys, database URLs) exists in the thread.
    env: {},
    // Do not inherit the host's flags (loaders, --inspect); the entry sets up what it needs.
    execArgv: [],
    resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 16, stackSizeMb: 8 },
  });
  return new Promise<Worker>((resolve, reject) => {
    const fail = (message: string) => {
      cleanup();
      void worker.terminate();
      reject(new Error(message));
    };
    const onMessage = (raw: unknown) => {
      const message = threadMessageSchema.safeParse(raw);
      if (!message.success || message.data.type !== "ready") return;
      cleanup();
      resolve(worker);
    };
    const onError = (error: Error) => fail(`sandbox failed to start: ${error.message.slice(0, 200)}`);
    const onExit = () => fail("sandbox failed to start: the thread exited");
    const onAbort = () => fail("cancelled");
    const timer = setTimeout(() => fail(`sandbox failed to start within ${BOOT_TIMEOUT_MS} ms`), BOOT_TIMEOUT_MS);
    function cleanup() {
      clearTimeout(timer);
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
      signal?.removeEventListener("abort", onAbort);
    }
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.on("exit", onExit);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

const pool = new SandboxPool(Math.max(1, Math.min(4, availableParallelism() - 1)));
