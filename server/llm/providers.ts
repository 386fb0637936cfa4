import OpenAI from "openai";
import { getEnv, type Env } from "../env";
import { DEMO_MODEL_NAME } from "./demo-model";
import { appSecret } from "../auth/app-secrets";

export function demoModelKey(env: Env = getEnv()): string {
  return appSecret("demo-model", env).toString("base64url");
}

/**
 * Every model is reached through the official `openai` client; a provider is just a base
 * URL, a key, a default model and a price. "default" resolves to the first provider the
 * environment configures, or to the built-in demo model when none is.
 */

export type ProviderId = "openai" | "runpod" | "ollama" | "demo";

export type ProviderConfig = {
  id: ProviderId;
  baseURL: string;
  apiKey: string;
  defaultModel: string;
  /** RunPod serverless bills per second of worker time; others per token. */
  pricing: { kind: "per_token" } | { kind: "per_second"; usdPerSecond: number };
  /** RunPod workers may cold-start: allow a longer first response. */
  timeoutMs: number;
};

/** USD per million tokens (input, output), for models whose price is public. */
const TOKEN_PRICES: Record<string, { input: number; output: number }> = {
  "gpt-4o-mini": { input: 0.15, output: 0.6 },
  "gpt-4o": { input: 2.5, output: 10 },
  "gpt-4.1": { input: 2, output: 8 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4 },
};

export function configuredProviders(env: Env = getEnv()): ProviderConfig[] {
  const providers: ProviderConfig[] = [];
  if (env.OPENAI_API_KEY) {
    providers.push({
      id: "openai",
      baseURL: env.OPENAI_BASE_URL ?? "https://api.openai.com/v1",
      apiKey: env.OPENAI_API_KEY,
      defaultModel: env.OPENAI_MODEL,
      pricing: { kind: "per_token" },
      timeoutMs: 60_000,
    });
  }
  if (env.RUNPOD_API_KEY && env.RUNPOD_ENDPOINT_ID) {
    providers.push({
      id: "runpod",
      baseURL: `https://api.runpod.ai/v2/${env.RUNPOD_ENDPOINT_ID}/openai/v1`,
      apiKey: env.RUNPOD_API_KEY,
      defaultModel: env.RUNPOD_MODEL ?? "default",
      pricing: { kind: "per_second", usdPerSecond: env.RUNPOD_USD_PER_SECOND },
      timeoutMs: 180_000,
    });
  }
  if (env.OLLAMA_BASE_URL) {
    providers.push({
      id: "ollama",
      baseURL: `${env.OLLAMA_BASE_URL.replace(/\/$/, "")}/v1`,
      apiKey: "ollama",
      defaultModel: env.OLLAMA_MODEL,
      pricing: { kind: "per_token" },
      timeoutMs: 120_000,
    });
  }
  providers.push({
    id: "demo",
    baseURL: env.DEMO_MODEL_URL ?? `${env.APP_URL.replace(/\/$/, "")}/api/demo-model/v1`,
    // The demo route answers only the app's own worker: this key is derived from the master
    // key, which web and worker share and nobody else has.
    apiKey: demoModelKey(env),
    defaultModel: DEMO_MODEL_NAME,
    pricing: { kind: "per_token" },
    timeoutMs: 30_000,
  });
  return providers;
}

export function resolveProvider(requested: string, env: Env = getEnv()): ProviderConfig {
  const providers = configuredProviders(env);
  if (requested === "default" || requested === "") return providers[0] as ProviderConfig;
  const found = providers.find((provider) => provider.id === requested);
  if (!found) throw new Error(`Provider "${requested}" is not configured (available: ${providers.map((p) => p.id).join(", ")})`);
  return found;
}

export function costUsd(provider: ProviderConfig, model: string, usage: { promptTokens: number; completionTokens: number }, latencyMs: number): number {
  if (provider.pricing.kind === "per_second") return (latencyMs / 1000) * provider.pricing.usdPerSecond;
  const price = provider.id === "openai" ? TOKEN_PRICES[model] : undefined;
  if (!price) return 0;
  return (usage.promptTokens * price.input + usage.completionTokens * price.output) / 1_000_000;
}

const clients = new Map<string, OpenAI>();

export function clientFor(provider: ProviderConfig, env: Env = getEnv()): OpenAI {
  const key = `${provider.id}|${provider.baseURL}`;
  let client = clients.get(key);
  if (!client) {
    // The client retries 429/5xx and timeouts with exponential backoff and honours Retry-After.
    client = new OpenAI({
      baseURL: provider.baseURL,
      apiKey: provider.apiKey,
      timeout: env.LLM_TIMEOUT_MS ?? provider.timeoutMs,
      maxRetries: env.LLM_MAX_RETRIES,
    });
    clients.set(key, client);
  }
  return client;
}

/**
 * Caps concurrent requests per provider in this process; excess callers wait their turn.
 * A waiter whose signal aborts (its run was cancelled) leaves the line without a slot.
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  async run<T>(signal: AbortSignal | undefined, task: () => Promise<T>): Promise<T> {
    signal?.throwIfAborted();
    if (this.active >= this.limit) await this.waitForSlot(signal);
    this.active += 1;
    try {
      return await task();
    } finally {
      this.active -= 1;
      this.waiting.shift()?.();
    }
  }

  private waitForSlot(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(granted), 1);
        reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
      };
      const granted = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      this.waiting.push(granted);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}

const limits = new Map<ProviderId, Semaphore>();

export function providerLimit(provider: ProviderConfig, env: Env = getEnv()): Semaphore {
  let limit = limits.get(provider.id);
  if (!limit) {
    limit = new Semaphore(env.LLM_CONCURRENCY);
    limits.set(provider.id, limit);
  }
  return limit;
}
