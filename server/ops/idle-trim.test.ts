import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { memoryReducingCollector, startIdleTrim } from "./idle-trim";

/** V8's own full collection, as the heap's heuristics run it (no compaction asked for). */
function plainFullCollection(): void {
  v8.setFlagsFromString("--expose-gc");
  try {
    (runInNewContext("gc") as () => void)();
  } finally {
    v8.setFlagsFromString("--no-expose-gc");
  }
}

/** A trim with a clock the test moves and a collection it counts. */
function harness() {
  let clock = 1_000_000;
  let collections = 0;
  const trim = startIdleTrim({ quietMs: 10_000, minJobs: 3, checkEveryMs: 3_600_000, now: () => clock, collect: () => void (collections += 1) });
  const runJobs = (count: number) => {
    for (let i = 0; i < count; i += 1) {
      trim.jobStarted();
      trim.jobEnded();
    }
  };
  return { trim, runJobs, advance: (ms: number) => void (clock += ms), collections: () => collections };
}

describe("idle trim", () => {
  it("collects once after a burst, when the worker has been quiet long enough", () => {
    const { trim, runJobs, advance, collections } = harness();
    runJobs(5);
    advance(9_999);
    expect(trim.check()).toBeNull();
    advance(1);
    expect(trim.check()).toMatchObject({ jobs: 5 });
    expect(collections()).toBe(1);
    // Nothing new happened since: no second collection.
    advance(60_000);
    expect(trim.check()).toBeNull();
    expect(collections()).toBe(1);
    trim.stop();
  });

  it("does not collect after too few jobs, or before the worker has been quiet that long", () => {
    const { trim, runJobs, advance, collections } = harness();
    runJobs(2);
    advance(60_000);
    expect(trim.check()).toBeNull(); // 2 jobs < minJobs 3
    trim.jobStarted();
    trim.jobEnded();
    advance(9_000);
    trim.jobStarted(); // a job starts: the quiet time starts again
    advance(5_000);
    expect(trim.check()).toBeNull(); // quiet only 5 s since that start
    advance(5_000);
    expect(trim.check()).toMatchObject({ jobs: 3 });
    expect(collections()).toBe(1);
    trim.stop();
  });

  it("does nothing when this node cannot collect", () => {
    const trim = startIdleTrim({ quietMs: 0, minJobs: 0, collect: null });
    trim.jobStarted();
    trim.jobEnded();
    expect(trim.check()).toBeNull();
    trim.stop();
  });

  it("compacts the old space, and leaves gc on no global object", () => {
    const collect = memoryReducingCollector();
    expect(collect).toBeTypeOf("function");
    // A burst: objects that live long enough to reach the old space, of which every tenth stays.
    const kept: object[] = [];
    let burst: object[] | null = [];
    for (let i = 0; i < 300_000; i += 1) (i % 10 === 0 ? kept : burst).push({ i, text: `item ${i}`, list: [i, i + 1] });
    plainFullCollection(); // now all of them are in the old space, the kept ones on every page
    burst = null;
    collect?.();
    // What the old space keeps committed beyond what is alive in it: ~20 MiB of sparse pages
    // here after the collection this trim ran until it was found out (Node 20 read
    // gc({type: "major"}) as a scavenge, which leaves the old space alone).
    const oldSpace = v8.getHeapSpaceStatistics().find((space) => space.space_name === "old_space");
    const unusedMib = ((oldSpace?.space_size ?? 0) - (oldSpace?.space_used_size ?? 0)) / 1_048_576;
    expect(kept.length).toBe(30_000);
    expect(unusedMib).toBeLessThan(8);
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    expect(runInNewContext("typeof gc")).toBe("undefined");
  });
});
