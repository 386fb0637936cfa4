"use client";

import { useCallback, useMemo, type RefObject } from "react";
import { useShallow } from "zustand/react/shallow";
import { useEditorStore } from "../store/editor-store-provider";
import type { EditorState } from "../store/types";
import { enclosingForEachIds, upstreamNodeIds } from "./upstream-nodes";

/**
 * Nodes whose output a template of `nodeId` can read: those upstream of it (a node that runs
 * later has no output yet), minus the trigger (that is `input`) and outputs (they end the run).
 */
const upstreamReadableIds = (s: EditorState, nodeId: string) => {
  const upstream = new Set(upstreamNodeIds(s, nodeId));
  return s.nodes.filter((node) => upstream.has(node.id) && node.type !== "trigger" && node.type !== "output").map((node) => node.id);
};
const selectTriggerSample = (s: EditorState) => {
  const trigger = s.nodes.find((node) => node.type === "trigger");
  return trigger?.type === "trigger" ? trigger.data.sampleInput : "";
};

function inputKeys(sample: string): string[] {
  try {
    const parsed: unknown = JSON.parse(sample);
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? Object.keys(parsed) : [];
  } catch {
    return [];
  }
}

/**
 * The variables a template can use, as chips that insert at the cursor. Input fields come
 * from the trigger's sample input; node outputs from the nodes that run before this one.
 */
export function TemplateHints({
  nodeId,
  value,
  onChange,
  textareaRef,
}: {
  nodeId: string;
  value: string;
  onChange: (value: string) => void;
  textareaRef: RefObject<HTMLTextAreaElement | null>;
}) {
  const nodeIds = useEditorStore(useShallow(useCallback((s: EditorState) => upstreamReadableIds(s, nodeId), [nodeId])));
  const sample = useEditorStore(selectTriggerSample);
  const inForEach = useEditorStore(useCallback((s: EditorState) => enclosingForEachIds(s, nodeId).length > 0, [nodeId]));
  const keys = useMemo(() => inputKeys(sample), [sample]);

  const variables = [
    // In a for-each's body: the item this run is for, and its place in the list.
    ...(inForEach ? ["{{item}}", "{{index}}"] : []),
    ...(keys.length ? keys.map((key) => `{{input.${key}}}`) : ["{{input.x}}"]),
    "{{previous}}",
    ...nodeIds.map((id) => `{{nodes.${id}.output}}`),
  ];

  const insert = (token: string) => {
    const element = textareaRef.current;
    const start = element?.selectionStart ?? value.length;
    const end = element?.selectionEnd ?? value.length;
    onChange(value.slice(0, start) + token + value.slice(end));
    // Put the caret after the inserted variable once React has rendered the new value.
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(start + token.length, start + token.length);
    });
  };

  return (
    <div className="flex flex-wrap gap-1 pt-0.5" aria-label="Insert a variable">
      {variables.map((token) => (
        <button
          key={token}
          type="button"
          onClick={() => insert(token)}
          className="rounded border border-slate-200 bg-slate-50 px-1.5 py-0.5 font-mono text-[11px] text-slate-600 hover:border-accent-200 hover:bg-accent-50 hover:text-accent-700"
        >
          {token}
        </button>
      ))}
    </div>
  );
}
