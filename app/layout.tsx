import type { Metadata } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { THEME_BOOT_SCRIPT } from "@/components/ui/theme-preference";
import { Providers } from "./providers";
import "./globals.css";

export const metadata: Metadata = {
  title: "AgentFlow",
  description: "Design, run and watch AI agent workflows",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The CSP allows inline scripts only with this request's nonce (set by proxy.ts).
  const nonce = (await headers()).get("x-nonce") ?? undefined;
  return (
    // The boot script sets the theme class and data-theme before React hydrates.
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: THEME_BOOT_SCRIPT }} />
      </head>
      <body className="flex h-full flex-col">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
