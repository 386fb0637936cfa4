import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitForRun, waitUntil, type Harness } from "./support/harness";
import { testAccess } from "./support/workspace";
import { gateOnlyGraph, outputOnlyGraph } from "./support/graphs";
import { respondToHumanTask } from "../server/runs/respond-human";
import type { WorkspaceAccess } from "../server/auth/access";
import { UserInputError } from "../server/errors";
import { newId } from "../server/ids";
import { verifySignature } from "../server/notifications/signature";
import { listRunCallbacks, sweepRunCallbacks } from "../server/callbacks/outbox";
import { closeRunCallbacksQueue, getRunCallbacksQueue } from "../server/callbacks/queue";
import { checkRequestCallback, getCallbackSettings, recordRunCallback, rotateCallbackSecret, setWorkflowCallback } from "../server/callbacks/settings";
import { createRunCallbackWorker } from "../server/callbacks/worker";
import { startRun } from "../server/runs/start-run";
import { createWorkflow } from "../server/workflows/workflows";
import { createTestApiKey } from "./support/identities";
import * as triggerRoute from "../app/api/v1/workflows/[workflowId]/trigger/route";

/**
 * Run-finished callbacks against the real thing: the run worker commits the terminal status,
 * the outbox row turns pending in that statement, the "run-callbacks" queue and its worker
 * (retries RETRY_BASE_MS apart, doubling) POST to an HTTP receiver on loopback (allowed by
 * HTTP_ALLOW_PRIVATE_HOSTS, as the http_request tool's tests do), which checks the signature.
 */

const RETRY_BASE_MS = 300;

type Received = { path: string; at: number; signature: string; body: string };

let harness: Harness;
let access: WorkspaceAccess;
let callbacks: Worker;
let receiver: http.Server;
let base: string;
const received: Received[] = [];
const seen = new Map<string, number>();

function answerFor(path: string): number {
  const count = (seen.get(path) ?? 0) + 1;
  seen.set(path, count);
  if (path.startsWith("/flaky/")) return count <= 2 ? 503 : 200;
  if (path.startsWith("/gone/")) return 410;
  return 200;
}

async function newWorkflow(graph = outputOnlyGraph()): Promise<string> {
  const { id } = await createWorkflow(harness.db, access.workspaceId, { name: `callbacks ${newId("wf")}`, graph });
  return id;
}

async function refusal(promise: Promise<unknown>): Promise<UserInputError> {
  const error = await promise.then(
    () => null,
    (cause: unknown) => cause,
  );
  expect(error).toBeInstanceOf(UserInputError);
  return error as UserInputError;
}

beforeAll(async () => {
  receiver = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      const path = request.url ?? "/";
      received.push({ path, at: Date.now(), signature: String(request.headers["agentflow-signature"] ?? ""), body });
      response.writeHead(answerFor(path), { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  harness = await startHarness({ env: { HTTP_ALLOW_PRIVATE_HOSTS: "127.0.0.1", CALLBACK_RETRY_BASE_MS: String(RETRY_BASE_MS) } });
  access = await testAccess(harness.db);
  callbacks = createRunCallbackWorker(harness.db);
  await callbacks.waitUntilReady();
});

afterAll(async () => {
  await callbacks?.close();
  await getRunCallbacksQueue().obliterate({ force: true }).catch(() => undefined);
  await closeRunCallbacksQueue();
  await harness?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe("run-finished callbacks", () => {
  it("POSTs the signed result to the workflow's callback URL when a run ends, and logs the attempt", async () => {
    const workflowId = await newWorkflow();
    const settings = await setWorkflowCallback(harness.db, access, workflowId, `${base}/ok/${workflowId}`);
    expect(settings.signingSecret).toMatch(/^whsec_/);
    // The secret is shown once: reading the settings gives its prefix only.
    const read = await getCallbackSettings(harness.db, access.workspaceId, workflowId);
    expect(read).toMatchObject({ url: `${base}/ok/${workflowId}`, secretPrefix: settings.secretPrefix });
    expect(JSON.stringify(read)).not.toContain(settings.signingSecret);

    const { runId } = await startRun(harness.db, { workspaceId: access.workspaceId, workflowId, input: { hello: "world" }, trigger: "manual", startedBy: "test" });
    const run = await waitForRun(harness.db, runId, ["succeeded"]);
    await waitUntil(() => received.some((entry) => entry.path === `/ok/${workflowId}`), "the callback");
    const delivery = received.find((entry) => entry.path === `/ok/${workflowId}`);
    if (!delivery || !settings.signingSecret) throw new Error("no delivery");
    expect(verifySignature({ secret: settings.signingSecret, header: delivery.signature, body: delivery.body, nowSeconds: Math.floor(Date.now() / 1000) })).toBe(true);
    expect(verifySignature({ secret: "whsec_another", header: delivery.signature, body: delivery.body, nowSeconds: Math.floor(Date.now() / 1000) })).toBe(false);
    expect(JSON.parse(delivery.body)).toEqual({ runId, workflowId, status: "succeeded", output: run.output, error: null, finishedAt: run.finishedAt?.toISOString() });

    await waitUntil(async () => (await harness.db.runCallback.findFirst({ where: { runId } }))?.status === "delivered", "the callback marked delivered");
    const [log] = await listRunCallbacks(harness.db, access.workspaceId, runId);
    expect(log).toMatchObject({ source: "workflow", status: "delivered", attempts: 1, lastStatusCode: 200, target: base + "/…" });
    expect(log?.log).toHaveLength(1);
    expect(log?.log[0]).toMatchObject({ attempt: 1, statusCode: 200, error: null });
    expect(log?.log[0]?.durationMs).toBeGreaterThanOrEqual(0);
    // Another workspace sees nothing of it.
    expect(await listRunCallbacks(harness.db, "ws_elsewhere", runId)).toEqual([]);

    // A rotated secret signs the next callbacks; the old one no longer verifies them.
    const rotated = await rotateCallbackSecret(harness.db, access, workflowId);
    expect(rotated.signingSecret).not.toBe(settings.signingSecret);
    const second = await startRun(harness.db, { workspaceId: access.workspaceId, workflowId, input: {}, trigger: "manual", startedBy: "test" });
    await waitUntil(() => received.filter((entry) => entry.path === `/ok/${workflowId}`).length === 2, "the second callback");
    const next = received.filter((entry) => entry.path === `/ok/${workflowId}`)[1];
    expect(JSON.parse(next?.body ?? "{}")).toMatchObject({ runId: second.runId });
    expect(verifySignature({ secret: rotated.signingSecret ?? "", header: next?.signature ?? "", body: next?.body ?? "", nowSeconds: Math.floor(Date.now() / 1000) })).toBe(true);
    expect(verifySignature({ secret: settings.signingSecret, header: next?.signature ?? "", body: next?.body ?? "", nowSeconds: Math.floor(Date.now() / 1000) })).toBe(false);
  });

  it("retries a per-request callback with exponential backoff until the receiver takes it", async () => {
    const workflowId = await newWorkflow(gateOnlyGraph());
    // No per-workflow URL: only the secret that signs per-request callbacks.
    const { signingSecret } = await setWorkflowCallback(harness.db, access, workflowId, null);
    const url = await checkRequestCallback(harness.db, access.workspaceId, workflowId, `${base}/flaky/${workflowId}`);
    // The run waits for a person, so the callback is stored before it ends: the commit of the end marks it pending.
    const { runId } = await startRun(harness.db, { workspaceId: access.workspaceId, workflowId, input: {}, trigger: "manual", startedBy: "test" });
    await waitForRun(harness.db, runId, ["waiting_for_human"]);
    await recordRunCallback(harness.db, runId, url);
    expect(await harness.db.runCallback.findFirst({ where: { runId } })).toMatchObject({ source: "request", status: "waiting" });
    const task = await harness.db.humanTask.findFirstOrThrow({ where: { runId, status: "pending" } });
    await respondToHumanTask(harness.db, access, { taskId: task.id, decision: "approve" });
    await waitForRun(harness.db, runId, ["succeeded"]);

    await waitUntil(async () => (await harness.db.runCallback.findFirst({ where: { runId } }))?.status === "delivered", "the callback delivered on the third attempt", 20_000);
    const attempts = received.filter((entry) => entry.path === `/flaky/${workflowId}`);
    expect(attempts).toHaveLength(3);
    const gaps = [attempts[1]!.at - attempts[0]!.at, attempts[2]!.at - attempts[1]!.at];
    expect(gaps[0]).toBeGreaterThanOrEqual(RETRY_BASE_MS * 0.9);
    expect(gaps[1]).toBeGreaterThanOrEqual(RETRY_BASE_MS * 2 * 0.9);
    for (const attempt of attempts) {
      expect(verifySignature({ secret: signingSecret ?? "", header: attempt.signature, body: attempt.body, nowSeconds: Math.floor(Date.now() / 1000) })).toBe(true);
    }
    const [log] = await listRunCallbacks(harness.db, access.workspaceId, runId);
    expect(log).toMatchObject({ source: "request", status: "delivered", attempts: 3 });
    expect(log?.log.map((entry) => [entry.attempt, entry.statusCode])).toEqual([
      [3, 200],
      [2, 503],
      [1, 503],
    ]);
    expect(log?.log[1]?.error).toContain("HTTP 503");
  });

  it("takes a per-request callbackUrl on the REST trigger: vetted before the run exists, delivered when it ends", async () => {
    const workflowId = await newWorkflow();
    const { token } = await createTestApiKey(harness.db, access.workspaceId, ["trigger"]);
    const trigger = (body: unknown) =>
      triggerRoute.POST(
        new Request(`http://localhost:3100/api/v1/workflows/${workflowId}/trigger`, {
          method: "POST",
          headers: { host: "localhost:3100", authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        }),
        { params: Promise.resolve({ workflowId }) },
      );
    // Without the workflow's signing secret, the receiver could not verify what it gets: refused, no run.
    const runsBefore = await harness.db.run.count({ where: { workflowId } });
    const refused = await trigger({ input: {}, callbackUrl: `${base}/ok/req-${workflowId}` });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: "invalid_input", path: "callbackUrl" } });
    expect(await harness.db.run.count({ where: { workflowId } })).toBe(runsBefore);

    const { signingSecret } = await setWorkflowCallback(harness.db, access, workflowId, null);
    const accepted = await trigger({ input: {}, callbackUrl: `${base}/ok/req-${workflowId}` });
    expect(accepted.status).toBe(202);
    const { runId } = (await accepted.json()) as { runId: string };
    await waitForRun(harness.db, runId, ["succeeded"]);
    await waitUntil(() => received.some((entry) => entry.path === `/ok/req-${workflowId}`), "the per-request callback");
    const delivery = received.find((entry) => entry.path === `/ok/req-${workflowId}`);
    expect(JSON.parse(delivery?.body ?? "{}")).toMatchObject({ runId, status: "succeeded" });
    expect(verifySignature({ secret: signingSecret ?? "", header: delivery?.signature ?? "", body: delivery?.body ?? "", nowSeconds: Math.floor(Date.now() / 1000) })).toBe(true);
  });

  it("stops at once on a 4xx that a retry cannot fix", async () => {
    const workflowId = await newWorkflow();
    await setWorkflowCallback(harness.db, access, workflowId, `${base}/gone/${workflowId}`);
    const { runId } = await startRun(harness.db, { workspaceId: access.workspaceId, workflowId, input: {}, trigger: "manual", startedBy: "test" });
    await waitUntil(async () => (await harness.db.runCallback.findFirst({ where: { runId } }))?.status === "failed", "the callback failed");
    const [log] = await listRunCallbacks(harness.db, access.workspaceId, runId);
    expect(log).toMatchObject({ status: "failed", attempts: 1, lastStatusCode: 410, lastError: expect.stringContaining("HTTP 410") });
  });

  it("refuses private addresses, and a per-request URL without the workflow's signing secret, naming the field", async () => {
    const workflowId = await newWorkflow();
    const noSecret = await refusal(checkRequestCallback(harness.db, access.workspaceId, workflowId, `${base}/ok/none`));
    expect(noSecret.path).toBe("callbackUrl");
    expect(noSecret.message).toContain("signing secret");
    await setWorkflowCallback(harness.db, access, workflowId, null);
    expect(await checkRequestCallback(harness.db, access.workspaceId, workflowId, `${base}/ok/fine`)).toBe(`${base}/ok/fine`);
    // Another workspace cannot use this workflow's secret.
    expect((await refusal(checkRequestCallback(harness.db, "ws_elsewhere", workflowId, `${base}/ok/none`))).path).toBe("callbackUrl");
    for (const url of ["http://10.1.2.3/hook", "http://169.254.169.254/latest/meta-data", "http://localhost:8080/hook", "http://[::1]/hook", "http://192.168.1.1/"]) {
      const refused = await refusal(checkRequestCallback(harness.db, access.workspaceId, workflowId, url));
      expect(refused.path).toBe("callbackUrl");
      expect(refused.message).toMatch(/^callbackUrl refused: .*public hosts only/);
    }
    const notHttp = await refusal(checkRequestCallback(harness.db, access.workspaceId, workflowId, "ftp://example.com/x"));
    expect(notHttp.message).toContain("https://");
    const workflowUrl = await refusal(setWorkflowCallback(harness.db, access, workflowId, "http://127.0.0.2:9/internal"));
    expect(workflowUrl.path).toBe("url");
    expect(workflowUrl.message).toContain("refused");
  });

  it("the outbox survives a crash between the commit and the enqueue: the sweep sends it", async () => {
    const workflowId = await newWorkflow();
    const { signingSecret } = await setWorkflowCallback(harness.db, access, workflowId, `${base}/ok/outbox-${workflowId}`);
    // No callback consumer, and the job the commit enqueued is lost with Redis' queue.
    await callbacks.close();
    const { runId } = await startRun(harness.db, { workspaceId: access.workspaceId, workflowId, input: {}, trigger: "manual", startedBy: "test" });
    await waitForRun(harness.db, runId, ["succeeded"]);
    await waitUntil(async () => (await harness.db.runCallback.count({ where: { runId, status: "pending" } })) === 1, "the outbox row");
    await getRunCallbacksQueue().obliterate({ force: true });
    expect(await getRunCallbacksQueue().count()).toBe(0);

    callbacks = createRunCallbackWorker(harness.db);
    await callbacks.waitUntilReady();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(received.some((entry) => entry.path === `/ok/outbox-${workflowId}`)).toBe(false);
    // What a worker does at start and every 15 s.
    const swept = await sweepRunCallbacks(harness.db, new Date(), 0);
    expect(swept.enqueued).toBeGreaterThanOrEqual(1);
    await waitUntil(() => received.some((entry) => entry.path === `/ok/outbox-${workflowId}`), "the swept callback");
    const delivery = received.find((entry) => entry.path === `/ok/outbox-${workflowId}`);
    expect(verifySignature({ secret: signingSecret ?? "", header: delivery?.signature ?? "", body: delivery?.body ?? "", nowSeconds: Math.floor(Date.now() / 1000) })).toBe(true);
    await waitUntil(async () => (await harness.db.runCallback.findFirst({ where: { runId } }))?.status === "delivered", "delivered");
    // Sweeping again sends nothing twice.
    await sweepRunCallbacks(harness.db, new Date(), 0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(received.filter((entry) => entry.path === `/ok/outbox-${workflowId}`)).toHaveLength(1);
  });
});
