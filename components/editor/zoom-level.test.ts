import { describe, expect, it } from "vitest";
import { COMPACT_BELOW_ZOOM, OPEN_MARGIN, OPEN_MIN_ZOOM, openingViewport } from "./zoom-level";

describe("openingViewport", () => {
  it("opens above the compact-card zoom", () => {
    expect(OPEN_MIN_ZOOM).toBeGreaterThan(COMPACT_BELOW_ZOOM);
  });

  it("fits and centres a graph that fits at a readable zoom, never magnifying past 1", () => {
    const small = openingViewport({ x: 0, y: 0, width: 400, height: 100 }, null, 1000, 600);
    expect(small).toEqual({ x: 300, y: 250, zoom: 1 });
    const wide = openingViewport({ x: 0, y: 0, width: 1400, height: 100 }, null, 1000, 600);
    expect(wide.zoom).toBeCloseTo((1000 - 2 * OPEN_MARGIN) / 1400);
    expect(wide.zoom).toBeGreaterThanOrEqual(OPEN_MIN_ZOOM);
  });

  it("shows the start of a graph too big to fit, at the minimum readable zoom", () => {
    const trigger = { x: 0, y: 1000, width: 220, height: 100 };
    const viewport = openingViewport({ x: 0, y: 0, width: 6000, height: 3000 }, trigger, 1000, 600);
    expect(viewport.zoom).toBe(OPEN_MIN_ZOOM);
    // The trigger's left edge sits at the margin and its row is on screen.
    expect(viewport.x + trigger.x * viewport.zoom).toBe(OPEN_MARGIN);
    const top = viewport.y + trigger.y * viewport.zoom;
    expect(top).toBeGreaterThanOrEqual(0);
    expect(top + trigger.height * viewport.zoom).toBeLessThanOrEqual(600);
  });

  it("keeps a long but low graph vertically centred while showing its start", () => {
    const trigger = { x: 0, y: 0, width: 220, height: 100 };
    const viewport = openingViewport({ x: 0, y: 0, width: 6000, height: 200 }, trigger, 1000, 600);
    expect(viewport.x).toBe(OPEN_MARGIN);
    expect(viewport.y).toBeCloseTo(300 - 100 * OPEN_MIN_ZOOM);
  });
});
