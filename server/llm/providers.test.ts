import { describe, expect, it } from "vitest";
import { configuredProviders, resolveProvider, type ProviderConfig } from "./providers";
import { priceCall } from "./prices";
import { envSchema, type Env } from "../env";

/** Every other variable at its default, as the app would read an environment with only these. */
const base: Env = envSchema.parse({
  DATABASE_URL: "postgresql://x/y",
  REDIS_URL: "redis://x",
  APP_URL: "http://localhost:3000",
  AGENTFLOW_SECRET_KEY: "a test passphrase for the provider tests only",
  AGENTFLOW_SECRET_KEY_FILE: ".data/test/secret.key",
});

/** A call's price from the provider's billing (prices.ts), as call-model computes it. */
const costOf = (provider: ProviderConfig, model: string, usage: { promptTokens: number; completionTokens: number }, latencyMs: number) =>
  priceCall({ providerKind: provider.kind, billing: provider.pricing, model, usage, latencyMs });

describe("providers", () => {
  it("falls back to the demo model when nothing is configured", () => {
    const provider = resolveProvider("default", base);
    expect(provider).toMatchObject({ id: "demo", baseURL: "http://localhost:3000/api/demo-model/v1" });
  });

  it("builds the RunPod OpenAI-compatible route and prices it per second", () => {
    const env = { ...base, RUNPOD_API_KEY: "rp", RUNPOD_ENDPOINT_ID: "abc123", RUNPOD_MODEL: "mistral" };
    const provider = resolveProvider("default", env);
    expect(provider).toMatchObject({ id: "runpod", baseURL: "https://api.runpod.ai/v2/abc123/openai/v1", defaultModel: "mistral" });
    expect(costOf(provider, "mistral", { promptTokens: 1000, completionTokens: 1000 }, 2_500)).toBeCloseTo(0.0025);
  });

  it("prices OpenAI per token and orders providers OpenAI, RunPod, Ollama, demo", () => {
    const env = { ...base, OPENAI_API_KEY: "sk", OLLAMA_BASE_URL: "http://127.0.0.1:11434/" };
    expect(configuredProviders(env).map((p) => p.id)).toEqual(["openai", "ollama", "demo"]);
    expect(resolveProvider("ollama", env).baseURL).toBe("http://127.0.0.1:11434/v1");
    expect(costOf(resolveProvider("openai", env), "gpt-4o-mini", { promptTokens: 1_000_000, completionTokens: 1_000_000 }, 10)).toBeCloseTo(0.75);
    expect(() => resolveProvider("runpod", env)).toThrow(/not configured/);
  });
});
