"use client";

import { useMutation } from "@tanstack/react-query";
import { useId, useState } from "react";
import { errorMessage, useTRPC } from "@/components/trpc";
import { reloadAt, useMe } from "./session-context";

const NEW_WORKSPACE = "__new__";

/**
 * The current workspace, and the others the user belongs to. Switching reloads the app so
 * nothing cached from one workspace is ever shown in another.
 */
export function WorkspaceSwitcher() {
  const me = useMe();
  const trpc = useTRPC();
  const id = useId();
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState("");
  const leave = () => reloadAt("/workflows");
  const switchTo = useMutation(trpc.account.switchWorkspace.mutationOptions({ onSuccess: leave }));
  const create = useMutation(trpc.account.createWorkspace.mutationOptions({ onSuccess: leave }));

  if (creating) {
    return (
      <form
        className="flex items-center gap-1"
        onSubmit={(event) => {
          event.preventDefault();
          if (name.trim()) create.mutate({ name: name.trim() });
        }}
      >
        <input
          autoFocus
          value={name}
          onChange={(event) => setName(event.target.value)}
          onKeyDown={(event) => event.key === "Escape" && setCreating(false)}
          placeholder="Workspace name"
          aria-label="New workspace name"
          maxLength={80}
          className="h-7 w-44 rounded-md border border-slate-300 px-2 text-sm focus:border-accent-500 focus:outline-none"
        />
        <button type="submit" className="h-7 rounded-md bg-accent-600 px-2 text-xs font-medium text-white disabled:opacity-50" disabled={!name.trim() || create.isPending}>
          Create
        </button>
        <button type="button" className="h-7 rounded-md px-2 text-xs text-slate-500 hover:bg-slate-100" onClick={() => setCreating(false)}>
          Cancel
        </button>
        {create.isError && <span className="text-xs text-red-600">{errorMessage(create.error)}</span>}
      </form>
    );
  }

  return (
    <div className="flex items-center gap-2 border-l border-slate-200 pl-4">
      <label htmlFor={id} className="sr-only">
        Workspace
      </label>
      <select
        id={id}
        data-testid="workspace-switcher"
        value={me.workspace?.id ?? ""}
        onChange={(event) => {
          if (event.target.value === NEW_WORKSPACE) setCreating(true);
          else switchTo.mutate({ workspaceId: event.target.value });
        }}
        className="h-7 max-w-52 rounded-md border border-slate-200 bg-slate-50 px-2 text-sm font-medium text-slate-700 hover:bg-slate-100 focus:border-accent-500 focus:outline-none"
      >
        {me.workspaces.map((workspace) => (
          <option key={workspace.id} value={workspace.id}>
            {workspace.name}
          </option>
        ))}
        <option value={NEW_WORKSPACE}>+ New workspace…</option>
      </select>
      {me.workspace && <span className="rounded bg-slate-100 px-1.5 py-0.5 text-[11px] font-medium tracking-wide text-slate-500 uppercase">{me.workspace.role}</span>}
    </div>
  );
}
