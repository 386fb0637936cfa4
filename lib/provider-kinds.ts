/**
 * The kinds of model provider a workspace can add (Settings → Model providers): shared by the
 * server (server/llm/workspace-providers.ts) and the settings form, so the two never disagree.
 */
export const PROVIDER_KINDS = ["openai", "anthropic", "runpod", "ollama", "openai_compatible"] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

export const PROVIDER_KIND_LABELS: Record<ProviderKind, string> = {
  openai: "OpenAI",
  anthropic: "Anthropic",
  runpod: "RunPod serverless (vLLM)",
  ollama: "Ollama",
  openai_compatible: "OpenAI-compatible server",
};

export function isProviderKind(kind: string): kind is ProviderKind {
  return (PROVIDER_KINDS as readonly string[]).includes(kind);
}
