"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC, type RouterOutputs } from "@/components/trpc";
import { COMPLETE_TASK, mcpToolName, REQUEST_HUMAN_INPUT, type McpToolRef } from "@/server/engine/agent-tools";
import { TOOL_CATALOG, type ToolRisk } from "@/server/engine/tools/catalog";
import { useNodeData, useUpdateNodeData } from "../store/node-data";

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
      <McpTools nodeId={nodeId} autoApprove={autoApprove} />
    </fieldset>
  );
}

type ServerChoices = RouterOutputs["mcpServers"]["toolChoices"];
type McpChoice = ServerChoices[number]["tools"][number];

const samePick = (ref: McpToolRef, serverId: string, tool: string) => ref.serverId === serverId && ref.tool === tool;

/**
 * Tools of the workspace's MCP servers (Settings → MCP servers), grouped by server. Picking
 * one copies its description, JSON Schema and destructive mark onto the agent, under a name
 * the model can call (unique within the agent), so the run — and a pinned version — needs no
 * lookup to describe the tool or decide whether a person approves each call.
 */
function McpTools({ nodeId, autoApprove }: { nodeId: string; autoApprove: string[] }) {
  const trpc = useTRPC();
  const choices = useQuery(trpc.mcpServers.toolChoices.queryOptions());
  const picked = useNodeData(nodeId, "agent")?.mcpTools ?? [];
  const update = useUpdateNodeData(nodeId, "agent");
  const servers = choices.data ?? [];
  const offered = new Set(servers.flatMap((server) => server.tools.map((tool) => `${server.serverId}\u0000${tool.tool}`)));
  // Picked earlier, no longer offered (server removed, tool gone or now refused): shown so the builder can drop it.
  const stale = choices.isSuccess ? picked.filter((ref) => !offered.has(`${ref.serverId}\u0000${ref.tool}`)) : [];

  const pick = (serverId: string, serverName: string, tool: McpChoice, on: boolean) => {
    const current = picked.find((ref) => samePick(ref, serverId, tool.tool));
    if (on && !current) {
      const name = mcpToolName(serverName, tool.tool, picked.map((ref) => ref.name));
      const ref: McpToolRef = { name, serverId, serverName, tool: tool.tool, description: tool.description, inputSchema: tool.inputSchema, destructive: tool.destructive };
      update({ mcpTools: [...picked, ref] });
    } else if (!on && current) {
      update({ mcpTools: picked.filter((ref) => ref !== current), autoApproveTools: autoApprove.filter((name) => name !== current.name) });
    }
  };

  return (
    <div className="space-y-1.5 pt-1" data-testid="mcp-tool-picker">
      <p className="text-xs font-medium text-slate-700">From MCP servers</p>
      {choices.isPending && <p className="text-xs text-slate-500">Loading MCP tools…</p>}
      {choices.isError && <p className="text-xs text-red-700">MCP tools could not be loaded: {choices.error.message}</p>}
      {choices.isSuccess && servers.length === 0 && (
        <p className="text-xs text-slate-500">
          No MCP servers in this workspace. An admin adds them in{" "}
          <Link href="/settings/mcp-servers" className="text-accent-700 underline">
            Settings → MCP servers
          </Link>
          .
        </p>
      )}
      {servers.map((server) => (
        <div key={server.serverId} className="rounded-md border border-slate-200" data-mcp-server={server.serverName}>
          <p className="border-b border-slate-100 bg-slate-50 px-2 py-1 text-xs font-medium text-slate-700">
            {server.serverName}
            <span className="ml-1 font-normal text-slate-400">MCP server</span>
          </p>
          {server.tools.length === 0 ? (
            <p className="px-2 py-1.5 text-xs text-slate-500">No tools listed yet: an admin can “Test / refresh tools” in Settings.</p>
          ) : (
            <ul className="divide-y divide-slate-100">
              {server.tools.map((tool) => {
                const ref = picked.find((candidate) => samePick(candidate, server.serverId, tool.tool));
                const auto = ref ? autoApprove.includes(ref.name) : false;
                return (
                  <li key={tool.tool} className="p-2">
                    <label className="flex items-start gap-2 text-sm text-slate-700">
                      <input type="checkbox" checked={Boolean(ref)} className="mt-0.5 accent-accent-600" onChange={(event) => pick(server.serverId, server.serverName, tool, event.target.checked)} />
                      <span className="min-w-0">
                        <span className="flex flex-wrap items-center gap-1.5">
                          <code className="font-mono text-xs font-medium">{tool.tool}</code>
                          {tool.destructive && <span className="rounded bg-orange-100 px-1 text-[10px] font-medium text-orange-700">destructive</span>}
                          {ref && <span className="text-[10px] text-slate-400">as {ref.name}</span>}
                        </span>
                        {tool.description && <span className="mt-0.5 block text-xs text-slate-500">{tool.description}</span>}
                      </span>
                    </label>
                    {ref && ref.destructive && (
                      <label className="mt-1.5 ml-6 flex items-center gap-1.5 text-xs text-slate-600">
                        <input type="checkbox" checked={auto} className="accent-accent-600" onChange={(event) => update({ autoApproveTools: toggle(autoApprove, ref.name, event.target.checked) })} />
                        Run without asking a person (normally each call waits for approval)
                      </label>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      ))}
      {stale.map((ref) => (
        <div key={`${ref.serverId}:${ref.tool}`} className="flex items-start justify-between gap-2 rounded-md border border-amber-200 bg-amber-50 p-2 text-xs text-amber-800" role="alert">
          <span>
            <code className="font-mono">{ref.name}</code>: the server “{ref.serverName}” no longer offers <code className="font-mono">{ref.tool}</code>; calls will fail.
          </span>
          <button type="button" className="shrink-0 underline" onClick={() => update({ mcpTools: picked.filter((candidate) => candidate !== ref), autoApproveTools: autoApprove.filter((name) => name !== ref.name) })}>
            Remove
          </button>
        </div>
      ))}
    </div>
  );
}
