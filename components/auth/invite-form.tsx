"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { errorMessage, errorPath, useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { FormError, TextField } from "@/components/ui/text-field";
import { reloadAt, signOut } from "@/components/session/session-context";
import { NewPasswordField } from "./setup-form";

type Invitation = { workspaceName: string; role: string; email: string | null; invitedByName: string };

/** Join a workspace from an invite link: with the account you are signed in with, or a new one. */
export function InviteForm({ token, invitation, signedInAs }: { token: string; invitation: Invitation; signedInAs: { name: string; email: string } | null }) {
  const trpc = useTRPC();
  const done = () => reloadAt("/workflows");
  const accept = useMutation(trpc.invitations.accept.mutationOptions({ onSuccess: done }));
  const create = useMutation(trpc.invitations.acceptWithNewAccount.mutationOptions({ onSuccess: done }));
  const [name, setName] = useState("");
  const [email, setEmail] = useState(invitation.email ?? "");
  const [password, setPassword] = useState("");
  const fieldError = (field: string) => (create.isError && errorPath(create.error) === field ? errorMessage(create.error) : null);

  const heading = (
    <>
      <h1 className="text-lg font-semibold text-slate-900">Join {invitation.workspaceName}</h1>
      <p className="mt-1 text-sm text-slate-600">
        {invitation.invitedByName} invited you as <strong className="font-medium text-slate-800">{invitation.role}</strong>.
      </p>
    </>
  );

  if (signedInAs) {
    return (
      <div>
        {heading}
        <p className="mt-4 text-sm text-slate-600">
          You are signed in as {signedInAs.name} ({signedInAs.email}).
        </p>
        <FormError message={accept.isError ? errorMessage(accept.error) : null} />
        <div className="mt-4 flex gap-2">
          <Button variant="primary" disabled={accept.isPending} onClick={() => accept.mutate({ token })}>
            Join the workspace
          </Button>
          <Button variant="ghost" onClick={() => void signOut()}>
            Use another account
          </Button>
        </div>
      </div>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ token, name: name.trim(), email: email.trim(), password });
  };
  const generalError = create.isError && !["name", "email", "password"].includes(errorPath(create.error) ?? "") ? errorMessage(create.error) : null;
  return (
    <div>
      {heading}
      <form onSubmit={submit} className="mt-4 space-y-3">
        <TextField label="Your name" autoComplete="name" required maxLength={100} value={name} onChange={(event) => setName(event.target.value)} error={fieldError("name")} />
        <TextField
          label="Email"
          type="email"
          autoComplete="email"
          required
          readOnly={invitation.email !== null}
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          error={fieldError("email")}
        />
        <NewPasswordField label="Choose a password" value={password} onChange={setPassword} error={fieldError("password")} />
        <FormError message={generalError} />
        <Button type="submit" variant="primary" className="w-full" disabled={create.isPending}>
          {create.isPending ? "Creating your account…" : "Create account and join"}
        </Button>
      </form>
      <p className="mt-4 text-xs text-slate-500">
        Already have an account?{" "}
        <Link href={`/sign-in?next=${encodeURIComponent(`/invite/${token}`)}`} className="font-medium text-accent-700 hover:underline">
          Sign in first
        </Link>
        , then open this link again.
      </p>
    </div>
  );
}
