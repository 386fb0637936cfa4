"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { useMe } from "@/components/session/session-context";
import { useTRPC, type RouterOutputs } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { formatDateTime } from "@/components/ui/format";
import { PlusIcon } from "@/components/ui/icons";
import { FormError, TextField } from "@/components/ui/text-field";
import type { Role } from "@/server/auth/roles";
import { CopyField, ShownOnce } from "./copy-field";
import { fieldError, formError } from "./form-errors";
import { SELECT } from "./role-badge";
import { withArticle } from "./role-utils";
import { Card } from "./section";
import { rankIn, type RoleInfo } from "./types";

type Created = RouterOutputs["invitations"]["create"];

/** Invite someone: a role (and an email to mail it to), then the link, shown once. */
export function InviteCard({ roles }: { roles: RoleInfo[] }) {
  const trpc = useTRPC();
  const me = useMe();
  const queryClient = useQueryClient();
  const roleId = useId();
  const myRank = rankIn(roles, me.workspace?.role ?? "viewer");
  const grantable = roles.filter((r) => rankIn(roles, r.role) <= myRank).reverse();
  const [role, setRole] = useState<Role>("editor");
  const [email, setEmail] = useState("");
  const [created, setCreated] = useState<Created | null>(null);
  const create = useMutation(
    trpc.invitations.create.mutationOptions({
      onSuccess: (invitation) => {
        setCreated(invitation);
        setEmail("");
        void queryClient.invalidateQueries(trpc.invitations.list.queryFilter());
      },
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setCreated(null);
    const address = email.trim();
    create.mutate({ role, ...(address ? { email: address } : {}) });
  };
  const description = roles.find((r) => r.role === role)?.description;

  return (
    <Card title="Invite people" description="Anyone with the link can join with the role you choose. No mail server needed: you send the link.">
      <form onSubmit={submit} className="flex flex-wrap items-start gap-3">
        <div className="text-sm">
          <label htmlFor={roleId} className="font-medium text-slate-700">
            Role
          </label>
          <select id={roleId} value={role} onChange={(event) => setRole(event.target.value as Role)} className={`${SELECT} mt-1 block w-40 capitalize`}>
            {grantable.map((r) => (
              <option key={r.role} value={r.role}>
                {r.role}
              </option>
            ))}
          </select>
        </div>
        <TextField
          label="Email (optional)"
          type="email"
          autoComplete="off"
          placeholder="name@company.com"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          error={fieldError(create.error, "email", "The email")}
          className="min-w-56 flex-1"
        />
        <div className="pt-6">
          <Button type="submit" variant="primary" disabled={create.isPending}>
            <PlusIcon className="size-4" />
            {create.isPending ? "Creating…" : "Create invite link"}
          </Button>
        </div>
      </form>
      {/* Reserved line: switching roles changes the text, never the height. */}
      <p className="mt-1.5 min-h-4 text-xs text-slate-500">{description && <>{capitalize(withArticle(role))} can: {description.charAt(0).toLowerCase() + description.slice(1)}.</>}</p>
      <div className="mt-2">
        <FormError message={formError(create.error, ["email"])} />
      </div>
      {created && (
        <div className="mt-3">
          <ShownOnce title={`Invite link for ${created.email ?? "a new member"} (${created.role})`} onDone={() => setCreated(null)} testId="invite-link">
            <CopyField value={created.url} label="Copy invite link" testId="invite-link-url" />
            <p className="text-xs text-emerald-900">
              This link is shown once; it works for 7 days (until {formatDateTime(created.expiresAt)}) and only once.{" "}
              {created.email
                ? created.mailed
                  ? `It was also emailed to ${created.email}.`
                  : `It was not emailed (no mail server is set up): send it to ${created.email} yourself.`
                : "Send it to the person you are inviting."}
            </p>
          </ShownOnce>
        </div>
      )}
    </Card>
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
