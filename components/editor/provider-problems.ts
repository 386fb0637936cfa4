"use client";

import { useMemo } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import type { GraphProblem } from "@/server/engine/validate";
import { useEditorStore } from "./store/editor-store-provider";

/**
 * Agents whose provider this workspace cannot use (not configured, or a kind runs do not
 * support), as problems at their node: the same check the server makes before a run, fed by
 * providers.list. Nothing is reported until the list has loaded.
 */
export function useProviderProblems(): GraphProblem[] {
  const trpc = useTRPC();
  const list = useQuery(trpc.providers.list.queryOptions());
  const nodes = useEditorStore((state) => state.nodes);
  const choices = list.data?.choices;
  return useMemo(() => {
    if (!choices) return [];
    return nodes.flatMap((node): GraphProblem[] => {
      if (node.type !== "agent") return [];
      const { provider, label } = node.data;
      if (provider === "default" || provider === "") return [];
      const choice = choices.find((candidate) => candidate.name === provider);
      const reason = !choice ? `Provider "${provider}" is not configured in this workspace (Settings → Model providers)` : choice.unsupported ? `Provider "${provider}": ${choice.unsupported}` : null;
      return reason ? [{ severity: "error", code: "provider_unavailable", message: `${label}: ${reason}`, nodeId: node.id }] : [];
    });
  }, [choices, nodes]);
}
