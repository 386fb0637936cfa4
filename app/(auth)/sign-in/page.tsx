import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { getDb } from "@/server/db";
import { getEnv } from "@/server/env";
import { oidcConfig } from "@/server/auth/better-auth";
import { safeNextPath } from "@/server/auth/next-path";
import { sessionUser } from "@/server/auth/request";
import { needsOwner } from "@/server/auth/setup";

export const metadata = { title: "Sign in · AgentFlow" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const next = safeNextPath(params.next);
  if (await needsOwner(getDb())) redirect("/setup");
  if (await sessionUser(await headers())) redirect(next);
  const error = typeof params.error === "string" ? params.error : null;
  return <SignInForm next={next} sso={oidcConfig() ? { name: getEnv().OIDC_DISPLAY_NAME } : null} initialError={error} />;
}
