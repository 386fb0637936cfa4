import { describe, expect, it } from "vitest";
import type { CommittedEvent } from "@/server/engine/events";
import { childProgressOf, childProgressShares, childProgressText, latestChildRunId } from "./child-progress";

describe("for-each progress", () => {
  it("counts done, failed and running items from the node's children", () => {
    const progress = childProgressOf({ total: 120, inFlight: { "40": "r40", "41": "r41", "42": "r42", "43": "r43" }, results: Object.fromEntries(Array.from({ length: 37 }, (_, i) => [String(i), i])), errors: { "37": "boom", "38": "boom" } });
    expect(progress).toEqual({ total: 120, done: 37, failed: 2, running: 4 });
    expect(childProgressText(progress)).toBe("37 / 120 done · 2 failed · 4 running");
  });

  it("after the node finished, counts the items that succeeded from what the state kept of them", () => {
    expect(childProgressOf({ total: 5, inFlight: {}, results: {}, errors: { "1": "boom" }, succeeded: 4 })).toEqual({ total: 5, done: 4, failed: 1, running: 0 });
  });

  it("leaves out the parts that are zero, but always says how many are done", () => {
    expect(childProgressText({ total: 3, done: 3, failed: 0, running: 0 })).toBe("3 / 3 done");
    expect(childProgressText({ total: 0, done: 0, failed: 0, running: 0 })).toBe("0 / 0 done");
  });

  it("sizes the bar's parts as shares of the list, an empty list drawing nothing", () => {
    expect(childProgressShares({ total: 4, done: 2, failed: 1, running: 1 })).toEqual({ done: 50, failed: 25, running: 25 });
    expect(childProgressShares({ total: 0, done: 0, failed: 0, running: 0 })).toEqual({ done: 0, failed: 0, running: 0 });
  });
});

describe("latestChildRunId", () => {
  const at = (seq: number, event: Record<string, unknown>) => ({ seq, at: "2026-01-01T00:00:00.000Z", ...event }) as unknown as CommittedEvent;

  it("is the child the node started last (a retried node starts a new one), null before any", () => {
    const events = [
      at(1, { type: "run_started", input: {} }),
      at(2, { type: "child_started", nodeId: "sub", index: 0, childRunId: "first" }),
      at(3, { type: "child_started", nodeId: "other", index: 0, childRunId: "not-mine" }),
      at(4, { type: "child_finished", nodeId: "sub", index: 0, childRunId: "first", status: "failed", error: "x" }),
      at(5, { type: "child_started", nodeId: "sub", index: 0, childRunId: "second" }),
    ];
    expect(latestChildRunId(events, "sub")).toBe("second");
    expect(latestChildRunId(events.slice(0, 4), "sub")).toBe("first");
    expect(latestChildRunId(events.slice(0, 1), "sub")).toBeNull();
  });
});
