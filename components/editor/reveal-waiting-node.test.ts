import { describe, expect, it } from "vitest";
import { panToFit } from "./reveal-waiting-node";

describe("panToFit", () => {
  it("leaves a card that is already inside the view where it is", () => {
    expect(panToFit(100, 200, 800)).toBe(0);
  });
  it("pans a card below the view up just far enough, keeping the margin", () => {
    // Card 600..900 in a 800 px view: its bottom must end at 800 - 24.
    expect(panToFit(600, 300, 800)).toBe(776 - 900);
  });
  it("pans a card above or left of the view into it", () => {
    expect(panToFit(-50, 100, 800)).toBe(74);
  });
});
