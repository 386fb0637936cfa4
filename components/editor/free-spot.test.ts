import { describe, expect, it } from "vitest";
import { FREE_SPOT_GAP, freeSpotNear } from "./free-spot";

const size = { width: 220, height: 112 };
const overlaps = (a: { x: number; y: number }, b: { x: number; y: number; width: number; height: number }) =>
  a.x < b.x + b.width + FREE_SPOT_GAP && b.x < a.x + size.width + FREE_SPOT_GAP && a.y < b.y + b.height + FREE_SPOT_GAP && b.y < a.y + size.height + FREE_SPOT_GAP;

describe("freeSpotNear", () => {
  it("keeps the wanted spot when nothing covers it", () => {
    expect(freeSpotNear({ x: 96, y: 48 }, size, [{ x: 400, y: 48, width: 220, height: 112 }], 16)).toEqual({ x: 96, y: 48 });
    expect(freeSpotNear({ x: 0, y: 0 }, size, [], 16)).toEqual({ x: 0, y: 0 });
  });

  it("moves off a card at the wanted spot to the nearest free grid spot, below before above", () => {
    const card = { x: 0, y: 0, width: 220, height: 112 };
    const spot = freeSpotNear({ x: 0, y: 0 }, size, [card], 16);
    expect(overlaps(spot, card)).toBe(false);
    // Straight down is as near as straight up; the graph grows downward and rightward.
    expect(spot).toEqual({ x: 0, y: 128 });
  });

  it("finds a gap in a row of cards and never lands on any of them", () => {
    const row = [0, 1, 2, 3, 4].map((i) => ({ x: i * 250, y: 0, width: 220, height: 112 }));
    const column = [0, 1, 2].map((i) => ({ x: 500, y: 144 + i * 144, width: 220, height: 112 }));
    const occupied = [...row, ...column];
    const spot = freeSpotNear({ x: 500, y: 10 }, size, occupied, 16);
    for (const box of occupied) expect(overlaps(spot, box)).toBe(false);
    expect(spot.x % 16).toBe(500 % 16);
    expect(Math.abs(spot.x - 500) + Math.abs(spot.y - 10)).toBeLessThan(400);
  });

  it("gives the wanted spot back when nothing within reach is free", () => {
    const everything = { x: -10_000, y: -10_000, width: 20_000, height: 20_000 };
    expect(freeSpotNear({ x: 5, y: 5 }, size, [everything], 16)).toEqual({ x: 5, y: 5 });
  });
});
