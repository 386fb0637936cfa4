import { describe, expect, it } from "vitest";
import { runEventSchema } from "@/server/engine/events";
import { EVENT_LABELS } from "./event-labels";

describe("event labels", () => {
  const types = runEventSchema.options.map((option) => option.shape.type.value);

  it("labels exactly the event types the engine has", () => {
    expect(Object.keys(EVENT_LABELS).sort()).toEqual([...types].sort());
  });

  it("are plain words, one distinct label per type", () => {
    const labels = Object.values(EVENT_LABELS);
    expect(new Set(labels).size).toBe(labels.length);
    for (const label of labels) expect(label).toMatch(/^[A-Z][a-z]+( [a-z]+)*$/);
  });
});
