"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { errorMessage, useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/text-field";
import { reloadAt, useMe } from "./session-context";

/** A signed-in user who belongs to no workspace (removed, or signed in with SSO uninvited). */
export function NoWorkspace() {
  const me = useMe();
  const trpc = useTRPC();
  const [name, setName] = useState(`${me.user.name}'s workspace`);
  const create = useMutation(trpc.account.createWorkspace.mutationOptions({ onSuccess: () => reloadAt("/workflows") }));
  return (
    <main className="mx-auto mt-16 w-full max-w-md rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
      <h1 className="text-lg font-semibold text-slate-900">You are not in a workspace yet</h1>
      <p className="mt-2 text-sm text-slate-600">
        Ask an admin of your team for an invite link — opening it adds you to their workspace. Or start a workspace of your own.
      </p>
      <form
        className="mt-5 space-y-3"
        onSubmit={(event) => {
          event.preventDefault();
          if (name.trim()) create.mutate({ name: name.trim() });
        }}
      >
        <TextField label="Workspace name" value={name} onChange={(event) => setName(event.target.value)} maxLength={80} error={create.isError ? errorMessage(create.error) : null} />
        <Button type="submit" variant="primary" disabled={!name.trim() || create.isPending}>
          Create workspace
        </Button>
      </form>
    </main>
  );
}
