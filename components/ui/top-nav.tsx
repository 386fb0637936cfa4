"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { InboxCountBadge } from "@/components/inbox/inbox-count-badge";
import { useMe } from "@/components/session/session-context";
import { UserMenu } from "@/components/session/user-menu";
import { WorkspaceSwitcher } from "@/components/session/workspace-switcher";
import { ShortcutsHelp } from "./shortcuts-sheet";
import { ThemeToggle } from "./theme-toggle";

const LINKS = [
  { href: "/workflows", label: "Workflows" },
  { href: "/runs", label: "Runs" },
  { href: "/inbox", label: "Inbox" },
  { href: "/settings", label: "Settings" },
] as const;

export function TopNav() {
  const pathname = usePathname();
  const me = useMe();
  return (
    <header className="flex h-12 shrink-0 items-center gap-4 border-b border-slate-200 bg-white px-4">
      <Link href="/workflows" className="flex items-center gap-2 font-semibold tracking-tight text-slate-900">
        <Logo />
        AgentFlow
      </Link>
      {me.workspaces.length > 0 && <WorkspaceSwitcher />}
      <nav aria-label="Main" className="flex items-center gap-1 text-sm">
        {me.workspace &&
          LINKS.map((link) => {
            const active = pathname === link.href || (pathname ?? "").startsWith(`${link.href}/`);
            return (
              <Link
                key={link.href}
                href={link.href}
                aria-current={active ? "page" : undefined}
                className={`inline-flex items-center rounded-md px-2.5 py-1.5 font-medium transition-colors ${
                  active ? "bg-slate-100 text-slate-900" : "text-slate-500 hover:bg-slate-50 hover:text-slate-900"
                }`}
              >
                {link.label}
                {link.href === "/inbox" && <InboxCountBadge />}
              </Link>
            );
          })}
      </nav>
      <div className="ml-auto flex items-center gap-2">
        <ShortcutsHelp />
        <ThemeToggle />
        <UserMenu />
      </div>
    </header>
  );
}

export function Logo() {
  return (
    <svg viewBox="0 0 24 24" className="size-6" aria-hidden="true">
      <rect width="24" height="24" rx="6" className="fill-accent-600" />
      <circle cx="7" cy="8" r="2.2" fill="white" />
      <circle cx="17" cy="8" r="2.2" fill="white" />
      <circle cx="12" cy="17" r="2.2" fill="white" />
      <path d="M7 8 L12 17 L17 8" stroke="white" strokeWidth="1.5" fill="none" strokeLinejoin="round" />
    </svg>
  );
}
