/**
 * The colour of a branch's name, on its edge label and beside its handle: the "yes" ways
 * green, the "no" ways red, time amber, undo (a saga's compensate) violet, the rest (loop
 * body/done, router branches) neutral.
 * Literal classes, so Tailwind generates them; node-state.test.ts checks their contrast.
 */
export const BRANCH_TONES = {
  approve: "bg-white text-emerald-700 border-emerald-600",
  true: "bg-white text-emerald-700 border-emerald-600",
  reject: "bg-white text-red-700 border-red-600",
  false: "bg-white text-red-700 border-red-600",
  timeout: "bg-white text-amber-700 border-amber-700",
  compensate: "bg-white text-violet-700 border-violet-600",
  neutral: "bg-white text-slate-700 border-slate-500",
} as const;

export function branchTone(handle: string): string {
  return handle in BRANCH_TONES ? BRANCH_TONES[handle as keyof typeof BRANCH_TONES] : BRANCH_TONES.neutral;
}

/** The text colour alone, for the names printed beside a card's handles. */
export function branchTextTone(handle: string): string {
  return branchTone(handle).split(" ").find((name) => name.startsWith("text-")) ?? "text-slate-700";
}

/** Roughly the width of an 11 px label's character, a little wide so the estimate covers the text. */
const LABEL_CHAR_WIDTH = 6.5;
/** The label's gap from the handle (8) + padding and border (14) + room after it (8). */
const LABEL_EXTRA = 30;
/** Space left for the curve before a near target. */
const MIN_CURVE = 24;

/**
 * How far a branch edge runs straight out of its handle: past its label, so the curve starts
 * beyond the names of sibling outputs; shorter when the target is close (the label then
 * sits on the start of the curve rather than the edge overshooting its target).
 */
export function branchLead(branch: string, towardsTarget: number): number {
  const full = Math.round(branch.length * LABEL_CHAR_WIDTH + LABEL_EXTRA);
  return Math.max(0, Math.min(full, towardsTarget - MIN_CURVE));
}
