"use client";

import { useQuery } from "@tanstack/react-query";
import type { NodeProps } from "@xyflow/react";
import Link from "next/link";
import { memo, useCallback } from "react";
import { useTRPC } from "@/components/trpc";
import { StatusBadge } from "@/components/ui/status-badge";
import type { EditorState } from "../store/types";
import type { AppNodeOf } from "../types";
import { useEditorStore } from "../store/editor-store-provider";
import { latestChildRunId } from "./child-progress";
import { NodeShell } from "./node-shell";

/**
 * A sub-workflow: the workflow it runs; in a run, its child run's status (a child waiting for a
 * person says so here, as the parent's own card would) and a link to the child's page.
 */
export const SubworkflowNode = memo(function SubworkflowNode({ id, data, selected }: NodeProps<AppNodeOf<"subworkflow">>) {
  const name = useWorkflowName(data.workflowId);
  const childRunId = useEditorStore(useCallback((s: EditorState) => latestChildRunId(s.run.events, id), [id]));
  return (
    <NodeShell
      id={id}
      kind="subworkflow"
      label={data.label}
      selected={selected}
      summary={
        <span data-testid="subworkflow-target">
          {data.workflowId === "" ? <span className="text-slate-400">No workflow chosen</span> : <>Runs <span className="font-medium text-slate-800">{name ?? data.workflowId}</span></>}
        </span>
      }
    >
      {childRunId && <ChildRunLine nodeId={id} childRunId={childRunId} />}
    </NodeShell>
  );
});

/** The chosen workflow's name, from the workspace's list (shared with the inspector's picker). */
export function useWorkflowName(workflowId: string): string | null {
  const trpc = useTRPC();
  const workflows = useQuery({ ...trpc.workflow.list.queryOptions(), enabled: workflowId !== "", staleTime: 60_000 });
  return workflows.data?.find((workflow) => workflow.id === workflowId)?.name ?? null;
}

/** How often a child in flight is asked for its status: it may be waiting for a person, which the parent's log does not say. */
const CHILD_POLL_MS = 3_000;

function ChildRunLine({ nodeId, childRunId }: { nodeId: string; childRunId: string }) {
  const trpc = useTRPC();
  const runId = useEditorStore((s: EditorState) => s.run.runId);
  const inFlight = useEditorStore(useCallback((s: EditorState) => s.run.state?.nodes[nodeId]?.children?.inFlight["0"] !== undefined, [nodeId]));
  const finished = useEditorStore(useCallback((s: EditorState) => s.run.events.findLast((event) => event.type === "child_finished" && event.nodeId === nodeId && event.childRunId === childRunId), [nodeId, childRunId]));
  const child = useQuery({
    ...trpc.run.childRuns.queryOptions({ runId: runId ?? "", nodeId }),
    enabled: runId !== null && inFlight,
    refetchInterval: inFlight ? CHILD_POLL_MS : false,
  });
  const row = child.data?.items.findLast((item) => item.id === childRunId);
  // Finished: the parent's log has the outcome; in flight: the child's own status when read.
  const status = finished?.type === "child_finished" ? finished.status : (row?.status ?? "running");
  return (
    <div className="space-y-1 border-t border-slate-100 px-3 py-1.5 text-[11px]" data-testid="subworkflow-child" data-child-status={status}>
      <div className="flex items-center gap-2 whitespace-nowrap">
        <span className="text-slate-500">Child run</span>
        <StatusBadge status={status} />
      </div>
      {status === "waiting_for_human" && <p className="font-medium text-amber-700">Needs a person in the child run</p>}
      <Link href={`/runs/${childRunId}`} className="nodrag nopan font-medium text-accent-700 hover:underline" data-testid="open-child-run">
        Open child run →
      </Link>
    </div>
  );
}
