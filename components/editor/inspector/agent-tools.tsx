"use client";

import { COMPLETE_TASK, REQUEST_HUMAN_INPUT } from "@/server/engine/agent-tools";
import { TOOL_CATALOG, type ToolRisk } from "@/server/engine/tools/catalog";
import { useUpdateNodeData } from "../store/node-data";

type ToolChoice = { name: string; description: string; risk: ToolRisk | "human"; requiresApproval: boolean };

/** Everything a builder can allow an agent, from the engine's own catalog. */
const CHOICES: ToolChoice[] = [
  {
    name: REQUEST_HUMAN_INPUT,
    description: "Ask a person a question and wait for the answer.",
    risk: "human",
    requiresApproval: false,
  },
  ...Object.values(TOOL_CATALOG).map((entry) => ({
    name: entry.name,
    description: entry.description,
    risk: entry.risk,
    requiresApproval: entry.requiresApproval,
  })),
];

const RISK_STYLE: Record<ToolChoice["risk"], string> = {
  read: "bg-slate-100 text-slate-600",
  write: "bg-sky-100 text-sky-700",
  compute: "bg-violet-100 text-violet-700",
  external: "bg-orange-100 text-orange-700",
  human: "bg-amber-100 text-amber-700",
};

function toggle(list: readonly string[], name: string, on: boolean): string[] {
  return on ? [...list.filter((item) => item !== name), name] : list.filter((item) => item !== name);
}

/** The agent's tool allowlist, with per-tool auto-approval for tools that normally wait for a person. */
export function AgentTools({ nodeId, allowed, autoApprove }: { nodeId: string; allowed: string[]; autoApprove: string[] }) {
  const update = useUpdateNodeData(nodeId, "agent");
  return (
    <fieldset className="space-y-2">
      <legend className="text-xs font-medium text-slate-700">Tools</legend>
      <p className="text-xs text-slate-500">
        <code className="font-mono">{COMPLETE_TASK}</code> is always available: the agent calls it with its final answer.
      </p>
      <ul className="space-y-1.5">
        {CHOICES.map((tool) => {
          const checked = allowed.includes(tool.name);
          const auto = autoApprove.includes(tool.name);
          return (
            <li key={tool.name} className="rounded-md border border-slate-200 p-2">
              <label className="flex items-start gap-2 text-sm text-slate-700">
                <input
                  type="checkbox"
                  checked={checked}
                  className="mt-0.5 accent-accent-600"
                  onChange={(event) =>
                    update({
                      allowedTools: toggle(allowed, tool.name, event.target.checked),
                      // Auto-approval of a tool the agent no longer has would be a silent surprise later.
                      autoApproveTools: event.target.checked ? autoApprove : autoApprove.filter((name) => name !== tool.name),
                    })
                  }
                />
                <span className="min-w-0">
                  <span className="flex items-center gap-1.5">
                    <code className="font-mono text-xs font-medium">{tool.name}</code>
                    <span className={`rounded px-1 text-[10px] font-medium ${RISK_STYLE[tool.risk]}`}>{tool.risk}</span>
                  </span>
                  <span className="mt-0.5 block text-xs text-slate-500">{tool.description}</span>
                </span>
              </label>
              {checked && tool.requiresApproval && (
                <label className="mt-1.5 ml-6 flex items-center gap-1.5 text-xs text-slate-600">
                  <input
                    type="checkbox"
                    checked={auto}
                    className="accent-accent-600"
                    onChange={(event) => update({ autoApproveTools: toggle(autoApprove, tool.name, event.target.checked) })}
                  />
                  Run without asking a person (normally each call waits for approval)
                </label>
              )}
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}
