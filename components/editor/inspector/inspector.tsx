"use client";

import { useCallback, useDeferredValue } from "react";
import type { NodeKind } from "@/server/engine/graph";
import { Button } from "@/components/ui/button";
import { NODE_KIND_INFO } from "../node-kinds";
import { useEditorStore, useEditorStoreApi } from "../store/editor-store-provider";
import { findNode, selectProblems, selectReadOnly, selectSelectedNodeId } from "../store/selectors";
import type { EditorState } from "../store/types";
import { AgentForm } from "./agent-form";
import { ForEachForm } from "./for-each-form";
import { RouterForm } from "./router-form";
import { SubworkflowForm } from "./subworkflow-form";
import { ConditionForm, HumanForm, LabelOnlyForm, LoopForm, OutputForm, ToolForm, TriggerForm } from "./simple-forms";

/** The settings of the selected node. It re-renders on selection and on this node's data only. */
export function Inspector() {
  // Deferred: a click on a node shows as selected on the canvas at once, and the form (the
  // heavier render) follows in the next, interruptible render.
  const nodeId = useDeferredValue(useEditorStore(selectSelectedNodeId));
  const kind = useEditorStore(useCallback((s: EditorState) => findNode(s, nodeId)?.type, [nodeId]));
  const readOnly = useEditorStore(selectReadOnly);

  if (!nodeId || !kind) {
    return (
      <div className="p-4 text-sm text-slate-500">
        <p className="font-medium text-slate-700">No node selected</p>
        <p className="mt-1">
          {readOnly
            ? "Select a node on the canvas to see its settings."
            : "Select a node on the canvas to edit its settings, or drag one in from the palette."}
        </p>
      </div>
    );
  }

  return (
    <div className="space-y-4 p-4" data-testid="inspector">
      <InspectorHeader nodeId={nodeId} kind={kind} readOnly={readOnly} />
      <NodeProblems nodeId={nodeId} />
      {/* A disabled fieldset disables every control inside: a version, a run or a draft the role cannot edit. */}
      <fieldset disabled={readOnly} className="m-0 min-w-0 border-0 p-0">
        <NodeForm nodeId={nodeId} kind={kind} />
      </fieldset>
    </div>
  );
}

function InspectorHeader({ nodeId, kind, readOnly }: { nodeId: string; kind: NodeKind; readOnly: boolean }) {
  const info = NODE_KIND_INFO[kind];
  const store = useEditorStoreApi();
  const remove = () => {
    const node = findNode(store.getState(), nodeId);
    if (node) void store.getState().onBeforeDelete({ nodes: [node], edges: [] });
  };
  return (
    <div className="flex items-start gap-2.5">
      <span className={`grid size-9 shrink-0 place-items-center rounded-md ${info.tile}`}>
        <info.Icon className="size-5" />
      </span>
      <div className="min-w-0 flex-1">
        <h2 className="text-sm font-semibold text-slate-900">{info.title}</h2>
        <p className="truncate text-xs text-slate-500">
          id <code className="font-mono text-slate-700">{nodeId}</code>
        </p>
      </div>
      {!readOnly && (
        <Button variant="ghost" size="sm" onClick={remove} aria-label="Delete node" title="Delete node (Del)">
          Delete
        </Button>
      )}
    </div>
  );
}

function NodeProblems({ nodeId }: { nodeId: string }) {
  const problems = useEditorStore(selectProblems);
  const mine = problems.filter((problem) => problem.nodeId === nodeId);
  if (mine.length === 0) return null;
  return (
    <ul className="space-y-1 rounded-md border border-red-200 bg-red-50 p-2.5 text-xs text-red-800">
      {mine.map((problem, index) => (
        <li key={`${problem.code}-${index}`} className={problem.severity === "warning" ? "text-amber-800" : undefined}>
          {problem.message}
        </li>
      ))}
    </ul>
  );
}

function NodeForm({ nodeId, kind }: { nodeId: string; kind: NodeKind }) {
  switch (kind) {
    case "trigger":
      return <TriggerForm nodeId={nodeId} />;
    case "agent":
      return <AgentForm nodeId={nodeId} />;
    case "tool":
      return <ToolForm nodeId={nodeId} />;
    case "human":
      return <HumanForm nodeId={nodeId} />;
    case "condition":
      return <ConditionForm nodeId={nodeId} />;
    case "loop":
      return <LoopForm nodeId={nodeId} />;
    case "output":
      return <OutputForm nodeId={nodeId} />;
    case "router":
      return <RouterForm nodeId={nodeId} />;
    case "for_each":
      return <ForEachForm nodeId={nodeId} />;
    case "subworkflow":
      return <SubworkflowForm nodeId={nodeId} />;
    case "parallel":
    case "join":
      return <LabelOnlyForm nodeId={nodeId} kind={kind} />;
  }
}
