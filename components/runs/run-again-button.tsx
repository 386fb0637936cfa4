"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useCan } from "@/components/session/session-context";
import { errorMessage, useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { PlayIcon } from "@/components/ui/icons";

type VersionChoice = "same" | "latest";

/** "Run again" on a finished run: a new run with the same input, on its pinned version or the latest draft. */
export function RunAgainButton({ runId, version }: { runId: string; version: number }) {
  const canStart = useCan("run:start");
  const [open, setOpen] = useState(false);
  if (!canStart) return null;
  return (
    <>
      <Button size="sm" onClick={() => setOpen(true)}>
        <PlayIcon className="size-3.5" />
        Run again
      </Button>
      {open && <RunAgainDialog runId={runId} version={version} onClose={() => setOpen(false)} />}
    </>
  );
}

function RunAgainDialog({ runId, version, onClose }: { runId: string; version: number; onClose: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [choice, setChoice] = useState<VersionChoice>("same");
  const rerun = useMutation(
    trpc.run.rerun.mutationOptions({
      onSuccess: async ({ runId: newRunId }) => {
        // This run now has a child: its lineage must not be served from the cache.
        await queryClient.invalidateQueries({ queryKey: trpc.run.get.queryKey({ runId }) });
        router.push(`/runs/${newRunId}`);
      },
    }),
  );
  const options: { value: VersionChoice; label: string; hint: string }[] = [
    { value: "same", label: `Same version (v${version})`, hint: "Exactly the graph this run used." },
    { value: "latest", label: "Latest draft", hint: "The workflow as it is in the editor now." },
  ];

  return (
    <ConfirmDialog
      title="Run again"
      onCancel={onClose}
      actions={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" disabled={rerun.isPending} onClick={() => rerun.mutate({ runId, version: choice })}>
            {rerun.isPending ? "Starting…" : "Start run"}
          </Button>
        </>
      }
    >
      <p>A new run with the same input as this one, linked to it as a re-run.</p>
      <fieldset className="mt-3 grid gap-2">
        <legend className="mb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">Graph</legend>
        {options.map((option) => (
          <label
            key={option.value}
            className={`flex cursor-pointer items-start gap-2.5 rounded-md border p-2.5 ${choice === option.value ? "border-accent-400 bg-accent-50" : "border-slate-200"}`}
          >
            <input
              type="radio"
              name="rerun-version"
              value={option.value}
              checked={choice === option.value}
              onChange={() => setChoice(option.value)}
              className="mt-0.5 accent-accent-600"
            />
            <span>
              <span className="block font-medium text-slate-900">{option.label}</span>
              <span className="block text-xs text-slate-500">{option.hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {rerun.error && (
        <p role="alert" className="mt-3 text-sm text-red-700">
          {errorMessage(rerun.error)}
        </p>
      )}
    </ConfirmDialog>
  );
}
