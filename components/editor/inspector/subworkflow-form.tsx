"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useRef } from "react";
import { errorMessage, useTRPC } from "@/components/trpc";
import { formatDateTime } from "@/components/ui/format";
import { useEditorStore } from "../store/editor-store-provider";
import type { EditorState } from "../store/types";
import { useNodeData, useUpdateNodeData } from "../store/node-data";
import { Field, jsonError, SELECT, TextAreaField, TextField } from "./fields";
import { TemplateHints } from "./template-hints";

const selectWorkflowId = (s: EditorState) => s.workflowId;

/**
 * The sub-workflow's settings: which of the workspace's other workflows it runs (its published
 * version, pinned when the child run starts), and the child's input.
 */
export function SubworkflowForm({ nodeId }: { nodeId: string }) {
  const data = useNodeData(nodeId, "subworkflow");
  const update = useUpdateNodeData(nodeId, "subworkflow");
  const ownWorkflowId = useEditorStore(selectWorkflowId);
  const trpc = useTRPC();
  const pickerId = useId();
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const workflows = useQuery({ ...trpc.workflow.list.queryOptions(), staleTime: 60_000 });
  const chosen = data?.workflowId ?? "";
  const release = useQuery({ ...trpc.workflow.releaseState.queryOptions({ id: chosen }), enabled: chosen !== "" && chosen !== ownWorkflowId });
  if (!data) return null;

  // A workflow cannot call itself (validation refuses it too): the picker offers only the others.
  const others = (workflows.data ?? []).filter((workflow) => workflow.id !== ownWorkflowId);
  const known = chosen === "" || others.some((workflow) => workflow.id === chosen);
  const pickerError =
    chosen === ownWorkflowId
      ? "A workflow cannot run itself"
      : workflows.isError
        ? errorMessage(workflows.error)
        : workflows.data && !known
          ? "This workflow no longer exists in the workspace"
          : release.isError
            ? errorMessage(release.error)
            : release.data && !release.data.published
              ? "It has no published version yet: publish it, or the run fails here"
              : null;

  return (
    <div className="space-y-4">
      <TextField label="Label" value={data.label} maxLength={120} onChange={(label) => update({ label })} />
      <Field
        label="Workflow"
        htmlFor={pickerId}
        error={pickerError}
        hint={
          chosen === "" ? (
            "Runs the workflow's published version, pinned when the child run starts."
          ) : release.data?.published ? (
            <>
              Runs version {release.data.published.version} (published {formatDateTime(release.data.published.publishedAt)}) until a newer one is published ·{" "}
              <Link href={`/workflows/${chosen}`} className="text-accent-700 hover:underline">
                Open it
              </Link>
            </>
          ) : (
            "Runs the workflow's published version, pinned when the child run starts."
          )
        }
      >
        <select id={pickerId} value={chosen} onChange={(event) => update({ workflowId: event.target.value })} className={SELECT} disabled={workflows.isPending}>
          <option value="">{workflows.isPending ? "Loading workflows…" : others.length === 0 ? "No other workflow in this workspace" : "Choose a workflow…"}</option>
          {!known && <option value={chosen}>{chosen === ownWorkflowId ? "This workflow" : `Missing workflow (${chosen})`}</option>}
          {others.map((workflow) => (
            <option key={workflow.id} value={workflow.id}>
              {workflow.name}
            </option>
          ))}
        </select>
      </Field>
      <TextAreaField
        label="Input (JSON)"
        value={data.input}
        maxLength={50_000}
        rows={5}
        mono
        spellCheck={false}
        textareaRef={inputRef}
        placeholder="Empty: the output of the node before this one"
        onChange={(input) => update({ input })}
        error={jsonError(data.input)}
        hint={
          <>
            <p>
              The child run&apos;s input. String values may hold templates, e.g.{" "}
              <code className="font-mono">{'{"ticket": "{{previous}}"}'}</code>.
            </p>
            <TemplateHints nodeId={nodeId} value={data.input} onChange={(input) => update({ input })} textareaRef={inputRef} />
          </>
        }
      />
    </div>
  );
}
