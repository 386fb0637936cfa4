import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

/**
 * Worker processes for crash tests: started as `workers/main.ts` (one node process with tsx's
 * loader, so SIGKILL hits the worker itself, not a wrapper) and killed hard by the test.
 */
export function startWorkerProcess(started: ChildProcess[], env: Record<string, string> = {}): ChildProcess {
  const root = path.resolve(import.meta.dirname, "../..");
  const child = spawn(process.execPath, ["--import", "tsx", "workers/main.ts"], {
    cwd: root,
    env: { ...process.env, WORKER_LOCK_MS: "1500", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(child);
  return child;
}

/** Resolves once the process printed `text` (e.g. "[worker] ready"). */
export function waitForOutput(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`worker never printed "${text}": ${seen}`)), 20_000);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
  });
}
