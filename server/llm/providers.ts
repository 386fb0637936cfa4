import { createHash } from "node:crypto";
import type OpenAI from "openai";
import { getEnv, type Env } from "../env";
import { DEMO_MODEL_NAME } from "./demo-model";
import { appSecret } from "../auth/app-secrets";
import { loadOnFirstUse } from "./load-on-first-use";

export function demoModelKey(env: Env = getEnv()): string {
  return appSecret("demo-model", env).toString("base64url");
}

/**
 * Every model is reached through the official `openai` client; a provider is just a base
 * URL, a key, a default model and a price. "default" resolves to the first provider the
 * environment configures, or to the built-in demo model when none is.
 */

/** What protocol and billing a provider has; workspace providers add anthropic and any OpenAI-compatible server. */
export type ProviderKind = "openai" | "anthropic" | "runpod" | "ollama" | "openai_compatible" | "demo";

export type ProviderConfig = {
  /** The name agents refer to: an environment provider's id, or a workspace provider's name. */
  id: string;
  kind: ProviderKind;
  /** Identity of this configuration in the process (client and concurrency caches). */
  cacheKey: string;
  baseURL: string;
  apiKey: string;
  defaultModel: string;
  /** RunPod serverless bills per second of worker time; others per token. */
  pricing: { kind: "per_token" } | { kind: "per_second"; usdPerSecond: number };
  /** RunPod workers may cold-start: allow a longer first response. */
  timeoutMs: number;
  /** OpenAI organization header, when set. */
  organization?: string;
};

export function configuredProviders(env: Env = getEnv()): ProviderConfig[] {
  const providers: ProviderConfig[] = [];
  if (env.OPENAI_API_KEY) {
    providers.push({
      id: "openai",
      kind: "openai",
      cacheKey: "env:openai",
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
      kind: "runpod",
      cacheKey: "env:runpod",
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
      kind: "ollama",
      cacheKey: "env:ollama",
      baseURL: `${env.OLLAMA_BASE_URL.replace(/\/$/, "")}/v1`,
      apiKey: "ollama",
      defaultModel: env.OLLAMA_MODEL,
      pricing: { kind: "per_token" },
      timeoutMs: 120_000,
    });
  }
  providers.push({
    id: "demo",
    kind: "demo",
    cacheKey: "env:demo",
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

/** The `openai` package, loaded with the first call (see loadOnFirstUse; ~13 MiB in a bare node process). */
const openAiSdk = loadOnFirstUse(async () => (await import("openai")).default);

/** An error of the openai client with an HTTP status. Without the SDK loaded no call was made, so none can be. */
export function isOpenAiApiError(error: unknown): error is InstanceType<typeof OpenAI.APIError> & { status: number } {
  const sdk = openAiSdk.loaded();
  return sdk !== undefined && error instanceof sdk.APIError && typeof error.status === "number";
}

const clients = new Map<string, OpenAI>();

export async function clientFor(provider: ProviderConfig, env: Env = getEnv()): Promise<OpenAI> {
  const OpenAiClient = await openAiSdk.load();
  // The key is part of the identity: a rotated key gets a new client.
  const key = `${provider.cacheKey}|${provider.baseURL}|${provider.organization ?? ""}|${createHash("sha256").update(provider.apiKey).digest("hex").slice(0, 16)}`;
  let client = clients.get(key);
  if (!client) {
    // The client retries 429/5xx and timeouts with exponential backoff and honours Retry-After.
    client = new OpenAiClient({
      baseURL: provider.baseURL,
      apiKey: provider.apiKey,
      ...(provider.organization ? { organization: provider.organization } : {}),
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

const limits = new Map<string, Semaphore>();

export function providerLimit(provider: ProviderConfig, env: Env = getEnv()): Semaphore {
  let limit = limits.get(provider.cacheKey);
  if (!limit) {
    limit = new Semaphore(env.LLM_CONCURRENCY);
    limits.set(provider.cacheKey, limit);
  }
  return limit;
}
