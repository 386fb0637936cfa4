import type { StateIcon } from "./node-state";

/**
 * The icon beside a state's word on a node's chip (drawn, not a font glyph: ⏸ and ⟳ are
 * missing from many system fonts). The spinner turns only for people who allow motion.
 */
const PATHS: Record<StateIcon, string> = {
  spinner: "M20 12a8 8 0 1 1-3-6.2M20 4v5h-5",
  pause: "M9 5v14M15 5v14",
  check: "m5 12 5 5 9-10",
  cross: "M6 6l12 12M18 6 6 18",
  ban: "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM5.6 5.6l12.8 12.8",
  clock: "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM12 7v5l3 2",
  skip: "M5 5l7 7-7 7M13 5l7 7-7 7",
  stop: "M6 6h12v12H6z",
};

export function StateIconView({ icon }: { icon: StateIcon }) {
  return (
    <svg
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={3}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      data-state-icon={icon}
      className={`size-3 shrink-0 ${icon === "spinner" ? "motion-safe:animate-spin" : ""}`}
    >
      <path d={PATHS[icon]} />
    </svg>
  );
}
