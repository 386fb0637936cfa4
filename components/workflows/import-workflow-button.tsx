"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useRef, type ChangeEvent } from "react";
import { errorMessage, errorPath, useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { UploadIcon, XIcon } from "@/components/ui/icons";

/** "Import": pick an exported `.agentflow.json`; the server validates it and names the bad field if any. */
export function ImportWorkflowButton() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const importFile = useMutation(
    trpc.workflow.import.mutationOptions({
      onSuccess: ({ id }) => {
        void queryClient.invalidateQueries(trpc.workflow.list.queryFilter());
        router.push(`/workflows/${id}`);
      },
    }),
  );

  const onPick = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    // Cleared so picking the same (fixed) file again fires another change.
    event.target.value = "";
    if (!file) return;
    importFile.mutate({ fileText: await file.text() });
  };

  return (
    <>
      <Button onClick={() => input.current?.click()} disabled={importFile.isPending}>
        <UploadIcon className="size-4" />
        {importFile.isPending ? "Importing…" : "Import"}
      </Button>
      <input
        ref={input}
        type="file"
        accept=".json,application/json"
        className="hidden"
        aria-label="Workflow file to import"
        data-testid="import-file"
        onChange={(event) => void onPick(event)}
      />
      {importFile.isError && <ImportError error={importFile.error} onClose={() => importFile.reset()} />}
    </>
  );
}

function ImportError({ error, onClose }: { error: unknown; onClose: () => void }) {
  const path = errorPath(error);
  return (
    <div
      role="alert"
      data-testid="import-error"
      className="fixed right-6 bottom-6 z-20 flex max-w-md items-start gap-3 rounded-lg border border-red-200 bg-white p-3 text-sm shadow-lg"
    >
      <div className="min-w-0 flex-1">
        <p className="font-medium text-red-800">Could not import the file</p>
        <p className="mt-0.5 break-words text-red-700">{errorMessage(error)}</p>
        {path && (
          <p className="mt-1 text-xs text-slate-600">
            Field: <code className="rounded bg-slate-100 px-1 py-px font-mono text-slate-800">{path}</code>
          </p>
        )}
      </div>
      <button type="button" onClick={onClose} aria-label="Dismiss" className="rounded p-1 text-slate-400 hover:bg-slate-100 hover:text-slate-700">
        <XIcon className="size-4" />
      </button>
    </div>
  );
}
