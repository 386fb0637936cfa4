import type { Dirent } from "node:fs";
import { lstat, readdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Db } from "../db";
import { isTerminalStatus, type RunStatus } from "../engine/events";
import { RUN_ID_PATTERN } from "../ids";

export type WorkspaceSweepOptions = {
  /** `WORKSPACES_DIR`: holds one `<runId>` folder per run. A missing root is an empty one. */
  root: string;
  /** A workspace goes this long after its run ended (succeeded, failed, rejected, cancelled). */
  retentionMs: number;
  now?: () => number;
  /** Run ids looked up per database query. */
  batchSize?: number;
  /** Stops between folders (the worker is shutting down); what was deleted so far is reported. */
  signal?: AbortSignal;
};

export type WorkspaceSweepReport = {
  /** Entries of the root that looked like run workspaces. */
  checked: number;
  /** `ended`: its run ended more than `retentionMs` ago; `orphaned`: its run no longer exists. */
  deleted: { runId: string; reason: "ended" | "orphaned" }[];
  failed: { runId: string; error: string }[];
};

const DEFAULT_BATCH_SIZE = 500;

/**
 * Deletes the workspaces (`<root>/<runId>`) that no run needs any more: those of runs that
 * ended more than `retentionMs` ago, and those whose run is gone from the database (its
 * workflow was deleted). A run that is queued, running, waiting or paused keeps its workspace
 * however old it is, and so does an ended run without a recorded end time.
 *
 * Only real directories named like a run id are considered: other entries are left alone,
 * and a symbolic link is never followed (neither at the top, nor inside a workspace: `rm`
 * unlinks links, it does not descend into them). One query per batch of names. Safe to run in
 * several workers at once. A folder that cannot be deleted is reported and the sweep goes on.
 */
export async function sweepWorkspaces(db: Pick<Db, "run">, options: WorkspaceSweepOptions): Promise<WorkspaceSweepReport> {
  const root = resolve(options.root);
  const now = options.now ?? Date.now;
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  const report: WorkspaceSweepReport = { checked: 0, deleted: [], failed: [] };

  let entries: Dirent[];
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    if (hasCode(error, "ENOENT") || hasCode(error, "ENOTDIR")) return report;
    throw error;
  }
  // Dirent types come from the directory itself: a symlink is a symlink, never its target.
  const names = entries.filter((entry) => entry.isDirectory() && RUN_ID_PATTERN.test(entry.name)).map((entry) => entry.name);
  report.checked = names.length;

  for (let start = 0; start < names.length; start += batchSize) {
    if (options.signal?.aborted) break;
    const batch = names.slice(start, start + batchSize);
    const runs = await db.run.findMany({ where: { id: { in: batch } }, select: { id: true, status: true, finishedAt: true } });
    const byId = new Map(runs.map((run) => [run.id, run]));
    const cutoff = now() - options.retentionMs;

    for (const runId of batch) {
      if (options.signal?.aborted) break;
      const run = byId.get(runId);
      let reason: "ended" | "orphaned";
      if (!run) reason = "orphaned";
      else if (isTerminalStatus(run.status as RunStatus) && run.finishedAt && run.finishedAt.getTime() < cutoff) reason = "ended";
      else continue;
      try {
        if (await deleteWorkspace(join(root, runId))) report.deleted.push({ runId, reason });
      } catch (error) {
        report.failed.push({ runId, error: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  return report;
}

/** Removes one workspace folder; false when it is gone or is no longer a real directory. */
async function deleteWorkspace(dir: string): Promise<boolean> {
  let stats;
  try {
    stats = await lstat(dir);
  } catch (error) {
    if (hasCode(error, "ENOENT")) return false;
    throw error;
  }
  if (!stats.isDirectory()) return false;
  await rm(dir, { recursive: true, force: true, maxRetries: 2 });
  return true;
}

function hasCode(error: unknown, code: string): boolean {
  return Boolean(error && typeof error === "object" && "code" in error && error.code === code);
}

/**
 * For the worker's timer: `tick()` starts a sweep when the last one began at least `everyMs`
 * ago (so the first tick sweeps at once) and none is still going; it never fails — a failed
 * sweep is logged and tried again at a later tick. `stop()` cuts the current sweep short and
 * waits for it. A `retentionMs` of 0 turns sweeping off.
 */
export function createWorkspaceSweeper(
  db: Pick<Db, "run">,
  options: Omit<WorkspaceSweepOptions, "signal" | "now"> & { everyMs: number; log?: Pick<Console, "log" | "error"> },
) {
  const log = options.log ?? console;
  const abort = new AbortController();
  let current: Promise<void> | undefined;
  let lastStartedAt = -Infinity;

  const sweep = async () => {
    try {
      const report = await sweepWorkspaces(db, { ...options, signal: abort.signal });
      if (report.deleted.length + report.failed.length > 0) {
        const failures = report.failed.map((failure) => `; ${failure.runId}: ${failure.error}`).join("");
        log.log(`[workspaces] deleted ${report.deleted.length} old run workspace(s), failed ${report.failed.length}${failures}`);
      }
    } catch (error) {
      log.error(`[workspaces] sweep failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      current = undefined;
    }
  };

  return {
    /** Resolves when the sweep it started (if any) is over; never rejects. */
    tick(): Promise<void> {
      if (options.retentionMs <= 0 || current || abort.signal.aborted || Date.now() - lastStartedAt < options.everyMs) return Promise.resolve();
      lastStartedAt = Date.now();
      current = sweep();
      return current;
    },
    async stop(): Promise<void> {
      abort.abort();
      await current;
    },
  };
}
