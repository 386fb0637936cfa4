/**
 * What a model call cost, or `null` when nobody knows: a price we do not have is never
 * counted as $0 (a run on an unpriced paid model shows "unknown", not "$0").
 *
 * Order: a workspace's own price for the model (Settings → Model prices) → RunPod's price per
 * second of worker time → free local providers (Ollama, the demo model) → the list prices
 * below → unknown.
 *
 * The list: USD per million tokens at standard (non-batch, uncached) rates. Cached input is
 * billed here at the full input rate, so a figure is an upper bound when the provider hit its
 * prompt cache. Sources, checked on PRICES_CHECKED_ON: OpenAI's API pricing page
 * (openai.com/api/pricing, as quoted from it in mid-2026 for the GPT-5.4/5.5 family) and
 * Anthropic's (platform.claude.com/docs/en/about-claude/pricing). Prices change: update
 * the table and the date together; a workspace can override any model meanwhile.
 */

export const PRICES_CHECKED_ON = "2026-11-29";

export type TokenPrice = { inputPerMTok: number; outputPerMTok: number };

const price = (inputPerMTok: number, outputPerMTok: number): TokenPrice => ({ inputPerMTok, outputPerMTok });

export const LIST_PRICES: Readonly<Record<string, TokenPrice>> = {
  // OpenAI
  "gpt-5.5": price(5, 30),
  "gpt-5.5-pro": price(30, 180),
  "gpt-5.4": price(2.5, 15),
  "gpt-5.4-mini": price(0.75, 4.5),
  "gpt-5.4-nano": price(0.2, 1.25),
  "gpt-5.4-pro": price(30, 180),
  "gpt-5.3-codex": price(1.75, 14),
  "gpt-5.2": price(1.75, 14),
  "gpt-5.2-codex": price(1.75, 14),
  "gpt-5.2-pro": price(21, 168),
  "gpt-5.1": price(1.25, 10),
  "gpt-5": price(1.25, 10),
  "gpt-5-mini": price(0.25, 2),
  "gpt-5-nano": price(0.05, 0.4),
  "gpt-5-pro": price(15, 120),
  "gpt-4.1": price(2, 8),
  "gpt-4.1-mini": price(0.4, 1.6),
  "gpt-4.1-nano": price(0.1, 0.4),
  "gpt-4o": price(2.5, 10),
  "gpt-4o-mini": price(0.15, 0.6),
  o3: price(2, 8),
  "o3-pro": price(20, 80),
  "o3-mini": price(1.1, 4.4),
  "o4-mini": price(1.1, 4.4),
  o1: price(15, 60),
  "o1-pro": price(150, 600),
  // Anthropic
  "claude-opus-4-6": price(5, 25),
  "claude-opus-4-5": price(5, 25),
  "claude-opus-4-1": price(15, 75),
  "claude-opus-4": price(15, 75),
  "claude-opus-4-0": price(15, 75),
  "claude-sonnet-4-6": price(3, 15),
  "claude-sonnet-4-5": price(3, 15),
  "claude-sonnet-4": price(3, 15),
  "claude-sonnet-4-0": price(3, 15),
  "claude-3-7-sonnet": price(3, 15),
  "claude-haiku-4-5": price(1, 5),
  "claude-3-5-haiku": price(0.8, 4),
  "claude-3-opus": price(15, 75),
  "claude-3-haiku": price(0.25, 1.25),
};

/** Providers that run on the user's own hardware or are built in: nothing is billed. */
const FREE_PROVIDER_KINDS: ReadonlySet<string> = new Set(["ollama", "demo"]);

/**
 * The list price of a model, by its exact name or its family's: dated snapshots and aliases
 * ("gpt-4o-2024-08-06", "claude-sonnet-4-5-20250929", "claude-3-5-haiku-latest") and a
 * router's provider prefix ("openai/gpt-4o") resolve to the base model.
 */
export function listPrice(model: string): TokenPrice | null {
  const name = model.trim().toLowerCase().replace(/^(openai|anthropic)\//, "");
  const base = name.replace(/-(\d{4}-\d{2}-\d{2}|\d{8}|latest)$/, "");
  return LIST_PRICES[name] ?? LIST_PRICES[base] ?? null;
}

export type PricedCall = {
  /** The provider's kind (openai, anthropic, runpod, ollama, openai_compatible, demo). */
  providerKind: string;
  /** How the provider bills: per token, or per second of worker time (RunPod serverless). */
  billing: { kind: "per_token" } | { kind: "per_second"; usdPerSecond: number };
  model: string;
  usage: { promptTokens: number; completionTokens: number };
  latencyMs: number;
};

/** USD of one call, or null when its price is unknown. `override` is the workspace's price for the model. */
export function priceCall(call: PricedCall, override: TokenPrice | null = null): number | null {
  if (override) return tokenCost(call.usage, override);
  if (call.billing.kind === "per_second") return (call.latencyMs / 1000) * call.billing.usdPerSecond;
  if (FREE_PROVIDER_KINDS.has(call.providerKind)) return 0;
  // A RunPod endpoint without a price per second runs a model of its own: no list price fits it.
  if (call.providerKind === "runpod") return null;
  const listed = listPrice(call.model);
  return listed ? tokenCost(call.usage, listed) : null;
}

function tokenCost(usage: PricedCall["usage"], price: TokenPrice): number {
  return (usage.promptTokens * price.inputPerMTok + usage.completionTokens * price.outputPerMTok) / 1_000_000;
}
