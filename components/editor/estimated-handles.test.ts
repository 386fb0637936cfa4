import { describe, expect, it } from "vitest";
import { createNode } from "@/server/engine/graph";
import { estimatedCardSize, estimatedHandles, withEstimatedHandles } from "./estimated-handles";
import type { AppNode } from "./types";

const agent = createNode("agent", "a", { x: 0, y: 0 }) as AppNode;
const human = createNode("human", "h", { x: 300, y: 0 }) as AppNode;
const trigger = createNode("trigger", "t", { x: 0, y: 0 }) as AppNode;

describe("estimated handles of cards React Flow has not measured", () => {
  it("declares every output an edge can leave from, and an input except on the trigger", () => {
    const ids = (node: AppNode, type: "source" | "target") => estimatedHandles(node).filter((h) => h.type === type).map((h) => h.id ?? null);
    expect(ids(trigger, "target")).toEqual([]);
    expect(ids(trigger, "source")).toEqual([null]);
    expect(ids(agent, "target")).toEqual([null]);
    expect(ids(agent, "source")).toEqual([null, "compensate"]);
    // "timeout" is declared even while the card hides its row, so an edge still leaving from it is drawn.
    expect(ids(human, "source")).toEqual(["approve", "reject", "timeout"]);
  });

  it("puts named outputs in rows below the title, one under the other, and grows the card with them", () => {
    const [approve, reject] = estimatedHandles(human).filter((h) => h.type === "source");
    expect((reject?.y ?? 0) - (approve?.y ?? 0)).toBe(24);
    expect(estimatedCardSize(human).height).toBeGreaterThan(estimatedCardSize(agent).height);
  });

  it("passes measured nodes as they are and gives an unmeasured node the same copy until it changes", () => {
    const measured = { ...agent, id: "m", measured: { width: 220, height: 90 } } as AppNode;
    const first = withEstimatedHandles([agent, measured], () => false);
    const second = withEstimatedHandles([agent, measured], () => false);
    expect(first[1]).toBe(measured);
    expect(first[0]).not.toBe(agent);
    expect(first[0]?.handles?.length).toBeGreaterThan(0);
    expect(second[0]).toBe(first[0]);
    // React Flow measured it already (the store's copy lost its size, after an undo): React Flow measures it again.
    expect(withEstimatedHandles([agent], (id) => id === "a")[0]).toBe(agent);
  });
});
