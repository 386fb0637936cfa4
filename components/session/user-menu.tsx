"use client";

import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { signOut, useMe } from "./session-context";

/** The signed-in person: their account page and sign out. */
export function UserMenu() {
  const me = useMe();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent) => {
      if (!ref.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", close);
    return () => document.removeEventListener("mousedown", close);
  }, [open]);
  const initials = me.user.name
    .split(/\s+/)
    .map((part) => part[0] ?? "")
    .join("")
    .slice(0, 2)
    .toUpperCase();
  return (
    <div ref={ref} className="relative">
      <button
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={`Account: ${me.user.name}`}
        onClick={() => setOpen((value) => !value)}
        className="flex items-center gap-2 rounded-md px-1.5 py-1 text-sm text-slate-600 hover:bg-slate-100"
      >
        <span className="flex size-7 items-center justify-center rounded-full bg-accent-100 text-xs font-semibold text-accent-700">{initials || "?"}</span>
        <span className="hidden max-w-40 truncate sm:inline">{me.user.name}</span>
      </button>
      {open && (
        <div role="menu" className="absolute right-0 z-50 mt-1 w-60 rounded-md border border-slate-200 bg-white py-1 text-sm shadow-lg">
          <div className="border-b border-slate-100 px-3 py-2">
            <div className="truncate font-medium text-slate-900">{me.user.name}</div>
            <div className="truncate text-xs text-slate-500">{me.user.email}</div>
          </div>
          <Link role="menuitem" href="/settings/account" onClick={() => setOpen(false)} className="block px-3 py-1.5 text-slate-700 hover:bg-slate-50">
            Account and password
          </Link>
          <button role="menuitem" type="button" onClick={() => void signOut()} className="block w-full px-3 py-1.5 text-left text-slate-700 hover:bg-slate-50">
            Sign out
          </button>
        </div>
      )}
    </div>
  );
}
