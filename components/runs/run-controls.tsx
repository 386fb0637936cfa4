"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { isTerminalStatus, type RunStatus } from "@/server/engine/events";
import { useCan } from "@/components/session/session-context";
import { errorMessage, useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";

/**
 * Operator controls for a live run. Each is committed as an event, so the canvas learns the
 * outcome from the stream like any other change; the buttons only send the request. Roles
 * without "run:control" (viewers) see none of them.
 */
export function RunControls({ runId, status }: { runId: string; status: RunStatus }) {
  const canControl = useCan("run:control");
  const trpc = useTRPC();
  const [error, setError] = useState<string | null>(null);
  const onError = (cause: unknown) => setError(errorMessage(cause));
  const onSuccess = () => setError(null);
  const pause = useMutation(trpc.run.pause.mutationOptions({ onError, onSuccess }));
  const resume = useMutation(trpc.run.resume.mutationOptions({ onError, onSuccess }));
  const cancel = useMutation(trpc.run.cancel.mutationOptions({ onError, onSuccess }));
  const busy = pause.isPending || resume.isPending || cancel.isPending;

  if (!canControl || isTerminalStatus(status)) return null;
  return (
    <span className="flex items-center gap-2">
      {error && <span className="text-xs text-red-600">{error}</span>}
      {status === "paused" ? (
        <Button size="sm" disabled={busy} onClick={() => resume.mutate({ runId })}>
          Resume
        </Button>
      ) : (
        <Button size="sm" disabled={busy} onClick={() => pause.mutate({ runId })}>
          Pause
        </Button>
      )}
      <Button size="sm" variant="danger" disabled={busy} onClick={() => cancel.mutate({ runId })}>
        Cancel run
      </Button>
    </span>
  );
}
