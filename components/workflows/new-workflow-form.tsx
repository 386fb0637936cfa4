"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { errorMessage, useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { PlusIcon } from "@/components/ui/icons";

/** "New workflow": a name, then straight into the editor. */
export function NewWorkflowForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const create = useMutation(
    trpc.workflow.create.mutationOptions({
      onSuccess: ({ id }) => {
        void queryClient.invalidateQueries(trpc.workflow.list.queryFilter());
        router.push(`/workflows/${id}`);
      },
    }),
  );

  if (!open) {
    return (
      <Button variant="primary" onClick={() => setOpen(true)}>
        <PlusIcon className="size-4" />
        New workflow
      </Button>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() === "") return;
    create.mutate({ name: name.trim() });
  };

  return (
    <form onSubmit={submit} className="flex items-start gap-2">
      <div>
        <input
          autoFocus
          value={name}
          onChange={(event) => setName(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "Escape") setOpen(false);
          }}
          placeholder="Workflow name"
          aria-label="Workflow name"
          maxLength={120}
          className="h-8 w-64 rounded-md border border-slate-300 bg-white px-2.5 text-sm placeholder:text-slate-400 focus:border-accent-500 focus:ring-2 focus:ring-accent-500/20 focus:outline-none"
        />
        {create.isError && <p className="mt-1 text-xs text-red-600">{errorMessage(create.error)}</p>}
      </div>
      <Button type="submit" variant="primary" disabled={name.trim() === "" || create.isPending}>
        {create.isPending ? "Creating…" : "Create"}
      </Button>
      <Button variant="ghost" onClick={() => setOpen(false)}>
        Cancel
      </Button>
    </form>
  );
}
