"use client";

import { useCallback, useId, useMemo } from "react";
import { useShallow } from "zustand/react/shallow";
import type { NodeDataOf } from "@/server/engine/graph";
import { useEditorStore } from "../store/editor-store-provider";
import type { EditorState } from "../store/types";
import { useNodeData, useUpdateNodeData } from "../store/node-data";
import { ON_ERROR_HINTS, ON_ERROR_LABELS } from "../nodes/for-each-labels";
import { numberRules } from "./field-rules";
import { Field, NumberField, SELECT, TextField } from "./fields";
import { upstreamNodeIds } from "./upstream-nodes";

const CONCURRENCY_RULES = numberRules("for_each", "concurrency");
const ON_ERROR = ["fail", "skip", "collect"] as const satisfies readonly NodeDataOf<"for_each">["onError"][];

/** Lists a for-each could go through: the sample input's list fields, and the outputs of the nodes before it. */
function listSuggestions(s: EditorState, nodeId: string): string[] {
  const trigger = s.nodes.find((node) => node.type === "trigger");
  const fromInput = trigger?.type === "trigger" ? listFieldsOf(trigger.data.sampleInput).map((key) => `input.${key}`) : [];
  const upstream = new Set(upstreamNodeIds(s, nodeId));
  const fromNodes = s.nodes.filter((node) => upstream.has(node.id) && node.type !== "trigger" && node.type !== "output").map((node) => `nodes.${node.id}.output`);
  return [...fromInput, ...fromNodes];
}

function listFieldsOf(sample: string): string[] {
  try {
    const parsed: unknown = JSON.parse(sample);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return [];
    return Object.entries(parsed).filter(([, value]) => Array.isArray(value)).map(([key]) => key);
  } catch {
    return [];
  }
}

/**
 * The for-each's settings: the list (an expression), how many items run at once, and what a
 * failed item does. What the body sees of its item is said here, where the list is chosen.
 */
export function ForEachForm({ nodeId }: { nodeId: string }) {
  const data = useNodeData(nodeId, "for_each");
  const update = useUpdateNodeData(nodeId, "for_each");
  const onErrorId = useId();
  const suggestions = useEditorStore(useShallow(useCallback((s: EditorState) => listSuggestions(s, nodeId), [nodeId])));
  const shown = useMemo(() => suggestions.filter((suggestion) => suggestion !== data?.items.trim()).slice(0, 6), [suggestions, data?.items]);
  if (!data) return null;
  return (
    <div className="space-y-4">
      <TextField label="Label" value={data.label} maxLength={120} onChange={(label) => update({ label })} />
      <TextField
        label="Items"
        value={data.items}
        maxLength={2_000}
        onChange={(items) => update({ items })}
        mono
        placeholder="input.tickets"
        error={data.items.trim() === "" ? "Say which list to go through, e.g. input.tickets" : null}
        hint={
          <div className="space-y-1.5">
            <p>
              An expression giving a list: <code className="font-mono">input.tickets</code> or{" "}
              <code className="font-mono">nodes.&lt;id&gt;.output.items</code>.
            </p>
            <p>
              Each item runs the nodes on the <span className="font-medium">item</span> output as a run of its own; there,{" "}
              <code className="font-mono">{"{{item}}"}</code> is the item and <code className="font-mono">{"{{index}}"}</code> its place (from 0).
              The <span className="font-medium">done</span> output gets the results, in the list&apos;s order.
            </p>
          </div>
        }
      />
      {/* Apart from the hint: an empty list shows its error in the hint's place, and these are the way out. */}
      {shown.length > 0 && (
        <div className="-mt-2 flex flex-wrap items-center gap-1" aria-label="Lists to use">
          <span className="text-[11px] text-slate-500">Use:</span>
          {shown.map((suggestion) => (
            <button
              key={suggestion}
              type="button"
              onClick={() => update({ items: suggestion })}
              className="rounded border border-slate-200 bg-slate-50 px-1.5 py-0.5 font-mono text-[11px] text-slate-700 hover:border-accent-300 hover:bg-accent-50"
            >
              {suggestion}
            </button>
          ))}
        </div>
      )}
      <NumberField
        label="Concurrency"
        value={data.concurrency}
        onChange={(concurrency) => update({ concurrency })}
        rules={CONCURRENCY_RULES}
        hint={`Items running at the same time (${CONCURRENCY_RULES.min ?? 1}–${CONCURRENCY_RULES.max ?? 50}).`}
      />
      <Field label="On error" htmlFor={onErrorId} hint={ON_ERROR_HINTS[data.onError]}>
        <select
          id={onErrorId}
          value={data.onError}
          onChange={(event) => {
            const onError = ON_ERROR.find((value) => value === event.target.value);
            if (onError) update({ onError });
          }}
          className={SELECT}
        >
          {ON_ERROR.map((value) => (
            <option key={value} value={value}>
              {ON_ERROR_LABELS[value]}
            </option>
          ))}
        </select>
      </Field>
    </div>
  );
}
