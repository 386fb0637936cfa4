import type { ReactNode } from "react";
import { SettingsNav } from "@/components/settings/settings-nav";

/** Settings: the section list on the left, one page per section on the right. */
export default function SettingsLayout({ children }: { children: ReactNode }) {
  return (
    // Its own scroll area with a reserved gutter: pages of different heights never shift sideways.
    <div className="min-h-0 flex-1 overflow-y-auto [scrollbar-gutter:stable]">
      <div className="mx-auto flex w-full max-w-7xl flex-col gap-6 px-6 py-8 md:flex-row md:gap-10">
        <div className="md:sticky md:top-8 md:self-start">
          <SettingsNav />
        </div>
        <main className="min-w-0 flex-1">{children}</main>
      </div>
    </div>
  );
}
