// Hands a worker's memory back to the operating system once it goes quiet after a burst.
//
// A burst of jobs (10,000 runs reaching a human gate, a queue drained after an outage) leaves
// V8 holding the heap pages it grew into: after the burst its heap in use is back within a
// few MiB of idle, but its old space keeps 20–50 MiB more committed (pages with a few live
// objects each, measured in the scale bench), and V8's own memory reducer gives those pages back
// only when it judges the process idle, which took from under a minute to several minutes there.
// A worker that has done at least `minJobs` jobs and then none for `quietMs` runs one compacting
// full collection itself: live objects are moved off sparse pages, which are then released. It
// blocks this process for up to a few hundred ms, only when no job has started or ended for a while.
import v8 from "node:v8";
import { runInNewContext } from "node:vm";

export type IdleTrimOptions = {
  /** No job started or ended for this long. */
  quietMs?: number;
  /** Jobs ended since the last trim (or the start): a worker that ran a few jobs has nothing to give back. */
  minJobs?: number;
  checkEveryMs?: number;
  /** The collection (tests pass their own); null when this node cannot run one. */
  collect?: (() => void) | null;
  now?: () => number;
  onTrim?: (report: TrimReport) => void;
};

export type TrimReport = { jobs: number; rssBeforeMib: number; rssAfterMib: number; ms: number };

/**
 * Told of jobs starting and ending. Jobs in hand are not counted: BullMQ tells a job's start,
 * but not the end of one that moved itself to delayed (a run's lease held elsewhere), so a
 * count could stay above zero forever. A job still in hand after a quiet spell (a slow model
 * call) is only paused for the collection.
 */
export type IdleTrim = {
  jobStarted(): void;
  jobEnded(): void;
  /** Trims now if the worker is quiet enough (the timer calls it; tests call it). */
  check(): TrimReport | null;
  stop(): void;
};

const DEFAULT_QUIET_MS = 10_000;
const DEFAULT_MIN_JOBS = 100;
const DEFAULT_CHECK_EVERY_MS = 2_000;

/**
 * A compacting full collection, through V8's `gc` function without exposing it: `--expose-gc`
 * is on only while one new context is made, so neither this process's global object nor any
 * context made later (a tool's sandbox) gets a `gc` it could call.
 *
 * `gc()` takes no options here on purpose: Node 20's V8 reads any argument as "young generation
 * only" (a scavenge, which releases nothing of the old space), newer ones as the options they
 * name. A plain full collection compacts only the pages V8's heuristics pick, so compaction is
 * switched on for this one collection. Measured in a script under the worker's node flags: an
 * old space with 29 MiB of sparse pages kept them all after a plain full collection, and under
 * 1 MiB after this one.
 */
export function memoryReducingCollector(): (() => void) | null {
  let gc: () => void;
  try {
    v8.setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  } catch {
    return null;
  } finally {
    v8.setFlagsFromString("--no-expose-gc");
  }
  return () => {
    v8.setFlagsFromString("--compact-on-every-full-gc");
    try {
      gc();
    } finally {
      v8.setFlagsFromString("--no-compact-on-every-full-gc");
    }
  };
}

const rssMib = () => process.memoryUsage.rss() / 1_048_576;

export function startIdleTrim(options: IdleTrimOptions = {}): IdleTrim {
  const quietMs = options.quietMs ?? DEFAULT_QUIET_MS;
  const minJobs = options.minJobs ?? DEFAULT_MIN_JOBS;
  const now = options.now ?? Date.now;
  const collect = options.collect === undefined ? memoryReducingCollector() : options.collect;
  let endedSinceTrim = 0;
  let lastActivityAt = now();

  const check = (): TrimReport | null => {
    if (!collect || endedSinceTrim < minJobs || now() - lastActivityAt < quietMs) return null;
    const rssBeforeMib = rssMib();
    const started = performance.now();
    collect();
    const report = { jobs: endedSinceTrim, rssBeforeMib, rssAfterMib: rssMib(), ms: performance.now() - started };
    endedSinceTrim = 0;
    options.onTrim?.(report);
    return report;
  };
  const timer = setInterval(check, options.checkEveryMs ?? DEFAULT_CHECK_EVERY_MS);
  timer.unref(); // the worker's queues keep the process alive, not this

  return {
    jobStarted: () => void (lastActivityAt = now()),
    jobEnded: () => {
      endedSinceTrim += 1;
      lastActivityAt = now();
    },
    check,
    stop: () => clearInterval(timer),
  };
}
