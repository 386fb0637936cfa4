import { describe, expect, it } from "vitest";
import { LIST_PRICES, listPrice, priceCall, type PricedCall } from "./prices";

const million = { promptTokens: 1_000_000, completionTokens: 1_000_000 };
const perToken = { kind: "per_token" } as const;
const call = (overrides: Partial<PricedCall>): PricedCall => ({
  providerKind: "openai",
  billing: perToken,
  model: "gpt-4o-mini",
  usage: million,
  latencyMs: 1_000,
  ...overrides,
});

describe("listPrice", () => {
  it("knows current OpenAI and Anthropic models, and their dated snapshots and aliases", () => {
    expect(listPrice("gpt-4o-mini")).toEqual({ inputPerMTok: 0.15, outputPerMTok: 0.6 });
    expect(listPrice("gpt-4o-2024-08-06")).toEqual(LIST_PRICES["gpt-4o"]);
    expect(listPrice("gpt-5.4-mini-2026-03-17")).toEqual(LIST_PRICES["gpt-5.4-mini"]);
    expect(listPrice("claude-sonnet-4-5-20250929")).toEqual({ inputPerMTok: 3, outputPerMTok: 15 });
    expect(listPrice("claude-3-5-haiku-latest")).toEqual({ inputPerMTok: 0.8, outputPerMTok: 4 });
    expect(listPrice("openai/gpt-4.1")).toEqual(LIST_PRICES["gpt-4.1"]);
  });

  it("does not guess: a similar-looking name is not a known model", () => {
    expect(listPrice("gpt-9-ultra")).toBeNull();
    expect(listPrice("gpt-4o-mini-custom-finetune")).toBeNull();
    expect(listPrice("llama3.2")).toBeNull();
  });

  it("holds only sane prices (output at least input, nothing absurd)", () => {
    for (const [model, price] of Object.entries(LIST_PRICES)) {
      expect(price.inputPerMTok, model).toBeGreaterThan(0);
      expect(price.outputPerMTok, model).toBeGreaterThanOrEqual(price.inputPerMTok);
      expect(price.outputPerMTok, model).toBeLessThanOrEqual(1_000);
    }
  });
});

describe("priceCall", () => {
  it("prices a known model per token", () => {
    expect(priceCall(call({ model: "gpt-4o-mini" }))).toBeCloseTo(0.75);
    expect(priceCall(call({ providerKind: "anthropic", model: "claude-opus-4-6", usage: { promptTokens: 2_000, completionTokens: 1_000 } }))).toBeCloseTo(0.035);
  });

  it("prices RunPod per second of worker time, whatever the tokens", () => {
    expect(priceCall(call({ providerKind: "runpod", billing: { kind: "per_second", usdPerSecond: 0.00025 }, model: "mistral", latencyMs: 4_000 }))).toBeCloseTo(0.001);
  });

  it("does not know a RunPod endpoint without a price per second", () => {
    expect(priceCall(call({ providerKind: "runpod", model: "mistral" }))).toBeNull();
  });

  it("counts local models as free", () => {
    expect(priceCall(call({ providerKind: "ollama", model: "llama3.2" }))).toBe(0);
    expect(priceCall(call({ providerKind: "demo", model: "agentflow-demo-1" }))).toBe(0);
  });

  it("answers unknown (null), not $0, for a paid-looking model without a price", () => {
    expect(priceCall(call({ model: "gpt-9-ultra" }))).toBeNull();
    expect(priceCall(call({ providerKind: "openai_compatible", model: "my-finetune" }))).toBeNull();
    expect(priceCall(call({ providerKind: "anthropic", model: "claude-unreleased" }))).toBeNull();
  });

  it("lets the workspace's own price win over the list, per-second billing and unknown alike", () => {
    const override = { inputPerMTok: 1, outputPerMTok: 3 };
    expect(priceCall(call({ model: "gpt-4o-mini" }), override)).toBeCloseTo(4);
    expect(priceCall(call({ model: "gpt-9-ultra", usage: { promptTokens: 500_000, completionTokens: 100_000 } }), override)).toBeCloseTo(0.8);
    expect(priceCall(call({ providerKind: "runpod", billing: { kind: "per_second", usdPerSecond: 1 } }), override)).toBeCloseTo(4);
    // A price of 0 is a price: the workspace says the model is free.
    expect(priceCall(call({ model: "my-finetune" }), { inputPerMTok: 0, outputPerMTok: 0 })).toBe(0);
  });
});
