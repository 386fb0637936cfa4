"use client";

import { useMemo, useRef } from "react";
import { useQueries, useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { nodeNamer } from "@/server/engine/node-name";
import type { GraphProblem } from "@/server/engine/validate";
import { useEditorStore } from "./store/editor-store-provider";
import type { EditorState } from "./store/types";

/**
 * The nodes, as the same array until a node is added or removed or its settings change: moving,
 * measuring or selecting cards (every frame of a drag) does not recompute the checks below, which
 * go through every node of the graph.
 */
function useNodesBySettings(): EditorState["nodes"] {
  const last = useRef<EditorState["nodes"]>([]);
  return useEditorStore((state) => {
    const previous = last.current;
    const same =
      previous.length === state.nodes.length &&
      state.nodes.every((node, index) => node.id === previous[index]?.id && node.type === previous[index]?.type && node.data === previous[index]?.data);
    if (!same) last.current = state.nodes;
    return last.current;
  });
}

/**
 * Agents whose provider (or a fallback's) this workspace cannot use (not configured, or a
 * kind runs do not support), or whose model a provider with a complete model list does not
 * offer, as problems at their node: the same checks the server makes before a run
 * (server/llm/check-providers.ts), fed by providers.list and providers.models. Nothing is
 * reported until the lists have loaded.
 */
export function useProviderProblems(): GraphProblem[] {
  const trpc = useTRPC();
  const list = useQuery(trpc.providers.list.queryOptions());
  const nodes = useNodesBySettings();
  const choices = list.data?.choices;
  const defaultName = list.data?.defaultName;

  const uses = useMemo(() => {
    // Named as the graph's own problems name nodes (server/engine/node-name.ts).
    const nameOf = nodeNamer({ nodes });
    return nodes.flatMap((node) =>
        node.type === "agent"
          ? [{ provider: node.data.provider, model: node.data.model }, ...node.data.fallbacks].map((use, index) => ({
              nodeId: node.id,
              label: nameOf(node),
              where: index === 0 ? "" : ` (fallback ${index})`,
              provider: use.provider === "default" || use.provider === "" ? (defaultName ?? "") : use.provider,
              isDefault: use.provider === "default" || use.provider === "",
              model: use.model.trim(),
            }))
          : [],
    );
  }, [nodes, defaultName]);
  const checkedProviders = useMemo(
    () => [...new Set(uses.filter((use) => use.model !== "" && choices?.find((choice) => choice.name === use.provider)?.modelsComplete).map((use) => use.provider))],
    [uses, choices],
  );
  const modelLists = useQueries({
    queries: checkedProviders.map((provider) => ({ ...trpc.providers.models.queryOptions({ provider }), staleTime: 60_000 })),
  });
  const listed = new Map(checkedProviders.map((provider, index) => [provider, modelLists[index]?.data]));
  const listedKey = modelLists.map((query) => query.dataUpdatedAt).join("|");

  return useMemo(() => {
    if (!choices) return [];
    return uses.flatMap((use): GraphProblem[] => {
      if (use.isDefault && use.model === "") return [];
      const choice = choices.find((candidate) => candidate.name === use.provider);
      if (!use.isDefault) {
        const reason = !choice ? `Provider "${use.provider}" is not configured in this workspace (Settings → Model providers)` : choice.unsupported ? `Provider "${use.provider}": ${choice.unsupported}` : null;
        if (reason) return [{ severity: "error", code: "provider_unavailable", message: `${use.label}${use.where}: ${reason}`, nodeId: use.nodeId }];
      }
      const models = listed.get(use.provider);
      if (use.model === "" || !choice?.modelsComplete || !models?.ok || models.models.includes(use.model)) return [];
      return [{ severity: "error", code: "model_unknown", message: `${use.label}${use.where}: provider "${use.provider}" has no model "${use.model}"`, nodeId: use.nodeId }];
    });
    // `listed` is rebuilt each render; listedKey changes whenever one of its lists does.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [choices, uses, listedKey]);
}

/**
 * Agents that picked a tool of an MCP server this workspace no longer has, as problems at
 * their node: the start check's (server/mcp-client/check-servers.ts), fed by
 * mcpServers.toolChoices. Nothing is reported until the list has loaded.
 */
export function useMcpServerProblems(): GraphProblem[] {
  const trpc = useTRPC();
  const servers = useQuery(trpc.mcpServers.toolChoices.queryOptions());
  const nodes = useNodesBySettings();
  const known = servers.data;
  return useMemo(() => {
    if (!known) return [];
    const ids = new Set(known.map((server) => server.serverId));
    const nameOf = nodeNamer({ nodes });
    return nodes.flatMap((node): GraphProblem[] =>
      node.type !== "agent"
        ? []
        : node.data.mcpTools
            .filter((tool) => !ids.has(tool.serverId))
            .map((tool) => ({
              severity: "error",
              code: "mcp_server_missing",
              message: `${nameOf(node)}: the MCP server "${tool.serverName}" of tool ${tool.name} is not in this workspace (Settings → MCP servers)`,
              nodeId: node.id,
            })),
    );
  }, [known, nodes]);
}

