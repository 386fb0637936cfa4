"use client";

import "@/lib/zod-browser";
import { QueryClient, QueryClientProvider, isServer } from "@tanstack/react-query";
import { TRPCClientError, createTRPCClient, httpBatchLink, type TRPCLink } from "@trpc/client";
import { observable } from "@trpc/server/observable";
import { useState, type ReactNode } from "react";
import type { AppRouter } from "@/server/api/root";
import { isSigningOut, reloadAt } from "@/components/session/session-context";
import { TRPCProvider } from "@/components/trpc";
import { wire } from "@/lib/wire";

/** The server's answer when the session expired or was revoked elsewhere (a role too weak is FORBIDDEN). */
function isUnauthorized(error: unknown): boolean {
  return error instanceof TRPCClientError && (error.data as { code?: unknown } | undefined)?.code === "UNAUTHORIZED";
}

/** Asking again cannot change who is signed in or what their role allows. */
function isAccessError(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return false;
  const code = (error.data as { code?: unknown } | undefined)?.code;
  return code === "UNAUTHORIZED" || code === "FORBIDDEN";
}

function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      // Without a short stale time every component mount would refetch what its sibling just loaded.
      queries: { staleTime: 10_000, retry: (failures, error) => failures < 1 && !isAccessError(error) },
    },
  });
}

let browserQueryClient: QueryClient | undefined;

// One client per browser tab, but a fresh one per server render so requests never share a cache.
function getQueryClient() {
  if (isServer) return makeQueryClient();
  browserQueryClient ??= makeQueryClient();
  return browserQueryClient;
}

/** Pages that deal with having no session themselves (an invite link offers its own sign-in). */
const PUBLIC_PAGES = ["/sign-in", "/setup", "/invite/"];

/** Set once the tab is on its way to sign-in: a batch of failing calls sends it there once. */
let leavingForSignIn = false;

/**
 * A full page load of the sign-in page, coming back here afterwards. A full load, not a client
 * navigation: nothing cached for the expired session may survive (see `reloadAt`).
 */
function leaveForSignIn(): void {
  // Signing out leaves for the sign-in page itself; a query that fails meanwhile must not send
  // the tab there with "?next=" to the page it is leaving.
  if (leavingForSignIn || isSigningOut()) return;
  const { pathname, search } = window.location;
  if (PUBLIC_PAGES.some((page) => pathname === page || pathname.startsWith(page))) return;
  leavingForSignIn = true;
  reloadAt(`/sign-in?next=${encodeURIComponent(`${pathname}${search}`)}`);
}

/**
 * Watches every call — queries, mutations and the editor's direct client calls alike — for
 * UNAUTHORIZED. The error still reaches the caller (the page is about to unload anyway, and if
 * the person stays — unsaved work prompts them — the failure is shown where it happened).
 */
const sessionExpiryLink: TRPCLink<AppRouter> = () => ({ op, next }) =>
  observable((observer) =>
    next(op).subscribe({
      next: (result) => observer.next(result),
      error: (error) => {
        if (isUnauthorized(error)) leaveForSignIn();
        observer.error(error);
      },
      complete: () => observer.complete(),
    }),
  );

export function Providers({ children }: { children: ReactNode }) {
  const queryClient = getQueryClient();
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [sessionExpiryLink, httpBatchLink({ url: "/api/trpc", transformer: wire })],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
