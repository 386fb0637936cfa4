"use client";

import { useRef } from "react";
import { ROUTER_BRANCH_NAME_PATTERN, type NodeDataOf } from "@/server/engine/graph";
import { Button } from "@/components/ui/button";
import { useNodeData, useUpdateNodeData } from "../store/node-data";
import { AgentProviderFields } from "./agent-provider-fields";
import { SELECT, TextAreaField, TextField } from "./fields";
import { TemplateHints } from "./template-hints";

type Branch = NodeDataOf<"router">["branches"][number];

const MAX_BRANCHES = 20;

/** A branch name as typed, made into one the engine accepts: lower-case, no spaces. */
function branchNameOf(typed: string): string {
  return typed.toLowerCase().replace(/\s+/g, "_").slice(0, 40);
}

function freeBranchName(branches: readonly Branch[]): string {
  const taken = new Set(branches.map((branch) => branch.name));
  for (let index = branches.length + 1; ; index += 1) if (!taken.has(`branch_${index}`)) return `branch_${index}`;
}

/**
 * The router's settings: its model, what it is told, what it classifies, and its branches —
 * each a name (the output's handle and what the model answers) with a description the model
 * reads — plus the default branch taken when the model fails or names none.
 */
export function RouterForm({ nodeId }: { nodeId: string }) {
  const data = useNodeData(nodeId, "router");
  const update = useUpdateNodeData(nodeId, "router");
  const inputRef = useRef<HTMLTextAreaElement>(null);
  if (!data) return null;
  const setBranches = (branches: Branch[], defaultBranch = data.defaultBranch) => update({ branches, defaultBranch });
  const rename = (index: number, typed: string) => {
    const before = data.branches[index]?.name;
    const name = branchNameOf(typed);
    const branches = data.branches.map((branch, at) => (at === index ? { ...branch, name } : branch));
    // The default follows its branch's new name.
    setBranches(branches, before === data.defaultBranch ? name : data.defaultBranch);
  };
  return (
    <div className="space-y-4">
      <TextField label="Label" value={data.label} maxLength={120} onChange={(label) => update({ label })} />
      <AgentProviderFields provider={data.provider} model={data.model} onChange={(patch) => update(patch)} />
      <TextAreaField label="Instructions" value={data.instructions} maxLength={10_000} rows={3} onChange={(instructions) => update({ instructions })} />
      <TextAreaField
        label="Input to classify"
        value={data.input}
        maxLength={50_000}
        rows={2}
        textareaRef={inputRef}
        onChange={(input) => update({ input })}
        hint={<TemplateHints nodeId={nodeId} value={data.input} onChange={(input) => update({ input })} textareaRef={inputRef} />}
      />
      <fieldset className="space-y-2" aria-label="Branches">
        <legend className="text-xs font-medium text-slate-700">Branches (each is an output)</legend>
        {data.branches.map((branch, index) => {
          const invalid = !ROUTER_BRANCH_NAME_PATTERN.test(branch.name);
          const duplicate = data.branches.findIndex((other) => other.name === branch.name) !== index;
          return (
            <div key={index} className="space-y-1 rounded-md border border-slate-200 p-2" data-testid="router-branch">
              <div className="flex items-center gap-2">
                <input
                  aria-label={`Branch ${index + 1} name`}
                  value={branch.name}
                  maxLength={40}
                  onChange={(event) => rename(index, event.target.value)}
                  className={`min-w-0 flex-1 rounded border px-2 py-1 font-mono text-xs ${invalid || duplicate ? "border-red-400" : "border-slate-300"}`}
                />
                <Button
                  size="sm"
                  aria-label={`Remove branch ${branch.name}`}
                  disabled={data.branches.length <= 2}
                  onClick={() => {
                    const branches = data.branches.filter((_, at) => at !== index);
                    setBranches(branches, branch.name === data.defaultBranch ? (branches[0]?.name ?? "") : data.defaultBranch);
                  }}
                >
                  Remove
                </Button>
              </div>
              {(invalid || duplicate) && (
                <p className="text-xs text-red-600">{duplicate ? "Another branch has this name" : "1–40 lower-case letters, digits, _ or -, starting with a letter or digit"}</p>
              )}
              <input
                aria-label={`Branch ${index + 1} description`}
                value={branch.description}
                maxLength={500}
                placeholder="What belongs on this branch (the model reads this)"
                onChange={(event) => setBranches(data.branches.map((other, at) => (at === index ? { ...other, description: event.target.value } : other)))}
                className="w-full rounded border border-slate-300 px-2 py-1 text-xs"
              />
            </div>
          );
        })}
        <Button size="sm" disabled={data.branches.length >= MAX_BRANCHES} onClick={() => setBranches([...data.branches, { name: freeBranchName(data.branches), description: "" }])}>
          Add branch
        </Button>
      </fieldset>
      <label className="block space-y-1">
        <span className="text-xs font-medium text-slate-700">Default branch</span>
        <select className={SELECT} value={data.defaultBranch} onChange={(event) => update({ defaultBranch: event.target.value })}>
          {data.branches.map((branch) => (
            <option key={branch.name} value={branch.name}>
              {branch.name}
            </option>
          ))}
        </select>
        <span className="block text-xs text-slate-500">Taken when the model fails or names no branch; the run log says why.</span>
      </label>
    </div>
  );
}
