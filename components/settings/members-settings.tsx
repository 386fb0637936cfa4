"use client";

import { useCan } from "@/components/session/session-context";
import { InvitationsCard } from "./invitations-card";
import { InviteCard } from "./invite-card";
import { MembersTable } from "./members-table";
import { RoleNote, SettingsHeader } from "./section";
import type { RoleInfo } from "./types";

/** /settings/members: who is in the workspace; admins also invite, change roles and remove. */
export function MembersSettings({ roles }: { roles: RoleInfo[] }) {
  const canManage = useCan("member:manage");
  return (
    <div>
      <SettingsHeader title="Members" description="People in this workspace and their roles." />
      {canManage && <InviteCard roles={roles} />}
      <MembersTable roles={roles} canManage={canManage} />
      {canManage ? (
        <InvitationsCard />
      ) : (
        <RoleNote title="Only admins can invite people or change roles.">Ask an admin or the owner of this workspace to add someone or change a role.</RoleNote>
      )}
    </div>
  );
}
