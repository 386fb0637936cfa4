import { headers } from "next/headers";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { NoWorkspace } from "@/components/session/no-workspace";
import { SessionProvider } from "@/components/session/session-context";
import { TopNav } from "@/components/ui/top-nav";
import { getDb } from "@/server/db";
import { describeMe } from "@/server/auth/me";
import { sessionUser } from "@/server/auth/request";
import { needsOwner } from "@/server/auth/setup";

/**
 * Every page of the app is behind this layout: no valid session, no page (the proxy's cookie
 * check is only a first, cheap gate). A signed-in user without a workspace sees how to get one.
 */
export default async function AppLayout({ children }: { children: ReactNode }) {
  const requestHeaders = await headers();
  const db = getDb();
  const user = await sessionUser(requestHeaders);
  if (!user) redirect((await needsOwner(db)) ? "/setup" : "/sign-in");
  const me = await describeMe(db, user, requestHeaders);
  return (
    <SessionProvider me={me}>
      <TopNav />
      <div className="flex min-h-0 flex-1 flex-col">{me.workspace ? children : <NoWorkspace />}</div>
    </SessionProvider>
  );
}
