"use client";

import { useCallback } from "react";
import { useShallow } from "zustand/react/shallow";
import { NODE_KIND_INFO } from "@/components/editor/node-kinds";
import { useEditorStore } from "@/components/editor/store/editor-store-provider";
import { findNode, humanOutcomeOfNode, selectLiveRun, selectRunEnded, selectSelectedNodeId } from "@/components/editor/store/selectors";
import { childProgressOf, childProgressText } from "@/components/editor/nodes/child-progress";
import type { EditorState } from "@/components/editor/store/types";
import { HumanTaskDetails } from "@/components/human-tasks/task-details";
import { formatDuration } from "@/components/ui/format";
import { RunOutput } from "./run-output";
import { LiveTextDetails } from "./live-text-view";
import { ChildRunsList } from "./child-runs";

/** What the run did at the selected node: status, timing, output or error, the agent's thread. */
export function NodeRunDetails() {
  const nodeId = useEditorStore(selectSelectedNodeId);
  const node = useEditorStore(useCallback((s: EditorState) => findNode(s, nodeId), [nodeId]));
  const nodeState = useEditorStore(useCallback((s: EditorState) => (nodeId ? s.run.state?.nodes[nodeId] : undefined), [nodeId]));
  const thread = useEditorStore(useCallback((s: EditorState) => (nodeId ? s.run.state?.threads[nodeId] : undefined), [nodeId]));
  const human = useEditorStore(useCallback((s: EditorState) => (nodeId ? s.run.state?.humans[nodeId] : undefined), [nodeId]));
  const ended = useEditorStore(selectRunEnded);
  const runId = useEditorStore((s: EditorState) => selectLiveRun(s).runId);
  const outcome = useEditorStore(useShallow(useCallback((s: EditorState) => (nodeId ? humanOutcomeOfNode(s, nodeId) : null), [nodeId])));

  if (!node) return <p className="px-4 py-3 text-sm text-slate-500">Select a node to see what the run did there.</p>;

  const info = NODE_KIND_INFO[node.type];
  const status = nodeState?.status ?? "pending";
  const duration =
    nodeState?.startedAt && nodeState.finishedAt ? Date.parse(nodeState.finishedAt) - Date.parse(nodeState.startedAt) : null;

  return (
    <div className="space-y-3 px-4 py-3 text-sm">
      <div className="flex items-center gap-2.5">
        <span className={`grid size-8 place-items-center rounded-md ${info.tile}`}>
          <info.Icon className="size-4" />
        </span>
        <div className="min-w-0">
          <p className="truncate font-semibold text-slate-900">{node.data.label}</p>
          <p className="text-xs text-slate-500">
            <code className="font-mono">{node.id}</code> · {status}
            {duration !== null && ` · ${formatDuration(duration)}`}
          </p>
        </div>
      </div>
      {human && <HumanTaskDetails human={human} outcome={outcome} waiting={status === "waiting" && !ended} />}
      {runId && (node.type === "for_each" || node.type === "subworkflow") && (
        <div>
          <h4 className="mb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">
            {node.type === "for_each" ? "Items" : "Child run"}
            {nodeState?.children && node.type === "for_each" && (
              <span className="ml-2 font-normal tracking-normal normal-case">{childProgressText(childProgressOf(nodeState.children))}</span>
            )}
          </h4>
          <ChildRunsList runId={runId} nodeId={node.id} itemLabels={node.type === "for_each"} />
        </div>
      )}
      {nodeState?.error && <p className="rounded-md border border-red-200 bg-red-50 p-2.5 text-xs text-red-800">{nodeState.error}</p>}
      {nodeState?.output !== undefined && (
        <div>
          <h4 className="mb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">Output</h4>
          <RunOutput value={nodeState.output} className="max-h-56" />
        </div>
      )}
      <LiveTextDetails nodeId={node.id} />
      {thread && thread.messages.length > 0 && (
        <div>
          <h4 className="mb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">
            Thread · {thread.modelCalls} model call{thread.modelCalls === 1 ? "" : "s"}
          </h4>
          <ol className="space-y-1.5">
            {thread.messages.map((message, index) => (
              <li key={index} className="rounded-md border border-slate-200 bg-white p-2 text-xs">
                <p className="mb-0.5 font-mono text-[10px] tracking-wide text-slate-400 uppercase">{message.role}</p>
                <p className="line-clamp-6 break-words whitespace-pre-wrap text-slate-700">
                  {message.role === "assistant"
                    ? [message.content, ...(message.toolCalls ?? []).map((call) => `→ ${call.name}(${call.arguments})`)]
                        .filter(Boolean)
                        .join("\n")
                    : message.content}
                </p>
              </li>
            ))}
          </ol>
        </div>
      )}
    </div>
  );
}
