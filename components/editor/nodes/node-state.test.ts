import { describe, expect, it } from "vitest";
import { colour, readThemes } from "@/lib/theme-colours";
import { contrastRatio } from "@/lib/contrast";
import { BRANCH_TONES } from "../edges/branch-tones";
import { chipOf, NODE_STATE_STYLES, SELECTED_OUTLINE, SELECTED_OUTLINE_COMPACT, visualStateOf, type NodeVisualState } from "./node-state";

/** The node states' colours, light and dark, as lib/theme-colours.ts reads them from the CSS. */
const THEMES = readThemes();

/** The colour token of one utility in a class list (`border-sky-700` → `sky-700`), ignoring opacity variants like `ring-sky-200/70`. */
function tokenOf(classes: string, utility: "border" | "bg" | "text" | "outline"): string {
  const match = new RegExp(`(?:^|\\s)${utility}-((?:white|black)|(?!offset-)[a-z]+-\\d+)(?=\\s|$)`).exec(classes);
  if (!match) throw new Error(`no ${utility} colour in "${classes}"`);
  return match[1]!;
}

/** The canvas (slate-50) and the card (white): a state's border sits between the two. */
const BACKDROPS = ["slate-50", "white"];
const SHOWN_STATES = (Object.keys(NODE_STATE_STYLES) as NodeVisualState[]).filter((state) => state !== "idle" && state !== "pending");

describe("node state colours pass WCAG AA", () => {
  for (const [name, theme] of Object.entries(THEMES)) {
    it.each(SHOWN_STATES)(`${name}: the %s border stands 3:1 from the canvas and the card`, (state) => {
      const border = colour(theme, tokenOf(NODE_STATE_STYLES[state].frame, "border"));
      for (const backdrop of BACKDROPS) expect(contrastRatio(border, colour(theme, backdrop))).toBeGreaterThanOrEqual(3);
    });

    it.each(SHOWN_STATES)(`${name}: the %s chip's word reads 4.5:1 on its fill`, (state) => {
      const chip = NODE_STATE_STYLES[state].chip;
      if (!chip) throw new Error(`${state} has no chip`);
      expect(contrastRatio(colour(theme, tokenOf(chip.className, "text")), colour(theme, tokenOf(chip.className, "bg")))).toBeGreaterThanOrEqual(4.5);
    });

    it(`${name}: the selection outline stands 3:1 from the canvas`, () => {
      for (const outline of [SELECTED_OUTLINE, SELECTED_OUTLINE_COMPACT]) {
        expect(contrastRatio(colour(theme, tokenOf(outline, "outline")), colour(theme, "slate-50"))).toBeGreaterThanOrEqual(3);
      }
    });

    it.each(Object.entries(BRANCH_TONES))(`${name}: the %s edge label reads 4.5:1 and its border 3:1 on the label's fill`, (_branch, classes) => {
      const fill = colour(theme, tokenOf(classes, "bg"));
      expect(contrastRatio(colour(theme, tokenOf(classes, "text")), fill)).toBeGreaterThanOrEqual(4.5);
      expect(contrastRatio(colour(theme, tokenOf(classes, "border")), colour(theme, "slate-50"))).toBeGreaterThanOrEqual(3);
    });
  }
});

describe("node states do not rely on colour alone", () => {
  it("gives each shown state its own border colour, word and icon", () => {
    const shown = SHOWN_STATES.filter((state) => state !== "timed_out");
    const borders = shown.map((state) => tokenOf(NODE_STATE_STYLES[state].frame, "border"));
    // Timed out shares waiting's amber on purpose (both are about time); its word and icon differ.
    expect(new Set(borders).size).toBe(borders.length - 1); // skipped and stopped share slate: one is dashed
    expect(NODE_STATE_STYLES.skipped.frame).toContain("border-dashed");
    expect(NODE_STATE_STYLES.stopped.frame).not.toContain("border-dashed");
    const words = SHOWN_STATES.map((state) => NODE_STATE_STYLES[state].chip?.label);
    const icons = SHOWN_STATES.map((state) => NODE_STATE_STYLES[state].chip?.icon);
    expect(new Set(words).size).toBe(SHOWN_STATES.length);
    expect(new Set(icons).size).toBe(SHOWN_STATES.length);
  });

  it("keeps running apart from the selection's accent", () => {
    expect(tokenOf(NODE_STATE_STYLES.running.frame, "border")).not.toMatch(/^accent-/);
    expect(tokenOf(SELECTED_OUTLINE, "outline")).toMatch(/^accent-/);
  });

  it("shows a rejected approval as rejected, never with the succeeded (green) border", () => {
    expect(visualStateOf("succeeded", "reject", false)).toBe("rejected");
    expect(tokenOf(NODE_STATE_STYLES.rejected.frame, "border")).not.toMatch(/^(emerald|green)-/);
    expect(visualStateOf("succeeded", "timeout", false)).toBe("timed_out");
    expect(visualStateOf("succeeded", "approve", false)).toBe("succeeded");
    expect(chipOf("succeeded", "approve")?.label).toBe("Approved");
    expect(chipOf("succeeded", "false")?.label).toBe("False");
    expect(chipOf("rejected", "reject")?.label).toBe("Rejected");
    expect(visualStateOf("running", null, true)).toBe("stopped");
    expect(visualStateOf(null, null, false)).toBe("idle");
  });
});
