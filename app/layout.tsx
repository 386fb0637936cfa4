import type { Metadata } from "next";
import type { ReactNode } from "react";
import { TopNav } from "@/components/ui/top-nav";
import { Providers } from "./providers";
import "./globals.css";

export const metadata: Metadata = {
  title: "AgentFlow",
  description: "Design, run and watch AI agent workflows",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="flex h-full flex-col">
        <Providers>
          <TopNav />
          <div className="flex min-h-0 flex-1 flex-col">{children}</div>
        </Providers>
      </body>
    </html>
  );
}
