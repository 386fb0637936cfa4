import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { memoryReducingCollector, startIdleTrim } from "./idle-trim";

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

  it("runs V8's collection without leaving gc on any global object", () => {
    const collect = memoryReducingCollector();
    expect(collect).toBeTypeOf("function");
    let garbage: object[] | null = Array.from({ length: 100_000 }, (_, i) => ({ i }));
    expect(garbage.length).toBe(100_000);
    garbage = null;
    collect?.();
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    expect(runInNewContext("typeof gc")).toBe("undefined");
  });
});
