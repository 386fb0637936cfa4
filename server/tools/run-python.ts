import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { runSandboxJob, type RunCodeResult } from "./sandbox-job";
import type { SandboxOutcome } from "./run-code-protocol";
import { pythonThreadMessageSchema, type PythonLimits, type PythonThreadData } from "./run-python-protocol";

/**
 * run_code with `language: "python"`: untrusted Python in Pyodide (CPython compiled to
 * WebAssembly) on a worker thread.
 *
 * Limits, innermost first:
 *  1. The WebAssembly heap may grow only `memoryBytes` past the idle interpreter's size: a
 *     memory bomb gets MemoryError (run-python-thread.ts).
 *  2. After `cpuMs` the host raises KeyboardInterrupt in the guest through a shared interrupt
 *     buffer, which stops any loop of Python bytecode.
 *  3. After `wallMs` the thread is terminated: the backstop for code stuck inside one long C
 *     call, or code that catches KeyboardInterrupt. The thread's V8 heap has its own limits.
 *
 * Isolation: each program gets an interpreter of its own. Pyodide's state (imported modules,
 * built-ins, the in-memory file system) would otherwise carry one run's monkeypatches and files
 * into the next run, possibly another workspace's; a fresh namespace dict cannot undo that. A
 * thread is used for one job and discarded, and a spare interpreter is loaded in the background
 * after each job, so a tool call usually finds one ready (loading takes ~1–3 s).
 */

export type RunPythonInput = { code: string; input?: unknown };

export type RunPythonLimits = PythonLimits & { wallMs: number };

export const RUN_PYTHON_LIMITS: RunPythonLimits = {
  cpuMs: 5_000,
  memoryBytes: 128 * 1024 * 1024,
  maxConsoleChars: 16_384,
  maxResultChars: 262_144,
  // Interrupt budget plus room to unwind and serialise the result on a busy machine.
  wallMs: 8_000,
};

export type RunPythonOptions = { signal?: AbortSignal; limits?: Partial<RunPythonLimits> };

export async function runPython(args: RunPythonInput, options: RunPythonOptions = {}): Promise<RunCodeResult> {
  return runSandboxJob((job, signal) => pool.run(job, signal), args, { ...RUN_PYTHON_LIMITS, ...options.limits }, options.signal);
}

/** Stop every Python thread, the spare included (worker shutdown, tests). Running jobs end with "cancelled". */
export async function closePythonSandbox(): Promise<void> {
  await pool.close();
}

const THREAD_ENTRY = new URL("./run-python-thread.mjs", import.meta.url);
/** Loading tsx and Pyodide takes ~1–3 s on an idle core; allow for a busy machine. */
const BOOT_TIMEOUT_MS = 60_000;
/** SIGINT, as Pyodide's interrupt buffer expects it. */
const SIGINT = 2;

type Job = { code: string; inputJson: string | undefined; limits: RunPythonLimits };
type Thread = { worker: Worker; interrupt: Int32Array };
/** A thread that is loading Pyodide: `ready` settles once it can take a job. */
type Booting = { worker: Worker; ready: Promise<Thread> };

/**
 * At most `maxActive` programs at once (each interpreter holds ~100 MB), one spare interpreter
 * loaded ahead. The spare is only started after the first Python call, so a worker process
 * that never runs Python never loads Pyodide.
 */
class PythonPool {
  private spare: Booting | undefined;
  /** See PythonThreadData.snapshot; kept for the life of the process (~30 MB). */
  private snapshot: SharedArrayBuffer | undefined;
  private readonly threads = new Set<Worker>();
  private readonly waiters: Array<() => void> = [];
  private active = 0;
  private closing = false;
  private nextId = 1;

  constructor(private readonly maxActive: number) {}

  async run(job: Job, signal?: AbortSignal): Promise<SandboxOutcome> {
    if (signal?.aborted) throw new Error("cancelled");
    await this.acquireSlot(signal);
    try {
      const thread = await this.takeThread(signal);
      return await this.runOn(thread, job, signal);
    } finally {
      this.active--;
      // Loaded after the job rather than beside it, so the two do not compete for a core.
      if (!this.closing && !this.spare) this.spare = this.spawn();
      this.waiters.shift()?.();
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    const spare = this.spare;
    this.spare = undefined;
    try {
      await Promise.all([...this.threads].map((worker) => worker.terminate()));
      await spare?.worker.terminate();
    } finally {
      this.closing = false;
    }
  }

  private runOn(thread: Thread, job: Job, signal?: AbortSignal): Promise<SandboxOutcome> {
    const { worker, interrupt } = thread;
    const id = this.nextId++;
    worker.ref();
    return new Promise<SandboxOutcome>((resolve) => {
      let done = false;
      const finish = (outcome: SandboxOutcome) => {
        if (done) return;
        done = true;
        clearTimeout(interruptTimer);
        clearTimeout(wallTimer);
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
        signal?.removeEventListener("abort", onAbort);
        // One job per interpreter (see the module comment).
        this.discard(worker);
        resolve(outcome);
      };
      const killed = (error: string) => finish({ ok: false, error, console: "", consoleTruncated: false });
      const onMessage = (raw: unknown) => {
        const message = pythonThreadMessageSchema.safeParse(raw);
        if (message.success && message.data.type === "result" && message.data.id === id) finish(message.data.outcome);
      };
      const onError = (error: Error) => {
        const code = "code" in error ? error.code : undefined;
        killed(code === "ERR_WORKER_OUT_OF_MEMORY" ? "memory limit: the sandbox thread ran out of memory" : `sandbox crashed: ${error.message.slice(0, 200)}`);
      };
      const onExit = () => killed(this.closing ? "cancelled" : "sandbox crashed: the thread exited");
      const onAbort = () => killed("cancelled");
      const interruptTimer = setTimeout(() => Atomics.store(interrupt, 0, SIGINT), job.limits.cpuMs);
      const wallTimer = setTimeout(
        () => killed(`timeout: timed out after ${job.limits.cpuMs / 1000} s and did not stop when interrupted; the sandbox thread was stopped`),
        Math.max(job.limits.wallMs, job.limits.cpuMs),
      );
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
      signal?.addEventListener("abort", onAbort, { once: true });
      const { cpuMs, memoryBytes, maxConsoleChars, maxResultChars } = job.limits;
      worker.postMessage({ type: "run", id, code: job.code, inputJson: job.inputJson, limits: { cpuMs, memoryBytes, maxConsoleChars, maxResultChars } });
    });
  }

  private acquireSlot(signal?: AbortSignal): Promise<void> {
    if (this.active < this.maxActive) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const wake = () => {
        signal?.removeEventListener("abort", onAbort);
        this.active++;
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

  /** The spare if there is one, else a new thread. */
  private async takeThread(signal?: AbortSignal): Promise<Thread> {
    const booting = this.spare ?? this.spawn();
    this.spare = undefined;
    // Someone waits for this thread now: it keeps the process alive until it answers.
    booting.worker.ref();
    const thread = await this.whileNotAborted(booting, signal).catch(async (error: unknown) => {
      if (signal?.aborted || this.closing) throw error;
      // The spare died while it waited (or failed to load): one fresh try, from scratch.
      this.snapshot = undefined;
      const retry = this.spawn();
      retry.worker.ref();
      return this.whileNotAborted(retry, signal);
    });
    return thread;
  }

  private whileNotAborted(booting: Booting, signal?: AbortSignal): Promise<Thread> {
    if (!signal) return booting.ready;
    return new Promise<Thread>((resolve, reject) => {
      const onAbort = () => {
        this.discard(booting.worker);
        reject(new Error("cancelled"));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      booting.ready.then(
        (thread) => {
          signal.removeEventListener("abort", onAbort);
          resolve(thread);
        },
        (error: unknown) => {
          signal.removeEventListener("abort", onAbort);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  private spawn(): Booting {
    const interruptBuffer = new SharedArrayBuffer(4);
    const workerData: PythonThreadData = { interruptBuffer, ...(this.snapshot ? { snapshot: this.snapshot } : {}) };
    const worker = new Worker(THREAD_ENTRY, {
      // Nothing from the host's environment (API keys, database URLs) exists in the thread.
      env: {},
      execArgv: [],
      workerData,
      // Pyodide's JavaScript side; Python's own objects live in the WebAssembly heap, capped separately.
      resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32, stackSizeMb: 8 },
    });
    this.threads.add(worker);
    // A thread can die while it waits as the spare; the "error" listener keeps that from
    // becoming an uncaught exception, and the "exit" one forgets it.
    worker.on("error", () => undefined);
    worker.once("exit", () => this.threads.delete(worker));
    // A spare must not keep the process alive; runOn refs the thread while it works.
    worker.unref();
    const ready = new Promise<Thread>((resolve, reject) => {
      const fail = (message: string) => {
        cleanup();
        this.discard(worker);
        reject(new Error(message));
      };
      const onMessage = (raw: unknown) => {
        const message = pythonThreadMessageSchema.safeParse(raw);
        if (!message.success) return;
        if (message.data.type === "snapshot") {
          this.keepSnapshot(message.data.bytes);
          return;
        }
        if (message.data.type !== "ready") return;
        cleanup();
        resolve({ worker, interrupt: new Int32Array(interruptBuffer) });
      };
      const onError = (error: Error) => fail(`the Python sandbox failed to start: ${error.message.slice(0, 200)}`);
      const onExit = () => fail(this.closing ? "cancelled" : "the Python sandbox failed to start: the thread exited");
      const timer = setTimeout(() => fail(`the Python sandbox failed to start within ${BOOT_TIMEOUT_MS / 1000} s`), BOOT_TIMEOUT_MS);
      timer.unref();
      function cleanup() {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
      }
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
    });
    // A spare nobody waits for yet must not become an unhandled rejection; takers see the error.
    ready.catch(() => undefined);
    return { worker, ready };
  }

  private keepSnapshot(bytes: Uint8Array): void {
    if (this.snapshot) return;
    // Shared, so each new thread reads it without a 30 MB copy per spawn.
    const shared = new SharedArrayBuffer(bytes.byteLength);
    new Uint8Array(shared).set(bytes);
    this.snapshot = shared;
  }

  private discard(worker: Worker): void {
    this.threads.delete(worker);
    void worker.terminate();
  }
}

const pool = new PythonPool(Math.max(1, Math.min(2, availableParallelism() - 1)));
