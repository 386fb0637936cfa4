"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useCan } from "@/components/session/session-context";
import type { Permission } from "@/server/auth/roles";

type NavItem = { href: string; label: string; needs?: Permission };

const GROUPS: { title: string; items: NavItem[] }[] = [
  {
    title: "Workspace",
    items: [
      { href: "/settings", label: "General" },
      { href: "/settings/members", label: "Members" },
      { href: "/settings/api-keys", label: "API keys", needs: "api_key:manage" },
      { href: "/settings/credentials", label: "Credentials", needs: "credential:list" },
      { href: "/settings/providers", label: "Model providers" },
      { href: "/settings/prices", label: "Model prices" },
      { href: "/settings/budget", label: "Budget" },
      { href: "/settings/alerts", label: "Alerts" },
      { href: "/settings/mcp-servers", label: "MCP servers" },
      { href: "/settings/notifications", label: "Notifications", needs: "credential:manage" },
      { href: "/settings/audit", label: "Audit log", needs: "audit:read" },
    ],
  },
  { title: "You", items: [{ href: "/settings/account", label: "Account" }] },
];

/** The section list on the left of every settings page. */
export function SettingsNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Settings" className="shrink-0 md:w-48">
      <h1 className="mb-4 text-xl font-semibold tracking-tight text-slate-900">Settings</h1>
      <div className="flex gap-6 overflow-x-auto md:flex-col md:gap-5">
        {GROUPS.map((group) => (
          <div key={group.title}>
            <h2 className="mb-1 px-2.5 text-[11px] font-semibold tracking-wide text-slate-400 uppercase">{group.title}</h2>
            <ul className="flex gap-0.5 md:flex-col">
              {group.items.map((item) => (
                <NavLink key={item.href} item={item} active={item.href === "/settings" ? pathname === item.href : (pathname ?? "").startsWith(item.href)} />
              ))}
            </ul>
          </div>
        ))}
      </div>
    </nav>
  );
}

function NavLink({ item, active }: { item: NavItem; active: boolean }) {
  // Sections the role cannot use stay listed (their page says who can), but read as secondary.
  const allowed = useCan(item.needs ?? "workflow:read");
  return (
    <li>
      <Link
        href={item.href}
        aria-current={active ? "page" : undefined}
        className={`flex items-center justify-between gap-2 rounded-md px-2.5 py-1.5 text-sm font-medium whitespace-nowrap transition-colors ${
          active ? "bg-white text-slate-900 shadow-xs ring-1 ring-slate-200" : allowed ? "text-slate-600 hover:bg-slate-100 hover:text-slate-900" : "text-slate-400 hover:bg-slate-100 hover:text-slate-600"
        }`}
      >
        {item.label}
      </Link>
    </li>
  );
}
