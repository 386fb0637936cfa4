// Child processes that run in their own process group.
//
// Why groups: `next start`/`next dev` and `tsx` spawn children of their own, so killing
// one pid leaves orphans; signalling the group (kill(-pgid)) reaches all of them. Why
// detached: a Ctrl-C (SIGINT to the terminal's foreground group) or a SIGTERM to our
// group would otherwise hit web, worker, redis and postgres all at once; detached, only
// the orchestrator gets it and stops them in order (web, worker, redis, postgres).
import { spawn, type StdioOptions } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { warn } from "./log";

export type ExitInfo = { code: number | null; signal: NodeJS.Signals | null };

/** "signal SIGKILL" or "exit code 1", for log lines about a process that ended. */
export function describeExit(info: ExitInfo): string {
  return info.signal ? `signal ${info.signal}` : `exit code ${info.code ?? "?"}`;
}

export type GroupOptions = {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  stdio?: StdioOptions;
  /** Run as another user: postgres refuses to run as root. */
  uid?: number;
  gid?: number;
  /** First signal of a graceful stop; postgres wants SIGINT ("fast shutdown"). */
  stopSignal?: NodeJS.Signals;
  /** How long the group gets to exit after stopSignal before SIGKILL. */
  stopTimeoutMs?: number;
};

export type ProcessGroup = {
  readonly name: string;
  readonly pid: number;
  /** Resolves when the group leader exits (for whatever reason). */
  readonly exited: Promise<ExitInfo>;
  running(): boolean;
  /** Graceful stop of the whole group, SIGKILL after the timeout. Idempotent. */
  stop(): Promise<void>;
};

function errno(error: unknown): string | undefined {
  return error instanceof Error && "code" in error && typeof error.code === "string" ? error.code : undefined;
}

function signalZero(target: number): boolean {
  try {
    process.kill(target, 0);
    return true;
  } catch (error) {
    return errno(error) === "EPERM"; // exists, just not ours
  }
}

/** State letter and process group from /proc/<pid>/stat, or undefined if gone/unreadable. */
function procStat(pid: string | number): { state: string; pgid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parens, so split after the last ")".
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return state === undefined ? undefined : { state, pgid: Number(pgrp) };
  } catch {
    return undefined;
  }
}

// Zombies count as dead below: on some machines (containers, microVMs) pid 1 reaps orphans
// late or never, and a zombie holds no port, file or lock.

/** True if the process exists and is not a zombie. */
export function pidAlive(pid: number): boolean {
  if (!signalZero(pid)) return false;
  return procStat(pid)?.state !== "Z";
}

/** True while any live (non-zombie) process is left in process group `pgid`. */
export function groupAlive(pgid: number): boolean {
  if (!signalZero(-pgid)) return false;
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return true; // no /proc (not Linux): trust kill(0)
  }
  return entries.some((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    const stat = procStat(entry);
    return stat !== undefined && stat.pgid === pgid && stat.state !== "Z";
  });
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone, which is what the caller wanted.
  }
}

/** The command line of a live process (Linux /proc), or "" if it can't be read. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true (→ true) or the timeout passes (→ false). */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

// Groups not yet stopped, so a crash of the orchestrator still takes them down.
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort only (uncaught exception, process.exit before an ordered stop): the
  // 'exit' event can't wait, so this is SIGKILL rather than a graceful stop.
  process.on("exit", () => {
    for (const pgid of liveGroups) signalGroup(pgid, "SIGKILL");
  });
}

export type StopOutcome = "graceful" | "killed" | "stuck";

/** Signals a process group, waits, then SIGKILLs it; also used for groups we didn't spawn. */
export async function stopGroup(pgid: number, signal: NodeJS.Signals, timeoutMs: number): Promise<StopOutcome> {
  signalGroup(pgid, signal);
  if (await waitUntil(() => !groupAlive(pgid), timeoutMs)) return "graceful";
  signalGroup(pgid, "SIGKILL");
  return (await waitUntil(() => !groupAlive(pgid), 3000)) ? "killed" : "stuck";
}

export function startGroup(name: string, command: string, args: readonly string[], options: GroupOptions = {}): ProcessGroup {
  installExitHook();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: options.stdio ?? "inherit",
    uid: options.uid,
    gid: options.gid,
    detached: true,
  });
  const pid = child.pid ?? -1;
  let alive = pid > 0;
  if (alive) liveGroups.add(pid);

  const exited = new Promise<ExitInfo>((resolve) => {
    child.once("exit", (code, signal) => {
      alive = false;
      resolve({ code, signal });
    });
    child.once("error", (error) => {
      // Spawn failures (ENOENT, EACCES) arrive here and no 'exit' follows.
      warn(`${name}: could not run ${command}: ${error.message}`);
      alive = false;
      resolve({ code: 127, signal: null });
    });
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (pid > 0) {
        const timeoutMs = options.stopTimeoutMs ?? 10_000;
        // Signal the group even if the leader is gone: its children may not be.
        const outcome = await stopGroup(pid, options.stopSignal ?? "SIGTERM", timeoutMs);
        if (outcome === "killed") warn(`${name} did not stop within ${timeoutMs} ms; killed it`);
        if (outcome === "stuck") warn(`${name}: processes still left in group ${pid} after SIGKILL`);
      }
      await exited;
      liveGroups.delete(pid);
    })();
    return stopping;
  };

  return { name, pid, exited, running: () => alive, stop };
}

/** The parent pid of `pid`, or undefined if it is gone. */
export function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/**
 * Calls `onGone` once if the processes that launched us go away without signalling us.
 * `npm start` runs us as npm → sh → tsx → node; a SIGTERM to npm alone kills sh, which does
 * not pass it on, and would leave us (and so web, worker, redis, postgres) running orphaned.
 * We notice because our parent (tsx) or its parent changes. Linux only; elsewhere a no-op.
 */
export function watchLauncher(onGone: () => void, intervalMs = 1000): void {
  const parent = process.ppid;
  const grandparent = parentOf(parent);
  if (grandparent === undefined) return;
  const timer = setInterval(() => {
    if (process.ppid !== parent || parentOf(parent) !== grandparent) {
      clearInterval(timer);
      onGone();
    }
  }, intervalMs);
  timer.unref(); // never the reason the process stays alive
}
