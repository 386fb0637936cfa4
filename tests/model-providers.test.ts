import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitForRun, type Harness } from "./support/harness";
import { testAccess, testRunScope, testWorkspace } from "./support/workspace";
import { handleDemoModelRequest } from "../server/llm/demo-model";
import {
  createWorkspaceProvider,
  deleteWorkspaceProvider,
  listWorkspaceProviders,
  providerChoices,
  testWorkspaceProvider,
  updateWorkspaceProvider,
} from "../server/llm/workspace-providers";
import { createWorkflow } from "../server/workflows/workflows";
import { buildGraph } from "../server/engine/test-helpers";
import { startRun } from "../server/runs/start-run";
import { getRunEvents } from "../server/runs/queries";
import { InvalidWorkflowError } from "../server/errors";
import { callModel } from "../server/llm/call-model";

/**
 * Model providers configured per workspace, against a real OpenAI-wire server over HTTP: the
 * built-in demo model behind an API-key check (like vLLM started with --api-key). Test
 * connection lists its models or says in plain words why not; a run uses the workspace's
 * provider by name; a refused key fails the agent node at once, with one request and no
 * "try again?" question; an agent naming an unknown provider is refused before the run.
 */

const KEY = "sk-test-provider-key";
let harness: Harness;
let server: Server;
let baseUrl: string;
let requests = 0;

beforeAll(async () => {
  server = createServer(async (req, res) => {
    requests += 1;
    // The OpenAI wire sends the key as a Bearer token, the Anthropic wire as x-api-key.
    if (req.headers.authorization !== `Bearer ${KEY}` && req.headers["x-api-key"] !== KEY) {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "Incorrect API key provided", type: "invalid_request_error", code: "invalid_api_key" } }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request = new Request(`http://127.0.0.1${req.url ?? "/"}`, {
      method: req.method,
      headers: { "content-type": "application/json" },
      body: req.method === "GET" ? undefined : Buffer.concat(chunks),
    });
    const response = await handleDemoModelRequest(request);
    res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  // Loopback is a private address: allowed here only as tests allow it for the http_request tool.
  harness = await startHarness({ env: { HTTP_ALLOW_PRIVATE_HOSTS: "127.0.0.1" } });
}, 60_000);

afterAll(async () => {
  await harness.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function provider(name: string, apiKey: string, url = baseUrl) {
  return createWorkspaceProvider(harness.db, await testAccess(harness.db), { name, kind: "openai_compatible", baseUrl: url, apiKey, defaultModel: "agentflow-demo-1" });
}

async function agentWorkflow(providerName: string, task = "Summarise the quarterly report") {
  const graph = buildGraph(
    [["trigger", "trigger"], ["agent", "agent", { task, provider: providerName, model: "agentflow-demo-1" }], ["out", "output"]],
    [["trigger", "agent"], ["agent", "out"]],
  );
  const { id } = await createWorkflow(harness.db, await testWorkspace(harness.db), { name: `providers ${providerName} ${Date.now()}`, graph });
  return id;
}

describe("model providers per workspace", () => {
  it("stores the key sealed and never shows it; lists the provider among the choices", async () => {
    const { id } = await provider("listed", KEY);
    const row = await harness.db.modelProvider.findUniqueOrThrow({ where: { id } });
    expect(row.sealedApiKey).toBeTruthy();
    expect(row.sealedApiKey).not.toContain(KEY);
    const listed = await listWorkspaceProviders(harness.db, await testWorkspace(harness.db));
    expect(JSON.stringify(listed)).not.toContain(KEY);
    expect(listed.find((entry) => entry.id === id)).toMatchObject({ name: "listed", apiKeySet: true, apiBaseUrl: baseUrl });
    const { choices } = await providerChoices(harness.db, await testWorkspace(harness.db));
    expect(choices.map((choice) => choice.name)).toContain("listed");
    expect(choices.find((choice) => choice.name === "demo")?.label).toBe("Demo model (built in)");
  });

  it("audits adding, changing and removing a provider, without the key", async () => {
    const access = await testAccess(harness.db);
    const { id } = await provider("audited", KEY);
    await updateWorkspaceProvider(harness.db, access, { id, apiKey: "sk-rotated-secret" });
    await deleteWorkspaceProvider(harness.db, access, id);
    const entries = await harness.db.auditEntry.findMany({ where: { targetId: id } });
    // Same-millisecond entries have no order of their own: compare as a set.
    expect(entries.map((entry) => entry.action).sort()).toEqual(["model_provider.created", "model_provider.deleted", "model_provider.updated"]);
    const entry = (action: string) => entries.find((candidate) => candidate.action === action);
    expect(entry("model_provider.created")).toMatchObject({ targetName: "audited", details: expect.objectContaining({ kind: "openai_compatible", baseUrl, apiKey: "set" }) });
    expect(entry("model_provider.updated")?.details).toMatchObject({ apiKey: "replaced" });
    const text = JSON.stringify(entries);
    expect(text).not.toContain(KEY);
    expect(text).not.toContain("sk-rotated-secret");
  });

  it("Test connection lists the server's models, or says the key was refused", async () => {
    const good = await provider("test-good", KEY);
    expect(await testWorkspaceProvider(harness.db, await testWorkspace(harness.db), good.id)).toEqual({ ok: true, models: ["agentflow-demo-1"] });
    const bad = await provider("test-bad", "sk-wrong");
    expect(await testWorkspaceProvider(harness.db, await testWorkspace(harness.db), bad.id)).toEqual({ ok: false, error: "The key was refused (401)" });
  });

  it("Test connection says which host could not be reached, and refuses private addresses not allowed", async () => {
    // A port nobody listens on: bind one, then close it.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = await provider("test-unreachable", KEY, `http://127.0.0.1:${port}/v1`);
    const result = await testWorkspaceProvider(harness.db, await testWorkspace(harness.db), unreachable.id);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(new RegExp(`^Could not reach 127\\.0\\.0\\.1:${port}: .*(refused|ECONNREFUSED)`, "i"));

    const metadata = await provider("test-metadata", KEY, "http://169.254.169.254/v1");
    const blocked = await testWorkspaceProvider(harness.db, await testWorkspace(harness.db), metadata.id);
    expect(!blocked.ok && blocked.error).toMatch(/^Could not reach 169\.254\.169\.254: blocked: .*link-local/);
  });

  it("runs an agent through an Anthropic provider: the official SDK against the demo model's Messages API", async () => {
    const { id } = await createWorkspaceProvider(harness.db, await testAccess(harness.db), { name: "claude", kind: "anthropic", baseUrl, apiKey: KEY, defaultModel: "agentflow-demo-1" });
    expect(await testWorkspaceProvider(harness.db, await testWorkspace(harness.db), id)).toEqual({ ok: true, models: ["agentflow-demo-1"] });
    const workflowId = await agentWorkflow("claude", "Summarise the Anthropic path");
    const { runId } = await startRun(harness.db, { ...(await testRunScope(harness.db)), workflowId, input: {}, trigger: "manual" });
    const run = await waitForRun(harness.db, runId, ["succeeded", "failed"]);
    expect(run.status).toBe("succeeded");
    expect(run.output).toEqual(expect.stringContaining("Summarise the Anthropic path"));
    const response = (await getRunEvents(harness.db, runId)).find((event) => event.type === "llm_response");
    expect(response).toMatchObject({ provider: "claude", model: "agentflow-demo-1" });
    expect(response?.type === "llm_response" && response.usage.promptTokens).toBeGreaterThan(0);

    const wrongKey = await createWorkspaceProvider(harness.db, await testAccess(harness.db), { name: "claude-bad", kind: "anthropic", baseUrl, apiKey: "sk-ant-wrong" });
    expect(await testWorkspaceProvider(harness.db, await testWorkspace(harness.db), wrongKey.id)).toEqual({ ok: false, error: "The key was refused (401)" });
  });

  it("refuses to start a run whose agent names a provider the workspace does not have, naming the node", async () => {
    const workflowId = await agentWorkflow("nowhere");
    const refused = await startRun(harness.db, { ...(await testRunScope(harness.db)), workflowId, input: {}, trigger: "manual" }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InvalidWorkflowError);
    const details = (refused as InvalidWorkflowError).details as { nodeId?: string; code: string; message: string }[];
    expect(details).toContainEqual(expect.objectContaining({ nodeId: "agent", code: "provider_unavailable", message: expect.stringContaining('Provider "nowhere" is not configured') }));
  });

  it("runs an agent through the workspace's provider", async () => {
    await provider("my-vllm", KEY);
    const workflowId = await agentWorkflow("my-vllm");
    const before = requests;
    const { runId } = await startRun(harness.db, { ...(await testRunScope(harness.db)), workflowId, input: {}, trigger: "manual" });
    const run = await waitForRun(harness.db, runId, ["succeeded", "failed", "waiting_for_human"]);
    expect(run.status).toBe("succeeded");
    expect(requests - before).toBeGreaterThanOrEqual(1);
    const responses = (await getRunEvents(harness.db, runId)).filter((event) => event.type === "llm_response");
    expect(responses[0]).toMatchObject({ provider: "my-vllm", model: "agentflow-demo-1" });
  });

  it("a key refused at run time fails the node at once: one request, no retries, no question to a person", async () => {
    const { id } = await provider("rotated", KEY);
    const workflowId = await agentWorkflow("rotated");
    // The key is rotated at the provider's side after the run was checked: it starts, then 401s.
    await updateWorkspaceProvider(harness.db, await testAccess(harness.db), { id, apiKey: "sk-revoked" });
    const before = requests;
    const { runId } = await startRun(harness.db, { ...(await testRunScope(harness.db)), workflowId, input: {}, trigger: "manual" });
    const run = await waitForRun(harness.db, runId, ["succeeded", "failed", "waiting_for_human"]);
    expect(run.status).toBe("failed");
    expect(requests - before).toBe(1);
    const events = await getRunEvents(harness.db, runId);
    const errors = events.filter((event) => event.type === "llm_error");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ retryable: false, error: expect.stringMatching(/^The key was refused \(401\)/) });
    expect(events.some((event) => event.type === "human_requested")).toBe(false);
    expect(events.find((event) => event.type === "node_failed")).toMatchObject({ nodeId: "agent", error: expect.stringMatching(/^The key was refused \(401\)/) });
    expect(await harness.db.humanTask.count({ where: { runId } })).toBe(0);
  });

  it("a provider missing at call time (deleted after the run started) is an error no retry can fix", async () => {
    const workspaceId = await testWorkspace(harness.db);
    const event = await callModel(
      "agent",
      { provider: "deleted-meanwhile", model: "m", temperature: 0, messages: [{ role: "user", content: "hi" }], tools: [] },
      { workspace: { db: harness.db, workspaceId: async () => workspaceId } },
    );
    expect(event).toMatchObject({ type: "llm_error", retryable: false, error: expect.stringContaining('Provider "deleted-meanwhile" is not configured') });
  });
});
