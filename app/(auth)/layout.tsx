import type { ReactNode } from "react";
import { Logo } from "@/components/ui/top-nav";

/** Sign-in, first start and invite pages: no app chrome, one card. */
export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main className="flex min-h-full flex-1 flex-col items-center justify-center bg-slate-50 px-4 py-12">
      <div className="mb-6 flex items-center gap-2 text-lg font-semibold tracking-tight text-slate-900">
        <Logo />
        AgentFlow
      </div>
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm">{children}</div>
    </main>
  );
}
