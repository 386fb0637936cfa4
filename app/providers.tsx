"use client";

import { QueryClient, QueryClientProvider, isServer } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { useState, type ReactNode } from "react";
import type { AppRouter } from "@/server/api/root";
import { TRPCProvider } from "@/components/trpc";
import { wire } from "@/lib/wire";

function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      // Without a short stale time every component mount would refetch what its sibling just loaded.
      queries: { staleTime: 10_000, retry: 1 },
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

export function Providers({ children }: { children: ReactNode }) {
  const queryClient = getQueryClient();
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [httpBatchLink({ url: "/api/trpc", transformer: wire })],
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
