import { createHmac, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitForRun, type Harness } from "./support/harness";
import { startRestServer, type RestServer } from "./support/rest-server";
import { createWorkspaceWith, createTestUser } from "./support/identities";
import { outputOnlyGraph } from "./support/graphs";
import type { Db } from "../server/db";
import { createWorkflow } from "../server/workflows/workflows";
import { createTriggerToken } from "../server/workflows/trigger-tokens";
import { deleteWebhookSecret, setWebhookScheme, setWebhookSecret } from "../server/http/webhook-signature";
import { decryptSecret } from "../server/vault/cipher";

/**
 * Signed webhooks as a second trigger auth, over real HTTP: requests signed exactly as the
 * senders document it — ours (`AgentFlow-Signature: t=…,v1=HMAC("<t>.<body>")`), GitHub's
 * (`X-Hub-Signature-256: sha256=HMAC(body)`, docs.github.com "Validating webhook deliveries")
 * and Stripe's (`Stripe-Signature: t=…,v1=HMAC("<t>.<body>")`, stripe.com/docs/webhooks
 * "Verify manually") — start runs; each failed check is a 401 naming it; replays are refused.
 */

let harness: Harness;
let server: RestServer;
let db: Db;
let workspaceId: string;
const system = () => ({ workspaceId, actor: { kind: "system" as const, name: "webhook test" }, ip: null });

beforeAll(async () => {
  harness = await startHarness();
  db = harness.db;
  server = await startRestServer();
  const owner = await createTestUser("webhook owner");
  workspaceId = await createWorkspaceWith(db, "Webhooks", [{ user: owner, role: "owner" }]);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await harness?.stop();
});

async function newWorkflow(): Promise<string> {
  return (await createWorkflow(db, workspaceId, { name: `webhook ${randomUUID()}`, graph: outputOnlyGraph() })).id;
}

const hmac = (secret: string, payload: string) => createHmac("sha256", secret).update(payload).digest("hex");
const now = () => Math.floor(Date.now() / 1000);

function post(workflowId: string, body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${server.url}/api/v1/workflows/${workflowId}/trigger`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
}

async function expectRefused(response: Response, message: string, header: string) {
  expect(response.status).toBe(401);
  const body = (await response.json()) as { error: { code: string; message: string; path: string } };
  expect(body.error.code).toBe("invalid_signature");
  expect(body.error.message).toContain(message);
  expect(body.error.path).toBe(`header:${header}`);
}

async function expectRun(response: Response, input: unknown) {
  expect(response.status, await response.clone().text()).toBe(202);
  const { runId } = (await response.json()) as { runId: string };
  const run = await waitForRun(db, runId, ["succeeded", "failed"]);
  expect(run.status).toBe("succeeded");
  expect(run.input).toEqual(input);
  return run;
}

describe("AgentFlow-Signature", () => {
  it("a good signature starts a run with {input}; each failed check is a 401 that says which", async () => {
    const workflowId = await newWorkflow();
    const { secret, scheme, prefix } = await setWebhookSecret(db, system(), { workflowId, scheme: "agentflow", rotate: false });
    expect(scheme).toBe("agentflow");
    expect(secret.startsWith(prefix)).toBe(true);
    // Sealed at rest: the stored column is not the secret.
    const row = await db.webhookSecret.findUniqueOrThrow({ where: { workflowId } });
    expect(row.sealedSecret).not.toContain(secret);
    expect(() => decryptSecret(Buffer.alloc(32), row.sealedSecret, "x")).toThrow();

    const body = JSON.stringify({ input: { topic: "signed" } });
    const t = now();
    const header = "AgentFlow-Signature";
    const good = `t=${t},v1=${hmac(secret, `${t}.${body}`)}`;
    const run = await expectRun(await post(workflowId, body, { [header]: good }), { topic: "signed" });
    expect(run.startedBy).toContain("webhook");

    // The same signed request again: refused, no second run.
    await expectRefused(await post(workflowId, body, { [header]: good }), "already used", header);
    await expectRefused(await post(workflowId, body, {}), "no AgentFlow-Signature header", header);
    const stale = t - 301;
    await expectRefused(await post(workflowId, body, { [header]: `t=${stale},v1=${hmac(secret, `${stale}.${body}`)}` }), "timestamp outside the 5-minute tolerance", header);
    const future = t + 400;
    await expectRefused(await post(workflowId, body, { [header]: `t=${future},v1=${hmac(secret, `${future}.${body}`)}` }), "timestamp outside the 5-minute tolerance", header);
    // Signed with another secret; a body changed after signing (one byte of whitespace).
    await expectRefused(await post(workflowId, body, { [header]: `t=${t},v1=${hmac("not the secret at all", `${t}.${body}`)}` }), "signature does not match", header);
    await expectRefused(await post(workflowId, `${body} `, { [header]: `t=${t + 1},v1=${hmac(secret, `${t + 1}.${body}`)}` }), "signature does not match", header);
    await expectRefused(await post(workflowId, body, { [header]: "v1=abc" }), "must be", header);
    expect(await db.run.count({ where: { workflowId } })).toBe(1);
  });

  it("verifies the raw bytes before parsing: a signed invalid body is a 400, an unsigned one a 401", async () => {
    const workflowId = await newWorkflow();
    const { secret } = await setWebhookSecret(db, system(), { workflowId, scheme: "agentflow", rotate: false });
    const body = "{not json";
    await expectRefused(await post(workflowId, body, { "AgentFlow-Signature": `t=${now()},v1=${"0".repeat(64)}` }), "signature does not match", "AgentFlow-Signature");
    const t = now();
    const signed = await post(workflowId, body, { "AgentFlow-Signature": `t=${t},v1=${hmac(secret, `${t}.${body}`)}` });
    expect(signed.status).toBe(400);
    expect(((await signed.json()) as { error: { code: string } }).error.code).toBe("invalid_json");
  });

  it("rotating replaces the secret (the old one stops working); deleting ends webhook access; tokens still work", async () => {
    const workflowId = await newWorkflow();
    const first = await setWebhookSecret(db, system(), { workflowId, scheme: "agentflow", rotate: false });
    await expect(setWebhookSecret(db, system(), { workflowId, scheme: "agentflow", rotate: false })).rejects.toMatchObject({ name: "UserInputError" });
    const second = await setWebhookSecret(db, system(), { workflowId, rotate: true });
    expect(second.secret).not.toBe(first.secret);
    const body = JSON.stringify({ input: { n: 1 } });
    const t = now();
    await expectRefused(await post(workflowId, body, { "AgentFlow-Signature": `t=${t},v1=${hmac(first.secret, `${t}.${body}`)}` }), "signature does not match", "AgentFlow-Signature");
    await expectRun(await post(workflowId, body, { "AgentFlow-Signature": `t=${t},v1=${hmac(second.secret, `${t}.${body}`)}` }), { n: 1 });

    const { token } = await createTriggerToken(db, system(), workflowId);
    await expectRun(await post(workflowId, body, { authorization: `Bearer ${token}` }), { n: 1 });

    await deleteWebhookSecret(db, system(), workflowId);
    const t2 = now();
    const after = await post(workflowId, body, { "AgentFlow-Signature": `t=${t2},v1=${hmac(second.secret, `${t2}.${body}`)}` });
    expect(after.status).toBe(401);
    expect(((await after.json()) as { error: { code: string } }).error.code).toBe("unauthorized");

    const audit = await db.auditEntry.findMany({ where: { workspaceId, action: { startsWith: "webhook_secret." }, details: { path: ["workflowId"], equals: workflowId } }, select: { action: true } });
    expect(audit.map((entry) => entry.action).sort()).toEqual(["webhook_secret.created", "webhook_secret.deleted", "webhook_secret.rotated"]);
  });

  it("a webhook secret opens only its own workflow", async () => {
    const workflowId = await newWorkflow();
    const other = await newWorkflow();
    const { secret } = await setWebhookSecret(db, system(), { workflowId, scheme: "agentflow", rotate: false });
    const body = JSON.stringify({ input: {} });
    const t = now();
    const response = await post(other, body, { "AgentFlow-Signature": `t=${t},v1=${hmac(secret, `${t}.${body}`)}` });
    expect(response.status).toBe(401);
    expect(await db.run.count({ where: { workflowId: other } })).toBe(0);
  });
});

describe("GitHub's X-Hub-Signature-256", () => {
  it("verifies as GitHub documents it; the whole payload is the input; a delivery id is accepted once", async () => {
    const workflowId = await newWorkflow();
    const { secret } = await setWebhookSecret(db, system(), { workflowId, scheme: "github", rotate: false });
    const payload = { action: "opened", issue: { number: 7, title: "Build broke" }, repository: { full_name: "acme/app" } };
    const body = JSON.stringify(payload);
    const header = "X-Hub-Signature-256";
    const delivery = randomUUID();
    const headers = { [header]: `sha256=${hmac(secret, body)}`, "X-GitHub-Event": "issues", "X-GitHub-Delivery": delivery };
    await expectRun(await post(workflowId, body, headers), payload);
    await expectRefused(await post(workflowId, body, headers), "already used", header);
    await expectRefused(await post(workflowId, body, { "X-GitHub-Delivery": randomUUID() }), "no X-Hub-Signature-256 header", header);
    await expectRefused(await post(workflowId, body, { ...headers, "X-GitHub-Delivery": randomUUID(), [header]: `sha256=${hmac("wrong", body)}` }), "signature does not match", header);
    await expectRefused(await post(workflowId, body, { ...headers, "X-GitHub-Delivery": randomUUID(), [header]: `sha1=${hmac(secret, body)}` }), "must be", header);
    // GitHub's documented test vector (docs.github.com, "Testing the webhook payload validation").
    expect(hmac("It's a Secret to Everybody", "Hello, World!")).toBe("757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
  });
});

describe("Stripe's Stripe-Signature", () => {
  it("uses the pasted whsec_ secret, t=…,v1=… over \"<t>.<body>\", 5-minute tolerance; the event is the input", async () => {
    const workflowId = await newWorkflow();
    await expect(setWebhookSecret(db, system(), { workflowId, scheme: "stripe", rotate: false })).rejects.toMatchObject({ path: "secret" });
    const secret = "whsec_test_5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH";
    await setWebhookSecret(db, system(), { workflowId, scheme: "stripe", secret, rotate: false });
    const event = { id: "evt_1", object: "event", type: "payment_intent.succeeded", data: { object: { id: "pi_1", amount: 2000 } } };
    const body = JSON.stringify(event, null, 2);
    const header = "Stripe-Signature";
    const t = now();
    // Stripe sends v1 (and, in test mode, a v0 with another secret): any matching v1 passes.
    const signature = `t=${t},v1=${hmac(secret, `${t}.${body}`)},v0=${hmac("legacy", `${t}.${body}`)}`;
    await expectRun(await post(workflowId, body, { [header]: signature }), event);
    await expectRefused(await post(workflowId, body, { [header]: signature }), "already used", header);
    const old = t - 600;
    await expectRefused(await post(workflowId, body, { [header]: `t=${old},v1=${hmac(secret, `${old}.${body}`)}` }), "timestamp outside the 5-minute tolerance", header);
    await expectRefused(await post(workflowId, body, { [header]: `t=${t},v1=${hmac(secret, body)}` }), "signature does not match", header);
  });

  it("switching the scheme changes which header is checked", async () => {
    const workflowId = await newWorkflow();
    const { secret } = await setWebhookSecret(db, system(), { workflowId, scheme: "agentflow", rotate: false });
    await setWebhookScheme(db, system(), workflowId, "github");
    const body = JSON.stringify({ ref: "refs/heads/main" });
    const t = now();
    await expectRefused(await post(workflowId, body, { "AgentFlow-Signature": `t=${t},v1=${hmac(secret, `${t}.${body}`)}` }), "no X-Hub-Signature-256 header", "X-Hub-Signature-256");
    await expectRun(await post(workflowId, body, { "X-Hub-Signature-256": `sha256=${hmac(secret, body)}`, "X-GitHub-Delivery": randomUUID() }), { ref: "refs/heads/main" });
  });
});
