"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { reloadAt, useMe } from "@/components/session/session-context";
import { errorMessage, useTRPC, type RouterOutputs } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { formatDateTime, formatRelative } from "@/components/ui/format";
import { FormError } from "@/components/ui/text-field";
import type { Role } from "@/server/auth/roles";
import { RoleBadge, SELECT } from "./role-badge";
import { Card, DangerConfirm, QueryStateRows, TD, TH } from "./section";
import { rankIn, type RoleInfo } from "./types";

type Member = RouterOutputs["members"]["list"][number];
type RoleChange = { member: Member; role: Role };

export function MembersTable({ roles, canManage }: { roles: RoleInfo[]; canManage: boolean }) {
  const trpc = useTRPC();
  const me = useMe();
  const router = useRouter();
  const queryClient = useQueryClient();
  const members = useQuery(trpc.members.list.queryOptions());
  const [error, setError] = useState<string | null>(null);
  const [removing, setRemoving] = useState<Member | null>(null);
  const [ownChange, setOwnChange] = useState<RoleChange | null>(null);

  const myRole = me.workspace?.role ?? "viewer";
  const myRank = rankIn(roles, myRole);
  // Admins grant up to their own role; only an owner may make (or change) an owner.
  const grantable = roles.filter((r) => rankIn(roles, r.role) <= myRank).reverse();

  const refresh = () => queryClient.invalidateQueries(trpc.members.list.queryFilter());
  const changeRole = useMutation(
    trpc.members.changeRole.mutationOptions({
      onMutate: () => setError(null),
      onSuccess: (_result, variables) => {
        void refresh();
        // My own role changed: the layout's permissions must follow.
        if (members.data?.find((m) => m.id === variables.memberId)?.userId === me.user.id) router.refresh();
      },
      onError: (cause, variables) => {
        const name = members.data?.find((m) => m.id === variables.memberId)?.name ?? "this member";
        setError(`Could not change the role of ${name}. ${errorMessage(cause)}`);
      },
    }),
  );
  const remove = useMutation(
    trpc.members.remove.mutationOptions({
      onSuccess: (_result, variables) => {
        const leftMyself = members.data?.find((m) => m.id === variables.memberId)?.userId === me.user.id;
        setRemoving(null);
        if (leftMyself) reloadAt("/workflows");
        else void refresh();
      },
    }),
  );

  const requestRoleChange = (member: Member, role: Role) => {
    if (member.userId === me.user.id) setOwnChange({ member, role });
    else changeRole.mutate({ memberId: member.id, role });
  };

  const columns = canManage ? 5 : 4;
  return (
    <Card title="Members" description={members.data ? `${members.data.length} ${members.data.length === 1 ? "person" : "people"}` : "\u00a0"} flush>
      {error && (
        <div className="border-b border-slate-100 px-5 py-3">
          <FormError message={error} />
        </div>
      )}
      <div className="overflow-x-auto">
        <table className="w-full text-sm" aria-label="Members">
          <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs text-slate-500">
            <tr>
              <th scope="col" className={TH}>Name</th>
              <th scope="col" className={TH}>Email</th>
              <th scope="col" className={`${TH} w-40`}>Role</th>
              <th scope="col" className={`${TH} w-32`}>Joined</th>
              {canManage && (
                <th scope="col" className={`${TH} w-44`}>
                  <span className="sr-only">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            <QueryStateRows query={members} colSpan={columns} loading="Loading members…" />
            {members.data?.map((member) => (
              <MemberRow
                key={member.id}
                member={member}
                isMe={member.userId === me.user.id}
                canManage={canManage}
                manageable={canManage && rankIn(roles, member.role) <= myRank}
                grantable={grantable}
                saving={changeRole.isPending && changeRole.variables.memberId === member.id}
                busy={changeRole.isPending}
                onSave={(role) => requestRoleChange(member, role)}
                onRemove={() => {
                  remove.reset();
                  setRemoving(member);
                }}
              />
            ))}
          </tbody>
        </table>
      </div>

      {removing && (
        <DangerConfirm
          title={removing.userId === me.user.id ? "Leave this workspace?" : `Remove ${removing.name}?`}
          confirmLabel={removing.userId === me.user.id ? "Leave workspace" : "Remove member"}
          pending={remove.isPending}
          error={remove.isError ? remove.error : null}
          onConfirm={() => remove.mutate({ memberId: removing.id })}
          onCancel={() => setRemoving(null)}
        >
          <p>
            {removing.userId === me.user.id
              ? "You lose access to its workflows and runs at once; an admin can invite you again."
              : `${removing.name} (${removing.email}) loses access at once. Their workflows and runs stay in the workspace.`}
          </p>
        </DangerConfirm>
      )}

      {ownChange && (
        <ConfirmDialog
          title={`Change your own role to ${ownChange.role}?`}
          onCancel={() => setOwnChange(null)}
          actions={
            <>
              <Button variant="ghost" onClick={() => setOwnChange(null)}>
                Cancel
              </Button>
              <Button
                variant="primary"
                onClick={() => {
                  changeRole.mutate({ memberId: ownChange.member.id, role: ownChange.role });
                  setOwnChange(null);
                }}
              >
                Change my role
              </Button>
            </>
          }
        >
          <p>{roles.find((r) => r.role === ownChange.role)?.description}. You may lose access to some of these settings, and only someone with a higher role can give it back.</p>
        </ConfirmDialog>
      )}
    </Card>
  );
}

/**
 * One member. The role select only picks; "Save role" applies it — a closed select changes
 * its value on every arrow key, and each of those must not be a role change.
 */
function MemberRow({
  member,
  isMe,
  canManage,
  manageable,
  grantable,
  saving,
  busy,
  onSave,
  onRemove,
}: {
  member: Member;
  isMe: boolean;
  canManage: boolean;
  manageable: boolean;
  grantable: RoleInfo[];
  saving: boolean;
  busy: boolean;
  onSave: (role: Role) => void;
  onRemove: () => void;
}) {
  const [draft, setDraft] = useState<Role | null>(null);
  // Once the list shows the saved role, the draft is spent.
  const dirty = draft !== null && draft !== member.role;
  return (
    <tr data-member-email={member.email} className="hover:bg-slate-50/60">
      <td className={TD}>
        <span className="font-medium text-slate-900">{member.name}</span>
        {isMe && <span className="ml-2 rounded bg-slate-100 px-1.5 py-0.5 text-[11px] font-medium text-slate-500">you</span>}
      </td>
      <td className={`${TD} text-slate-600`}>{member.email}</td>
      <td className={TD}>
        {manageable ? (
          <select
            aria-label={`Role of ${member.name}`}
            value={dirty ? draft : member.role}
            disabled={saving}
            onChange={(event) => setDraft(event.target.value as Role)}
            className={`${SELECT} h-8 w-32 capitalize ${dirty ? "border-accent-500 ring-2 ring-accent-500/20" : ""}`}
          >
            {grantable.map((r) => (
              <option key={r.role} value={r.role}>
                {r.role}
              </option>
            ))}
          </select>
        ) : (
          <span title={canManage ? "Only an owner can change an owner" : undefined}>
            <RoleBadge role={member.role} />
          </span>
        )}
      </td>
      <td className={`${TD} whitespace-nowrap text-slate-600`} title={formatDateTime(member.joinedAt)}>
        {formatRelative(member.joinedAt)}
      </td>
      {canManage && (
        <td className={`${TD} text-right whitespace-nowrap`}>
          {dirty ? (
            <div className="inline-flex gap-1">
              <Button size="sm" variant="ghost" onClick={() => setDraft(null)} disabled={saving}>
                Cancel
              </Button>
              <Button size="sm" variant="primary" aria-label={`Save the role of ${member.name}`} disabled={busy} onClick={() => onSave(draft)}>
                {saving ? "Saving…" : "Save role"}
              </Button>
            </div>
          ) : (
            (manageable || isMe) && (
              <Button size="sm" variant="danger" aria-label={isMe ? "Leave the workspace" : `Remove ${member.name}`} onClick={onRemove}>
                {isMe ? "Leave" : "Remove"}
              </Button>
            )
          )}
        </td>
      )}
    </tr>
  );
}
