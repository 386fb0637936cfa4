import { describe, expect, it } from "vitest";
import { LiveTextStore, mergeLiveText, parseTokenDelta } from "./live-text";
import type { CommittedEvent } from "@/server/engine/events";

const delta = (offset: number, text: string, callKey = "2") => ({ nodeId: "writer", callKey, offset, text });

describe("mergeLiveText", () => {
  it("appends pieces at their offsets and ignores one the text so far already holds", () => {
    let live = mergeLiveText(undefined, delta(0, "The otters "));
    live = mergeLiveText(live, delta(11, "swim "));
    expect(live.text).toBe("The otters swim ");
    // The text so far sent on connect, then a piece it already included, then the next one.
    const joined = mergeLiveText(undefined, delta(0, "The otters swim "));
    expect(mergeLiveText(joined, delta(11, "swim "))).toBe(joined);
    expect(mergeLiveText(joined, delta(16, "home.")).text).toBe("The otters swim home.");
    // A piece that overlaps the end extends it without repeating.
    expect(mergeLiveText(joined, delta(11, "swim home.")).text).toBe("The otters swim home.");
  });

  it("starts over at offset 0 (another provider took over) and for another call of the node", () => {
    const live = mergeLiveText(undefined, delta(0, "First provider's words"));
    expect(mergeLiveText(live, delta(0, "")).text).toBe("");
    expect(mergeLiveText(live, delta(0, "Next call", "4"))).toEqual({ callKey: "4", text: "Next call" });
  });

  it("checks a frame's shape", () => {
    expect(parseTokenDelta('{"nodeId":"a","callKey":"2","offset":0,"text":"hi"}')).toEqual({ nodeId: "a", callKey: "2", offset: 0, text: "hi" });
    expect(parseTokenDelta('{"nodeId":"a","callKey":"2","offset":-1,"text":"hi"}')).toBeNull();
    expect(parseTokenDelta('{"nodeId":"a","offset":0,"text":"hi"}')).toBeNull();
    expect(parseTokenDelta("not json")).toBeNull();
  });
});

describe("LiveTextStore", () => {
  it("drops a node's text when its answer is committed, and late pieces of that call after it", () => {
    const store = new LiveTextStore();
    let told = 0;
    store.subscribe("writer", () => (told += 1));
    store.applyDelta(delta(0, "Half an ans"));
    expect(store.get("writer")?.text).toBe("Half an ans");
    const committed = { type: "llm_response", nodeId: "writer", sentMessages: 2, seq: 9 } as unknown as CommittedEvent;
    store.applyEvent(committed);
    expect(store.get("writer")).toBeUndefined();
    expect(told).toBe(1); // the end is told at once, the pending growth with it
    store.applyDelta(delta(11, "wer."));
    expect(store.get("writer")).toBeUndefined();
    // The node's next call streams again.
    store.applyDelta(delta(0, "Second", "4"));
    expect(store.get("writer")?.text).toBe("Second");
  });
});
