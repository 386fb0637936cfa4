import { describe, expect, it } from "vitest";
import { decideRestart, DEFAULT_RESTART_POLICY, MAX_WORKER_PROCESSES, parseWorkerProcesses } from "./supervise";

describe("decideRestart", () => {
  it("doubles the delay from 1 s with each crash in a row, up to 30 s", () => {
    let crashes = 0;
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      const decision = decideRestart(DEFAULT_RESTART_POLICY, crashes, 500);
      crashes = decision.crashesInARow;
      delays.push(decision.delayMs);
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(crashes).toBe(8);
  });

  it("starts over at 1 s when the process had run for a stable minute", () => {
    expect(decideRestart(DEFAULT_RESTART_POLICY, 5, 60_000)).toEqual({ crashesInARow: 1, delayMs: 1_000 });
    expect(decideRestart(DEFAULT_RESTART_POLICY, 5, 59_999)).toEqual({ crashesInARow: 6, delayMs: 30_000 });
  });

  it("stays capped however long the crash loop lasts", () => {
    expect(decideRestart(DEFAULT_RESTART_POLICY, 5_000, 0).delayMs).toBe(30_000);
  });

  it("follows a custom policy", () => {
    const policy = { initialDelayMs: 100, maxDelayMs: 250, stableAfterMs: 1_000 };
    expect(decideRestart(policy, 0, 10).delayMs).toBe(100);
    expect(decideRestart(policy, 1, 10).delayMs).toBe(200);
    expect(decideRestart(policy, 2, 10).delayMs).toBe(250);
  });
});

describe("parseWorkerProcesses", () => {
  it("defaults to one worker", () => {
    expect(parseWorkerProcesses(undefined)).toEqual({ ok: true, count: 1 });
    expect(parseWorkerProcesses("")).toEqual({ ok: true, count: 1 });
    expect(parseWorkerProcesses(" 3 ")).toEqual({ ok: true, count: 3 });
    expect(parseWorkerProcesses(String(MAX_WORKER_PROCESSES))).toEqual({ ok: true, count: MAX_WORKER_PROCESSES });
  });

  it.each(["0", "-1", "1.5", "two", "1e2", String(MAX_WORKER_PROCESSES + 1), "0x2"])("refuses %s, naming the variable", (raw) => {
    const result = parseWorkerProcesses(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain("WORKER_PROCESSES");
  });
});
