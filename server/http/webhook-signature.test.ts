import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifyWebhookSignature } from "./webhook-signature";

/** The pure checks of a webhook signature (the database-backed replay memory is in tests/webhook-signatures.test.ts). */
const secret = "whsec_unit_test_secret_value";
const body = new TextEncoder().encode('{"input":{"topic":"unit"}}');
const hmac = (payload: string | Uint8Array) => createHmac("sha256", secret).update(payload).digest("hex");
const now = 1_800_000_000;
const timestamped = (t: number) => `t=${t},v1=${hmac(Buffer.concat([Buffer.from(`${t}.`), body]))}`;

describe("verifyWebhookSignature", () => {
  it("accepts ours and Stripe's t=…,v1=… within 5 minutes either way, and not beyond", () => {
    for (const scheme of ["agentflow", "stripe"] as const) {
      const header = scheme === "agentflow" ? "AgentFlow-Signature" : "Stripe-Signature";
      for (const skew of [0, -300, 300]) expect(verifyWebhookSignature(scheme, secret, new Headers({ [header]: timestamped(now + skew) }), body, now * 1000).ok).toBe(true);
      for (const skew of [-301, 301]) {
        expect(verifyWebhookSignature(scheme, secret, new Headers({ [header]: timestamped(now + skew) }), body, now * 1000)).toEqual({ ok: false, message: "timestamp outside the 5-minute tolerance" });
      }
    }
  });

  it("remembers a signature until it could no longer pass the timestamp check", () => {
    const result = verifyWebhookSignature("agentflow", secret, new Headers({ "AgentFlow-Signature": timestamped(now) }), body, now * 1000);
    if (!result.ok) throw new Error(result.message);
    expect(result.replayExpiresAt.getTime()).toBeGreaterThan((now + 300) * 1000);
  });

  it("accepts any matching v1 among several (a sender mid-rotation) and upper-case hex", () => {
    const header = `t=${now},v1=${"0".repeat(64)},v1=${hmac(Buffer.concat([Buffer.from(`${now}.`), body])).toUpperCase()}`;
    expect(verifyWebhookSignature("agentflow", secret, new Headers({ "AgentFlow-Signature": header }), body, now * 1000).ok).toBe(true);
  });

  it("names the failed check", () => {
    const check = (scheme: "agentflow" | "github" | "stripe", headers: Record<string, string>) => verifyWebhookSignature(scheme, secret, new Headers(headers), body, now * 1000);
    expect(check("agentflow", {})).toEqual({ ok: false, message: "no AgentFlow-Signature header" });
    expect(check("stripe", {})).toEqual({ ok: false, message: "no Stripe-Signature header" });
    expect(check("github", {})).toEqual({ ok: false, message: "no X-Hub-Signature-256 header" });
    expect(check("agentflow", { "AgentFlow-Signature": `t=${now}` })).toMatchObject({ ok: false, message: expect.stringContaining("must be") });
    expect(check("agentflow", { "AgentFlow-Signature": `t=${now},v1=${hmac(body)}` })).toEqual({ ok: false, message: "signature does not match" });
    expect(check("agentflow", { "AgentFlow-Signature": `t=${now},v1=zz` })).toEqual({ ok: false, message: "signature does not match" });
    expect(check("github", { "X-Hub-Signature-256": `sha256=${hmac(body)}` })).toMatchObject({ ok: false, message: expect.stringContaining("X-GitHub-Delivery") });
    expect(check("github", { "X-Hub-Signature-256": `sha256=${hmac(body)}`, "X-GitHub-Delivery": "d-1" }).ok).toBe(true);
    expect(check("github", { "X-Hub-Signature-256": `sha256=${hmac("other")}`, "X-GitHub-Delivery": "d-1" })).toEqual({ ok: false, message: "signature does not match" });
  });
});
