"use client";

import type { ReactNode } from "react";

/**
 * A tab in an underlined tab bar (editor side panel, run page). `dense`: narrower padding and,
 * under 1280 px, a smaller font, for a narrow panel that must show every tab without scrolling.
 */
export function TabButton({ active, onClick, dense = false, children }: { active: boolean; onClick: () => void; dense?: boolean; children: ReactNode }) {
  return (
    <button
      type="button"
      role="tab"
      aria-selected={active}
      onClick={onClick}
      className={`-mb-px border-b-2 py-2.5 font-medium whitespace-nowrap ${dense ? "px-1.5 text-[13px] xl:text-sm" : "px-2 text-sm"} ${
        active ? "border-accent-600 text-slate-900" : "border-transparent text-slate-500 hover:text-slate-800"
      }`}
    >
      {children}
    </button>
  );
}
