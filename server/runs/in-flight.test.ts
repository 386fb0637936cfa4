import { describe, expect, it } from "vitest";
import type { RunEvent } from "../engine/events";
import { InFlightEffects } from "./in-flight";

const reply = (nodeId: string): RunEvent => ({ type: "node_finished", nodeId, output: null, handle: null });

function deferred() {
  let resolve: (event: RunEvent) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<RunEvent>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe("InFlightEffects", () => {
  it("hands results over in settling order and keeps them until forgotten", async () => {
    const inFlight = new InFlightEffects();
    const slow = deferred();
    const fast = deferred();
    inFlight.start("slow", () => slow.promise);
    inFlight.start("fast", () => fast.promise);
    expect(inFlight.pendingCount).toBe(2);

    fast.resolve(reply("fast"));
    await inFlight.nextSettlement();
    expect(inFlight.settledWanted(() => true).events).toEqual([reply("fast")]);
    expect(inFlight.has("fast")).toBe(true); // not forgotten: a failed commit can retry it
    inFlight.forget(["fast"]);
    expect(inFlight.has("fast")).toBe(false);
    expect(inFlight.pendingCount).toBe(1);

    slow.resolve(reply("slow"));
    await inFlight.nextSettlement();
    expect(inFlight.settledWanted((key) => key === "other").events).toEqual([]);
    inFlight.dropSettledExcept(() => false);
    expect(inFlight.has("slow")).toBe(false);
  });

  it("does not return again for a settlement it already reported", async () => {
    const inFlight = new InFlightEffects();
    const first = deferred();
    const second = deferred();
    inFlight.start("a", () => first.promise);
    inFlight.start("b", () => second.promise);
    first.resolve(reply("a"));
    await inFlight.nextSettlement();
    let woke = false;
    const waiting = inFlight.nextSettlement().then(() => (woke = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(woke).toBe(false);
    second.resolve(reply("b"));
    await waiting;
    expect(woke).toBe(true);
  });

  it("wakes on abort, and rethrows a performer's bug instead of swallowing it", async () => {
    const inFlight = new InFlightEffects();
    const never = deferred();
    inFlight.start("never", () => never.promise);
    const controller = new AbortController();
    const waiting = inFlight.nextSettlement(controller.signal);
    controller.abort();
    await waiting;

    const broken = deferred();
    inFlight.start("broken", () => broken.promise);
    broken.reject(new Error("bug in a performer"));
    await expect(inFlight.nextSettlement()).rejects.toThrow("bug in a performer");
  });
});
