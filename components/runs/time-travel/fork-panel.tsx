"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useCallback, useMemo, useState } from "react";
import { useEditorStore } from "@/components/editor/store/editor-store-provider";
import type { EditorState } from "@/components/editor/store/types";
import { useCan } from "@/components/session/session-context";
import { errorMessage, useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { editTargetsAt, parseEdit, targetForEvent, textOf, type EditTarget } from "./fork-edits";

const selectSeq = (s: EditorState) => s.timeTravel?.seq ?? null;
const selectHistoricState = (s: EditorState) => s.run.state;
const selectNodes = (s: EditorState) => s.nodes;

/**
 * While the canvas shows an earlier state: change one thing of it and fork a new run from
 * there. The fork shares this run's events up to that point (nothing before it runs again)
 * and goes on live with the edit.
 */
export function ForkPanel({ runId }: { runId: string }) {
  const seq = useEditorStore(selectSeq);
  const state = useEditorStore(selectHistoricState);
  const nodes = useEditorStore(selectNodes);
  const event = useEditorStore(
    useCallback((s: EditorState) => (seq === null ? undefined : s.timeTravel?.live.events.find((item) => item.seq === seq)), [seq]),
  );
  const canStart = useCan("run:start");

  const targets = useMemo(() => {
    if (!state) return [];
    const labels = new Map(nodes.map((node) => [node.id, node.data.label || node.id]));
    const triggers = new Set(nodes.filter((node) => node.type === "trigger").map((node) => node.id));
    return editTargetsAt(state, (nodeId) => labels.get(nodeId) ?? nodeId, triggers);
  }, [state, nodes]);

  if (seq === null || !state) return null;
  return (
    <section aria-label="Fork from here" className="max-h-[60%] shrink-0 space-y-3 overflow-y-auto border-b border-amber-200 bg-amber-50/40 p-4" data-testid="fork-panel">
      <div>
        <h2 className="text-xs font-semibold tracking-wide text-amber-800 uppercase">Fork from event #{seq}</h2>
        <p className="mt-1 text-xs text-slate-600">
          A new run that shares this run&apos;s history up to #{seq} (nothing before it runs again) and continues from there, with your change.
        </p>
      </div>
      {canStart ? (
        // Keyed by point in time: another event starts from its own value.
        <ForkForm key={seq} runId={runId} seq={seq} targets={targets} initial={targetForEvent(targets, event)} />
      ) : (
        <p className="text-xs text-slate-500">Your role cannot start runs, so it cannot fork one.</p>
      )}
    </section>
  );
}

function ForkForm({ runId, seq, targets, initial }: { runId: string; seq: number; targets: EditTarget[]; initial: EditTarget | undefined }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [key, setKey] = useState(initial?.key ?? targets[0]?.key ?? "");
  const target = targets.find((item) => item.key === key);
  const [text, setText] = useState(target ? textOf(target) : "");
  const parsed = target ? parseEdit(target, text) : null;
  const fork = useMutation(
    trpc.run.fork.mutationOptions({
      onSuccess: async ({ runId: forkId }) => {
        await queryClient.invalidateQueries({ queryKey: trpc.run.get.queryKey({ runId }) });
        router.push(`/runs/${forkId}`);
      },
    }),
  );

  const choose = (next: string) => {
    setKey(next);
    const chosen = targets.find((item) => item.key === next);
    setText(chosen ? textOf(chosen) : "");
    fork.reset();
  };
  const submit = () => {
    if (!parsed || !parsed.ok) return;
    fork.mutate({ runId, atSeq: seq, ...(parsed.edit ? { edit: parsed.edit } : {}) });
  };
  const unchanged = parsed?.ok === true && parsed.edit === null;

  return (
    <div className="space-y-2.5">
      <label className="grid gap-1 text-xs font-medium text-slate-700">
        What to change
        <select value={key} onChange={(event) => choose(event.target.value)} className="h-8 rounded-md border border-slate-300 bg-white px-2 text-sm">
          {targets.map((item) => (
            <option key={item.key} value={item.key}>
              {item.label}
            </option>
          ))}
        </select>
      </label>
      {target && (
        <label className="grid gap-1 text-xs font-medium text-slate-700">
          <span>
            New value <span className="font-normal text-slate-500">({target.format === "json" ? "JSON" : "text"})</span>
          </span>
          <textarea
            value={text}
            onChange={(event) => setText(event.target.value)}
            rows={4}
            spellCheck={false}
            aria-invalid={parsed?.ok === false}
            className={`rounded-md border bg-white p-2 text-xs leading-relaxed ${target.format === "json" ? "font-mono" : ""} ${
              parsed?.ok === false ? "border-red-400" : "border-slate-300"
            }`}
          />
        </label>
      )}
      {parsed?.ok === false && (
        <p role="alert" className="text-xs text-red-700">
          {parsed.error}
        </p>
      )}
      {fork.error && (
        <p role="alert" className="text-xs text-red-700">
          {errorMessage(fork.error)}
        </p>
      )}
      <div className="flex items-center gap-3">
        <Button variant="primary" disabled={fork.isPending || parsed?.ok === false} onClick={submit}>
          {fork.isPending ? "Forking…" : "Fork from here"}
        </Button>
        <span className="text-xs text-slate-500">{unchanged ? "No change: the fork replays from here as it was." : "The fork starts with your change."}</span>
      </div>
    </div>
  );
}
