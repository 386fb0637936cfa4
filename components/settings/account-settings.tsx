"use client";

import { useMutation } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { NewPasswordField } from "@/components/auth/setup-form";
import { useMe } from "@/components/session/session-context";
import { errorMessage, useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { FormError, TextField } from "@/components/ui/text-field";
import { fieldError } from "./form-errors";
import { RoleBadge } from "./role-badge";
import { Card, SettingsHeader, SuccessNote, TD, TH } from "./section";

/** /settings/account: who you are, your workspaces, and your password. */
export function AccountSettings() {
  const me = useMe();
  return (
    <div>
      <SettingsHeader title="Account" description="Your sign-in, in every workspace you belong to." />
      <Card title="Profile">
        <div className="grid max-w-2xl gap-3 sm:grid-cols-2">
          <TextField label="Name" value={me.user.name} readOnly />
          <TextField label="Email" value={me.user.email} readOnly />
        </div>
      </Card>
      <ChangePasswordCard />
      <Card title="Your workspaces" flush>
        <table className="w-full text-sm" aria-label="Your workspaces">
          <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs text-slate-500">
            <tr>
              <th scope="col" className={TH}>Workspace</th>
              <th scope="col" className={`${TH} w-40`}>Your role</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {me.workspaces.map((workspace) => (
              <tr key={workspace.id}>
                <td className={`${TD} text-slate-800`}>
                  {workspace.name}
                  {workspace.id === me.workspace?.id && <span className="ml-2 rounded bg-slate-100 px-1.5 py-0.5 text-[11px] font-medium text-slate-500">current</span>}
                </td>
                <td className={TD}>
                  <RoleBadge role={workspace.role} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </div>
  );
}

/** The server names the field it refuses (`currentPassword`, `newPassword`); anything else goes above the form. */
function passwordErrors(error: unknown): { current: string | null; next: string | null; form: string | null } {
  if (!error) return { current: null, next: null, form: null };
  const current = fieldError(error, "currentPassword", "The current password");
  const next = fieldError(error, "newPassword", "The new password");
  if (current || next) return { current, next, form: null };
  return { current: null, next: null, form: errorMessage(error) };
}

function ChangePasswordCard() {
  const trpc = useTRPC();
  const checkboxId = useId();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  const [signOutOthers, setSignOutOthers] = useState(true);
  const [mismatch, setMismatch] = useState(false);
  const [done, setDone] = useState<{ signedOutOthers: boolean } | null>(null);
  const change = useMutation(
    trpc.account.changePassword.mutationOptions({
      onSuccess: (_result, variables) => {
        setDone({ signedOutOthers: variables.signOutOtherSessions ?? true });
        setCurrent("");
        setNext("");
        setRepeat("");
      },
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    if (next !== repeat) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    change.mutate({ currentPassword: current, newPassword: next, signOutOtherSessions: signOutOthers });
  };
  const errors = passwordErrors(change.error);

  return (
    <Card title="Password">
      <form onSubmit={submit} className="max-w-md space-y-3">
        <TextField label="Current password" type="password" autoComplete="current-password" required value={current} onChange={(event) => setCurrent(event.target.value)} error={errors.current} />
        <NewPasswordField label="New password" value={next} onChange={setNext} error={errors.next} />
        <TextField
          label="Repeat the new password"
          type="password"
          autoComplete="new-password"
          required
          value={repeat}
          onChange={(event) => {
            setRepeat(event.target.value);
            if (mismatch && event.target.value === next) setMismatch(false);
          }}
          error={mismatch ? "The two new passwords are not the same" : null}
        />
        <div className="flex items-start gap-2 text-sm">
          <input id={checkboxId} type="checkbox" checked={signOutOthers} onChange={(event) => setSignOutOthers(event.target.checked)} className="mt-0.5 size-4 accent-accent-600" />
          <label htmlFor={checkboxId} className="text-slate-700">
            Sign out other sessions
            <span className="block text-xs text-slate-500">Every other browser and device signed in as you must sign in again. This one stays signed in.</span>
          </label>
        </div>
        <FormError message={errors.form} />
        {done && <SuccessNote>Your password was changed.{done.signedOutOthers ? " Your other sessions were signed out." : ""}</SuccessNote>}
        <Button type="submit" variant="primary" disabled={change.isPending}>
          {change.isPending ? "Changing…" : "Change password"}
        </Button>
      </form>
    </Card>
  );
}
