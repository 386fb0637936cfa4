import type { Role } from "@/server/auth/roles";

const STYLES: Record<Role, string> = {
  owner: "bg-accent-50 text-accent-700 ring-accent-200",
  admin: "bg-violet-50 text-violet-700 ring-violet-200",
  editor: "bg-sky-50 text-sky-700 ring-sky-200",
  operator: "bg-amber-50 text-amber-800 ring-amber-200",
  viewer: "bg-slate-100 text-slate-600 ring-slate-200",
};

export function RoleBadge({ role }: { role: Role }) {
  return <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium capitalize ring-1 ring-inset ${STYLES[role]}`}>{role}</span>;
}

/** Shared look of the small selects in tables and forms. */
export const SELECT =
  "h-9 rounded-md border border-slate-300 bg-white px-2 text-sm text-slate-900 focus:border-accent-500 focus:ring-2 focus:ring-accent-500/20 focus:outline-none disabled:bg-slate-50 disabled:text-slate-500";
