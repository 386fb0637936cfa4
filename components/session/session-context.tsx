"use client";

import { createContext, useContext, type ReactNode } from "react";
import type { Me } from "@/server/auth/me";
import type { Permission } from "@/server/auth/roles";

/**
 * Who is signed in and what their role allows, from the server layout. The UI hides or
 * disables what the role may not do; the server checks every call regardless.
 */
const SessionContext = createContext<Me | null>(null);

export function SessionProvider({ me, children }: { me: Me; children: ReactNode }) {
  return <SessionContext.Provider value={me}>{children}</SessionContext.Provider>;
}

export function useMe(): Me {
  const me = useContext(SessionContext);
  if (!me) throw new Error("useMe must be used inside <SessionProvider> (a page of the app layout)");
  return me;
}

/** Whether the signed-in member's role allows `permission` in the current workspace. */
export function useCan(permission: Permission): boolean {
  return useContext(SessionContext)?.permissions.includes(permission) ?? false;
}

/**
 * A full page load, not a client-side navigation: after signing in or out or switching
 * workspace, the server layout must see the new cookies, and no query cached for the previous
 * identity or workspace may survive.
 */
export function reloadAt(path: string): void {
  window.location.assign(path);
}

let signingOut = false;

/** True once this tab started signing out: calls failing for want of a session are expected then. */
export function isSigningOut(): boolean {
  return signingOut;
}

/** Signs out (better-auth's endpoint) and leaves for the sign-in page. */
export async function signOut(): Promise<void> {
  signingOut = true;
  await fetch("/api/auth/sign-out", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }).catch(() => undefined);
  reloadAt("/sign-in");
}
