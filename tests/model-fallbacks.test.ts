import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitForRun, type Harness } from "./support/harness";
import { testAccess, testRunScope, testWorkspace } from "./support/workspace";
import { handleDemoModelRequest } from "../server/llm/demo-model";
import { createWorkspaceProvider } from "../server/llm/workspace-providers";
import { createWorkflow } from "../server/workflows/workflows";
import { buildGraph } from "../server/engine/test-helpers";
import { startRun } from "../server/runs/start-run";
import { getRunEvents } from "../server/runs/queries";
import { InvalidWorkflowError } from "../server/errors";

/**
 * An agent's fallback chain against real OpenAI-wire servers over HTTP: two instances of the
 * demo model, each behind its own key and counting its requests. The primary's failures are
 * the demo model's own fault modes (`#demo:500:N`, `#demo:slow:ms`) — real 500s after the
 * client's retries, a real slow answer — so the chain is exercised exactly as in production.
 */

type ModelServer = { server: Server; baseUrl: string; key: string; requests: number };

async function startModelServer(key: string): Promise<ModelServer> {
  const state: ModelServer = { server: undefined as unknown as Server, baseUrl: "", key, requests: 0 };
  state.server = createServer(async (req, res) => {
    state.requests += 1;
    if (req.headers.authorization !== `Bearer ${key}`) {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "Incorrect API key provided", type: "invalid_request_error", code: "invalid_api_key" } }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const abort = new AbortController();
    // A client that gives up (our fallback deadline) closes the socket: stop the slow answer too.
    res.on("close", () => abort.abort());
    const response = await handleDemoModelRequest(
      new Request(`http://127.0.0.1${req.url ?? "/"}`, { method: req.method, headers: { "content-type": "application/json" }, body: req.method === "GET" ? undefined : Buffer.concat(chunks), signal: abort.signal }),
    ).catch(() => null);
    if (!response || res.destroyed) return;
    res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
    // Streamed answers (the worker always streams) go out piece by piece, as a provider sends them.
    if (!response.body) return void res.end();
    try {
      for await (const piece of response.body as unknown as AsyncIterable<Uint8Array>) res.write(piece);
    } catch {
      // The client gave up mid-answer.
    }
    res.end();
  });
  await new Promise<void>((resolve) => state.server.listen(0, "127.0.0.1", resolve));
  state.baseUrl = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}/v1`;
  return state;
}

let harness: Harness;
let primary: ModelServer;
let backup: ModelServer;

beforeAll(async () => {
  primary = await startModelServer("sk-primary");
  backup = await startModelServer("sk-backup");
  // One retry per provider keeps the chain's walks short; the counts below follow from it.
  harness = await startHarness({ env: { HTTP_ALLOW_PRIVATE_HOSTS: "127.0.0.1", LLM_MAX_RETRIES: "1" } });
  const access = await testAccess(harness.db);
  const provider = (name: string, server: ModelServer, apiKey = server.key) =>
    createWorkspaceProvider(harness.db, access, { name, kind: "openai_compatible", baseUrl: server.baseUrl, apiKey, defaultModel: "agentflow-demo-1" });
  await provider("primary", primary);
  await provider("backup", backup);
  await provider("misconfigured", primary, "sk-wrong");
  // Kind "openai" (a complete model list) at our server's address, as with a proxy or Azure-style base URL.
  await createWorkspaceProvider(harness.db, access, { name: "strict", kind: "openai", baseUrl: backup.baseUrl, apiKey: backup.key, defaultModel: "agentflow-demo-1" });
}, 60_000);

afterAll(async () => {
  await harness.stop();
  await Promise.all([primary, backup].map((model) => new Promise<void>((resolve) => model.server.close(() => resolve()))));
});

async function runAgent(agent: Record<string, unknown>) {
  const graph = buildGraph(
    [["trigger", "trigger"], ["agent", "agent", { model: "agentflow-demo-1", fallbacks: [{ provider: "backup", model: "agentflow-demo-1" }], ...agent }], ["out", "output"]],
    [["trigger", "agent"], ["agent", "out"]],
  );
  const { id: workflowId } = await createWorkflow(harness.db, await testWorkspace(harness.db), { name: `fallbacks ${Date.now()} ${Math.random()}`, graph });
  const counts = { primary: primary.requests, backup: backup.requests };
  const { runId } = await startRun(harness.db, { ...(await testRunScope(harness.db)), workflowId, input: {}, trigger: "manual" });
  const run = await waitForRun(harness.db, runId, ["succeeded", "failed", "waiting_for_human"], 30_000);
  const events = await getRunEvents(harness.db, runId);
  return { run, events, primaryRequests: primary.requests - counts.primary, backupRequests: backup.requests - counts.backup };
}

describe("an agent's fallback chain", () => {
  it("a provider that keeps answering 5xx (after the client's retries) hands the call to the next; the event says who answered and why", async () => {
    // 2 failures: the first request and the client's retry both reach the primary.
    const { run, events, primaryRequests, backupRequests } = await runAgent({ provider: "primary", task: `Summarise the report ${Date.now()} #demo:500:2` });
    expect(run.status).toBe("succeeded");
    expect(primaryRequests).toBe(2);
    expect(backupRequests).toBe(1);
    const responses = events.filter((event) => event.type === "llm_response");
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatchObject({
      provider: "backup",
      model: "agentflow-demo-1",
      fallbackFrom: [{ provider: "primary", model: "agentflow-demo-1", reason: "error", error: expect.stringContaining("500") }],
    });
    // Nothing of the primary's attempt reaches the agent's context or the error count.
    expect(events.some((event) => event.type === "llm_error")).toBe(false);
  });

  it("a provider that does not answer within fallbackAfterSeconds (a cold start) is left for the next", async () => {
    const started = Date.now();
    const { run, events, primaryRequests, backupRequests } = await runAgent({ provider: "primary", fallbackAfterSeconds: 1, task: `Cold start ${Date.now()} #demo:slow:2500` });
    expect(run.status).toBe("succeeded");
    expect(primaryRequests).toBe(1);
    expect(backupRequests).toBe(1);
    const response = events.find((event) => event.type === "llm_response");
    expect(response).toMatchObject({ provider: "backup", fallbackFrom: [{ provider: "primary", reason: "timeout", error: "No answer within 1 s" }] });
    const attempt = response?.type === "llm_response" ? response.fallbackFrom?.[0] : undefined;
    expect(attempt?.latencyMs).toBeGreaterThanOrEqual(950);
    expect(attempt?.latencyMs).toBeLessThan(2_400);
    // The backup's own slow answer was waited for in full: it is the last in the chain.
    expect(Date.now() - started).toBeGreaterThanOrEqual(3_400);
  });

  it("a provider that has started answering is not abandoned at the deadline: the deadline is for its first token", async () => {
    // Words 150 ms apart: the whole answer takes well over the 1 s deadline, its first word does not.
    const { run, events, primaryRequests, backupRequests } = await runAgent({ provider: "primary", fallbackAfterSeconds: 1, task: `Write slowly ${Date.now()} #demo:drip:150` });
    expect(run.status).toBe("succeeded");
    expect(primaryRequests).toBe(1);
    expect(backupRequests).toBe(0);
    const response = events.find((event) => event.type === "llm_response");
    expect(response).toMatchObject({ provider: "primary" });
    expect(response).not.toHaveProperty("fallbackFrom");
    expect(response?.type === "llm_response" && response.latencyMs).toBeGreaterThan(1_000);
    expect(response?.type === "llm_response" && response.ttftMs).toBeLessThan(1_000);
  });

  it("a refused key is not handed on: the node fails at once with the provider's message and the fallback is never called", async () => {
    const { run, events, primaryRequests, backupRequests } = await runAgent({ provider: "misconfigured", task: `Key check ${Date.now()}` });
    expect(run.status).toBe("failed");
    expect(primaryRequests).toBe(1);
    expect(backupRequests).toBe(0);
    const errors = events.filter((event) => event.type === "llm_error");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ provider: "misconfigured", retryable: false, error: expect.stringMatching(/^The key was refused \(401\)/) });
    expect(errors[0]).not.toHaveProperty("fallbackFrom");
  });

  it("when every provider fails, the last error is the node's and the log lists each one tried", async () => {
    const { run, events, primaryRequests, backupRequests } = await runAgent({ provider: "primary", task: `All down ${Date.now()} #demo:500:1000` });
    const errors = events.filter((event) => event.type === "llm_error");
    expect(errors.length).toBeGreaterThanOrEqual(1);
    for (const error of errors) expect(error).toMatchObject({ provider: "backup", fallbackFrom: [{ provider: "primary", reason: "error", error: expect.stringContaining("500") }] });
    // Each walk of the chain: 2 requests (1 + 1 retry) to each provider.
    expect(primaryRequests).toBe(2 * errors.length);
    expect(backupRequests).toBe(2 * errors.length);
    // A transient failure of the whole chain takes the agent's usual error path: after repeated errors a person decides.
    expect(run.status).toBe("waiting_for_human");
    expect(events.find((event) => event.type === "human_requested")).toMatchObject({ kind: "errors" });
  });

  it("refuses to start a run whose fallback names a provider the workspace does not have, naming the node and the fallback", async () => {
    const graph = buildGraph(
      [["trigger", "trigger"], ["agent", "agent", { provider: "primary", fallbacks: [{ provider: "nowhere", model: "" }] }], ["out", "output"]],
      [["trigger", "agent"], ["agent", "out"]],
    );
    const { id: workflowId } = await createWorkflow(harness.db, await testWorkspace(harness.db), { name: `fallbacks refused ${Date.now()}`, graph });
    const refused = await startRun(harness.db, { ...(await testRunScope(harness.db)), workflowId, input: {}, trigger: "manual" }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InvalidWorkflowError);
    expect((refused as InvalidWorkflowError).details).toContainEqual(
      expect.objectContaining({ nodeId: "agent", code: "provider_unavailable", message: expect.stringContaining('(fallback 1): Provider "nowhere" is not configured') }),
    );
  });
});

describe("models checked before a run", () => {
  async function start(agent: Record<string, unknown>) {
    const graph = buildGraph([["trigger", "trigger"], ["agent", "agent", agent], ["out", "output"]], [["trigger", "agent"], ["agent", "out"]]);
    const { id: workflowId } = await createWorkflow(harness.db, await testWorkspace(harness.db), { name: `models ${Date.now()} ${Math.random()}`, graph });
    return startRun(harness.db, { ...(await testRunScope(harness.db)), workflowId, input: {}, trigger: "manual" }).catch((error: unknown) => error);
  }

  it("refuses a model that a provider with a complete list does not offer, naming the node, the provider and what it lists", async () => {
    const refused = await start({ provider: "strict", model: "gpt-4o-typo" });
    expect(refused).toBeInstanceOf(InvalidWorkflowError);
    expect((refused as InvalidWorkflowError).details).toContainEqual(
      expect.objectContaining({ nodeId: "agent", code: "model_unknown", message: 'Agent "Agent": provider "strict" has no model "gpt-4o-typo" (it lists 1: agentflow-demo-1)' }),
    );
    // The same check covers the fallbacks.
    const viaFallback = await start({ provider: "primary", model: "agentflow-demo-1", fallbacks: [{ provider: "strict", model: "nope" }] });
    expect((viaFallback as InvalidWorkflowError).details).toContainEqual(expect.objectContaining({ code: "model_unknown", message: expect.stringContaining('(fallback 1): provider "strict" has no model "nope"') }));
  });

  it("accepts a listed model, and any name on an OpenAI-compatible server (which may route names it does not list)", async () => {
    const listed = await start({ provider: "strict", model: "agentflow-demo-1" });
    expect(listed).toMatchObject({ runId: expect.any(String) });
    const alias = await start({ provider: "primary", model: "my-litellm-alias" });
    expect(alias).toMatchObject({ runId: expect.any(String) });
    for (const started of [listed, alias] as { runId: string }[]) await waitForRun(harness.db, started.runId, ["succeeded", "failed"]);
  });
});

