import type { Db } from "../db";
import type { Graph } from "../engine/graph";
import type { GraphProblem } from "../engine/validate";
import { nodeNamer } from "../engine/node-name";
import { providerChoices, providerModels, unusableProviders, type ProviderChoice } from "./workspace-providers";

/** How long a run start waits for a model list it has not cached; unknown in time = not checked (the call itself will say). */
const MODEL_LIST_WAIT_MS = 2_000;

type AgentModel = { nodeId: string; label: string; where: string; provider: string; model: string };

/**
 * Before a run: every agent's and router's provider (and each fallback) must be one this
 * workspace can use (its own, the environment's or the demo model) and of a kind runs
 * support, and a model named for a provider whose list is complete must be on it. Each
 * problem names its node, in the same shape as `validateGraph`'s, so the start check refuses
 * it with the others.
 */
export async function providerProblems(db: Db, workspaceId: string, graph: Graph): Promise<GraphProblem[]> {
  const nameOf = nodeNamer(graph);
  const uses: AgentModel[] = graph.nodes.flatMap((node): AgentModel[] => {
    if (node.type === "router") return [{ nodeId: node.id, label: nameOf(node), where: "", provider: node.data.provider, model: node.data.model }];
    if (node.type !== "agent") return [];
    return [{ provider: node.data.provider, model: node.data.model }, ...node.data.fallbacks].map((use, index) => ({
      nodeId: node.id,
      label: nameOf(node),
      where: index === 0 ? "" : ` (fallback ${index})`,
      ...use,
    }));
  });
  // Agents on the default provider with its default model need nothing from the database.
  if (!uses.some((use) => (use.provider !== "default" && use.provider !== "") || use.model.trim() !== "")) return [];
  const { choices, defaultName } = await providerChoices(db, workspaceId);
  const unusable = unusableProviders(choices, uses.map((use) => use.provider));
  const problems = uses.flatMap((use): GraphProblem[] => {
    const reason = unusable.get(use.provider);
    return reason ? [{ severity: "error", code: "provider_unavailable", message: `${use.label}${use.where}: ${reason}`, nodeId: use.nodeId }] : [];
  });
  const named = uses.filter((use) => use.model.trim() !== "" && !unusable.has(use.provider));
  return named.length === 0 ? problems : [...problems, ...(await unknownModels(db, workspaceId, named, choices, defaultName))];
}

async function unknownModels(db: Db, workspaceId: string, uses: AgentModel[], choices: readonly ProviderChoice[], defaultName: string): Promise<GraphProblem[]> {
  const checks = uses.map(async (use): Promise<GraphProblem[]> => {
    const name = use.provider === "default" || use.provider === "" ? defaultName : use.provider;
    const choice = choices.find((candidate) => candidate.name === name);
    if (!choice?.modelsComplete) return [];
    const list = await withinWait(providerModels(db, workspaceId, name));
    if (!list?.ok || list.models.includes(use.model.trim())) return [];
    const sample = list.models.slice(0, 5).join(", ");
    return [
      {
        severity: "error",
        code: "model_unknown",
        message: `${use.label}${use.where}: provider "${name}" has no model "${use.model}" (it lists ${list.models.length}${sample ? `: ${sample}${list.models.length > 5 ? ", …" : ""}` : ""})`,
        nodeId: use.nodeId,
      },
    ];
  });
  return (await Promise.all(checks)).flat();
}

async function withinWait<T>(pending: Promise<T>): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), MODEL_LIST_WAIT_MS);
  });
  try {
    return await Promise.race([pending.catch(() => null), late]);
  } finally {
    clearTimeout(timer);
  }
}
