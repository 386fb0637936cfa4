"use client";

import { useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from "react";
import { THEME_CHANGE_EVENT, THEME_STORAGE_KEY, readThemeChoice, saveThemeChoice, type ThemeChoice } from "./theme-preference";

function subscribe(onChange: () => void): () => void {
  const onStorage = (event: StorageEvent) => {
    if (event.key === THEME_STORAGE_KEY) onChange();
  };
  window.addEventListener(THEME_CHANGE_EVENT, onChange);
  window.addEventListener("storage", onStorage);
  return () => {
    window.removeEventListener(THEME_CHANGE_EVENT, onChange);
    window.removeEventListener("storage", onStorage);
  };
}

/** The server cannot know the stored choice; the client's own snapshot replaces it after hydration. */
const serverChoice = (): ThemeChoice => "system";

const OPTIONS: { choice: ThemeChoice; label: string; icon: ReactNode }[] = [
  { choice: "system", label: "System", icon: <MonitorIcon /> },
  { choice: "light", label: "Light", icon: <SunIcon /> },
  { choice: "dark", label: "Dark", icon: <MoonIcon /> },
];

/**
 * System / light / dark, remembered in this browser (see theme-preference.ts). One icon button
 * with a small menu: the top bar has no room for three buttons at 1024 px.
 */
export function ThemeToggle() {
  const current = useSyncExternalStore(subscribe, readThemeChoice, serverChoice);
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const closeOutside = (event: MouseEvent) => {
      if (!ref.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", closeOutside);
    return () => document.removeEventListener("mousedown", closeOutside);
  }, [open]);
  const shown = OPTIONS.find((option) => option.choice === current) ?? OPTIONS[0]!;
  return (
    <div
      ref={ref}
      className="relative"
      onKeyDown={(event) => {
        if (event.key === "Escape" && open) {
          event.stopPropagation();
          setOpen(false);
        }
      }}
    >
      <button
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={`Colour theme: ${shown.label}`}
        title={`Colour theme: ${shown.label}`}
        onClick={() => setOpen((value) => !value)}
        className="grid size-7 place-items-center rounded-md border border-slate-200 text-slate-500 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-accent-500"
      >
        {shown.icon}
      </button>
      {open && (
        <div role="menu" aria-label="Colour theme" className="absolute right-0 z-50 mt-1 w-36 rounded-md border border-slate-200 bg-white py-1 text-sm shadow-lg">
          {OPTIONS.map((option) => (
            <button
              key={option.choice}
              type="button"
              role="menuitemradio"
              aria-checked={option.choice === current}
              onClick={() => {
                saveThemeChoice(option.choice);
                setOpen(false);
              }}
              className="flex w-full items-center gap-2 px-3 py-1.5 text-left text-slate-700 hover:bg-slate-50 aria-checked:font-medium aria-checked:text-accent-700"
            >
              {option.icon}
              {option.label}
              {/* The choice is marked by more than colour. */}
              {option.choice === current && <CheckIcon />}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

function ThemeIcon({ children }: { children: ReactNode }) {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" className="size-3.5">
      {children}
    </svg>
  );
}

function MonitorIcon() {
  return (
    <ThemeIcon>
      <rect x="3" y="4" width="18" height="12" rx="2" />
      <path d="M8 20h8M12 16v4" />
    </ThemeIcon>
  );
}

function SunIcon() {
  return (
    <ThemeIcon>
      <circle cx="12" cy="12" r="4" />
      <path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" />
    </ThemeIcon>
  );
}

function MoonIcon() {
  return (
    <ThemeIcon>
      <path d="M20 14.5A8 8 0 1 1 9.5 4a6.5 6.5 0 0 0 10.5 10.5z" />
    </ThemeIcon>
  );
}

function CheckIcon() {
  return (
    <span className="ml-auto">
      <ThemeIcon>
        <path d="m5 12 5 5 9-10" />
      </ThemeIcon>
    </span>
  );
}
