import { describe, expect, it } from "vitest";
import { checkField, numberRules } from "./field-rules";

describe("inspector field rules (from the engine's node data schemas)", () => {
  it("reads bounds and integrality from the schema", () => {
    expect(numberRules("agent", "maxSteps")).toMatchObject({ min: 1, max: 100, integer: true });
    expect(numberRules("agent", "temperature")).toMatchObject({ min: 0, max: 2, integer: false });
    expect(numberRules("loop", "maxIterations")).toMatchObject({ min: 1, max: 100, integer: true });
  });

  it("explains what a save would refuse", () => {
    const maxSteps = checkField("agent", "maxSteps");
    expect(maxSteps(8)).toBeNull();
    expect(maxSteps(1000)).toBe("At most 100");
    expect(maxSteps(0)).toBe("At least 1");
    expect(maxSteps(2.5)).toBe("Enter a whole number");
    expect(maxSteps(Number.NaN)).toBe("Enter a number");
    expect(checkField("agent", "label")("x".repeat(121))).toBe("At most 120 characters");
  });
});
