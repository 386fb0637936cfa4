import { headers } from "next/headers";
import Link from "next/link";
import { InviteForm } from "@/components/auth/invite-form";
import { getDb } from "@/server/db";
import { NotFoundError } from "@/server/errors";
import { describeInvitation } from "@/server/auth/invitations";
import { sessionUser } from "@/server/auth/request";

export const metadata = { title: "Invitation · AgentFlow" };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invitation = /^afi_[A-Za-z0-9_-]{10,200}$/.test(token) ? await describeInvitation(getDb(), token).catch((error: unknown) => {
    if (error instanceof NotFoundError) return null;
    throw error;
  }) : null;
  if (!invitation) {
    return (
      <div className="text-sm text-slate-600">
        <h1 className="text-lg font-semibold text-slate-900">This invitation link does not work</h1>
        <p className="mt-2">It was used already, revoked, or it expired (links last 7 days). Ask whoever invited you for a new one.</p>
        <Link href="/sign-in" className="mt-4 inline-block font-medium text-accent-700 hover:underline">
          Go to sign in
        </Link>
      </div>
    );
  }
  const user = await sessionUser(await headers());
  return (
    <InviteForm
      token={token}
      invitation={{ workspaceName: invitation.workspaceName, role: invitation.role, email: invitation.email, invitedByName: invitation.invitedByName }}
      signedInAs={user ? { name: user.name, email: user.email } : null}
    />
  );
}
