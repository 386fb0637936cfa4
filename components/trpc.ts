"use client";

import { TRPCClientError } from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import type { AppRouter } from "@/server/api/root";

// Types only cross the client/server boundary: the router itself never reaches the bundle.
export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** The message to show for a failed call: tRPC errors carry the server's message. */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) return error.message;
  if (error instanceof Error) return error.message;
  return "Something went wrong";
}

export function isConflictError(error: unknown): boolean {
  return error instanceof TRPCClientError && isRecord(error.data) && error.data.code === "CONFLICT";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object";
}

/** The bad field a BAD_REQUEST names (`graph.nodes[1].data.maxSteps`), when it names one. */
export function errorPath(error: unknown): string | null {
  if (!(error instanceof TRPCClientError) || !isRecord(error.data)) return null;
  return typeof error.data.path === "string" ? error.data.path : null;
}
