import { describe, expect, it } from "vitest";
import { colour, readThemes } from "./theme-colours";
import { contrastRatio } from "./contrast";

/**
 * Text pairs of the theme, light and dark (lib/theme-colours.ts reads the tokens from the CSS
 * itself), checked against WCAG AA.
 */
const THEMES = readThemes();

/** [text, background]: the pairs most of the UI's reading happens on. */
const BODY_TEXT: [string, string][] = [
  ["slate-900", "white"], // headings, main text on cards
  ["slate-900", "slate-50"], // main text on the page
  ["slate-700", "white"],
  ["slate-600", "white"],
  ["slate-500", "white"], // secondary text, table headers
  ["slate-500", "slate-50"],
  ["slate-900", "slate-100"], // the active nav link
  ["accent-700", "white"], // links, node ids
  ["accent-700", "accent-50"],
  ["red-700", "white"], // errors
  ["red-700", "red-50"], // error banners
  ["emerald-700", "white"],
  ["emerald-700", "emerald-50"],
  ["amber-800", "amber-50"], // waiting / warning notes
  ["amber-700", "white"],
  ["amber-900", "amber-50"], // the time-travel banner
  ["white", "accent-600"], // primary buttons
  ["white", "red-600"], // Retry from the failed node; the runs list's "failed" status filter
  // The runs list's pressed status filters (components/runs/runs-filter-bar.tsx).
  ["white", "slate-700"],
  ["white", "slate-600"],
  ["white", "slate-500"],
  ["white", "amber-700"],
  ["white", "emerald-700"],
  ["white", "orange-700"],
];

describe("theme text contrast (WCAG AA, 4.5:1)", () => {
  for (const [name, theme] of Object.entries(THEMES)) {
    it.each(BODY_TEXT)(`${name}: %s on %s`, (text, background) => {
      expect(contrastRatio(colour(theme, text), colour(theme, background))).toBeGreaterThanOrEqual(4.5);
    });
  }

  it("dark really differs: the card surface is dark and the main text light", () => {
    expect(contrastRatio(colour(THEMES.dark, "white"), "#000")).toBeLessThan(2);
    expect(contrastRatio(colour(THEMES.dark, "slate-900"), "#fff")).toBeLessThan(1.2);
  });

  it("computes known ratios", () => {
    expect(contrastRatio("#000", "#fff")).toBeCloseTo(21, 5);
    expect(contrastRatio("#777", "#fff")).toBeCloseTo(4.48, 2);
    expect(contrastRatio("oklch(100% 0 0)", "#fff")).toBeCloseTo(1, 3);
  });
});
