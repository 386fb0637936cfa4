import { redirect } from "next/navigation";
import { SetupForm } from "@/components/auth/setup-form";
import { getDb } from "@/server/db";
import { needsOwner } from "@/server/auth/setup";

export const metadata = { title: "Create the owner account · AgentFlow" };
export const dynamic = "force-dynamic";

/** First start: only while no account exists. */
export default async function SetupPage() {
  if (!(await needsOwner(getDb()))) redirect("/sign-in");
  return <SetupForm />;
}
