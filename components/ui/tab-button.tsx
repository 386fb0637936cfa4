"use client";

import type { ReactNode } from "react";

/** A tab in an underlined tab bar (editor side panel, run page). */
export function TabButton({ active, onClick, children }: { active: boolean; onClick: () => void; children: ReactNode }) {
  return (
    <button
      type="button"
      role="tab"
      aria-selected={active}
      onClick={onClick}
      className={`-mb-px border-b-2 px-2 py-2.5 text-sm font-medium whitespace-nowrap ${
        active ? "border-accent-600 text-slate-900" : "border-transparent text-slate-500 hover:text-slate-800"
      }`}
    >
      {children}
    </button>
  );
}
