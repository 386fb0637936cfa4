"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC, type RouterOutputs } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { formatDateTime, formatRelative } from "@/components/ui/format";
import { isRole } from "./role-utils";
import { RoleBadge } from "./role-badge";
import { Card, DangerConfirm, QueryStateRows, TD, TH } from "./section";

type Invitation = RouterOutputs["invitations"]["list"][number];

/** Links not yet used, revoked or expired; revoking one makes it stop working at once. */
export function InvitationsCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invitations = useQuery(trpc.invitations.list.queryOptions());
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const revoke = useMutation(
    trpc.invitations.revoke.mutationOptions({
      onSuccess: () => {
        setRevoking(null);
        void queryClient.invalidateQueries(trpc.invitations.list.queryFilter());
      },
    }),
  );

  return (
    <Card title="Pending invitations" description="Links that were not used yet. Each works once, for 7 days." flush>
      <div className="overflow-x-auto">
        <table className="w-full text-sm" aria-label="Pending invitations">
          <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs text-slate-500">
            <tr>
              <th scope="col" className={TH}>For</th>
              <th scope="col" className={`${TH} w-40`}>Role</th>
              <th scope="col" className={TH}>Invited by</th>
              <th scope="col" className={`${TH} w-32`}>Expires</th>
              <th scope="col" className={`${TH} w-28`}>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            <QueryStateRows query={invitations} colSpan={5} loading="Loading invitations…" empty="No pending invitations." />
            {invitations.data?.map((invitation) => (
              <tr key={invitation.id} data-invitation-id={invitation.id} className="hover:bg-slate-50/60">
                <td className={`${TD} text-slate-700`}>{invitation.email ?? <span className="text-slate-500">Anyone with the link</span>}</td>
                <td className={TD}>{isRole(invitation.role) ? <RoleBadge role={invitation.role} /> : invitation.role}</td>
                <td className={`${TD} text-slate-600`}>
                  {invitation.invitedByName}
                  <span className="text-slate-400" title={formatDateTime(invitation.createdAt)}>
                    {" "}
                    · {formatRelative(invitation.createdAt)}
                  </span>
                </td>
                <td className={`${TD} whitespace-nowrap text-slate-600`} title={formatDateTime(invitation.expiresAt)}>
                  {formatRelative(invitation.expiresAt)}
                </td>
                <td className={`${TD} text-right`}>
                  <Button
                    size="sm"
                    variant="danger"
                    aria-label={`Revoke the invitation for ${invitation.email ?? "anyone with the link"}`}
                    onClick={() => {
                      revoke.reset();
                      setRevoking(invitation);
                    }}
                  >
                    Revoke
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {revoking && (
        <DangerConfirm
          title="Revoke this invitation?"
          confirmLabel="Revoke invitation"
          pending={revoke.isPending}
          error={revoke.isError ? revoke.error : null}
          onConfirm={() => revoke.mutate({ invitationId: revoking.id })}
          onCancel={() => setRevoking(null)}
        >
          <p>The link for {revoking.email ?? "anyone with the link"} ({revoking.role}) stops working at once.</p>
        </DangerConfirm>
      )}
    </Card>
  );
}
