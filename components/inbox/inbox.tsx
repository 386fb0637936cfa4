"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useCallback } from "react";
import type { HumanDecision } from "@/server/engine/events";
import { DueNote } from "@/components/human-tasks/due-note";
import { TaskReview } from "@/components/human-tasks/task-review";
import { useHumanTaskResponse, type HumanTaskAnswer } from "@/components/human-tasks/use-human-task-response";
import { useCan, useMe } from "@/components/session/session-context";
import { errorMessage, useTRPC, type RouterOutputs } from "@/components/trpc";
import { formatDateTime, formatRelative } from "@/components/ui/format";

type Task = RouterOutputs["human"]["pending"][number];

const KIND_LABEL: Record<string, string> = {
  gate: "Approval",
  question: "Question",
  tool_approval: "Tool call",
  continue: "Step limit",
  errors: "Repeated errors",
  budget: "Budget",
};

/** New tasks appear while the page is open; a list of tasks is cheap to re-read. */
const REFRESH_MS = 10_000;

/** Every task waiting for a person, across runs, decided in place. */
export function Inbox() {
  const trpc = useTRPC();
  const tasks = useQuery(trpc.human.pending.queryOptions({ limit: 100 }, { refetchInterval: REFRESH_MS }));
  const canRespond = useCan("human:respond");

  return (
    <div className="mx-auto w-full max-w-4xl px-6 py-8">
      <div className="mb-6">
        <h1 className="text-xl font-semibold tracking-tight text-slate-900">Inbox</h1>
        <p className="mt-0.5 text-sm text-slate-500">Runs waiting for a person: approvals, questions and tool calls.</p>
        {!canRespond && <ViewOnlyNote />}
      </div>
      {tasks.isPending && <p className="text-sm text-slate-500">Loading…</p>}
      {tasks.isError && <p className="text-sm text-red-700">{errorMessage(tasks.error)}</p>}
      {tasks.data?.length === 0 && (
        <div className="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-10 text-center text-sm text-slate-500">
          {canRespond ? "Nothing is waiting for you." : "Nothing is waiting for an operator."}
        </div>
      )}
      <ul className="space-y-3">
        {tasks.data?.map((task) => (
          <li key={task.id}>
            <TaskCard task={task} />
          </li>
        ))}
      </ul>
    </div>
  );
}

function TaskCard({ task }: { task: Task }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { mutateAsync } = useMutation(
    trpc.human.respond.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.human.pending.queryFilter()),
    }),
  );
  const send = useCallback(
    (decision: HumanDecision, extras: HumanTaskAnswer) => mutateAsync({ taskId: task.id, decision, ...extras }),
    [mutateAsync, task.id],
  );
  const response = useHumanTaskResponse(task, send);

  return (
    <article className="rounded-lg border border-slate-200 bg-white p-4 shadow-xs" data-task-id={task.id}>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-slate-500">
        <span className="rounded bg-amber-100 px-1.5 py-0.5 font-medium text-amber-800">{KIND_LABEL[task.kind] ?? task.kind}</span>
        <Link href={`/workflows/${task.workflowId}`} className="font-medium text-slate-800 hover:text-accent-700">
          {task.workflowName}
        </Link>
        <span>
          node <code className="font-mono">{task.nodeId}</code>
        </span>
        <span title={formatDateTime(task.createdAt)}>{formatRelative(task.createdAt)}</span>
        {"dueAt" in task && (task.dueAt instanceof Date || typeof task.dueAt === "string") && (
          <DueNote dueAt={task.dueAt} className="font-medium text-amber-700" />
        )}
        <Link href={`/runs/${task.runId}`} className="ml-auto text-accent-700 hover:underline">
          Open run
        </Link>
      </div>
      <TaskReview task={task} response={response} />
    </article>
  );
}

/** Why this Inbox has no buttons. */
function ViewOnlyNote() {
  const role = useMe().workspace?.role ?? "none";
  return (
    <p className="mt-2 inline-block rounded-full bg-slate-100 px-2.5 py-0.5 text-xs font-medium text-slate-600" data-testid="view-only-badge">
      View only — your role ({role}) cannot answer; operators and above can
    </p>
  );
}
