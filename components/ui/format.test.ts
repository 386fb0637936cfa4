import { describe, expect, it } from "vitest";
import { costTitle, formatCost } from "./format";

describe("formatCost", () => {
  it("shows known costs in dollars", () => {
    expect(formatCost(0)).toBe("$0");
    expect(formatCost(0.00042)).toBe("$0.0004");
    expect(formatCost(1.5)).toBe("$1.50");
  });

  it("never shows an unknown price as $0", () => {
    expect(formatCost(0, 2)).toBe("unknown");
    expect(formatCost(0.25, 1)).toBe("≥ $0.25 + unknown");
    expect(costTitle(2)).toMatch(/2 model calls have no known price.*Settings → Model prices/);
    expect(costTitle(0)).toBeUndefined();
  });
});
