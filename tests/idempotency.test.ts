import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitUntil, type Harness } from "./support/harness";
import { startRestServer, type RestServer } from "./support/rest-server";
import { createTestApiKey, createTestUser, createWorkspaceWith } from "./support/identities";
import { approvalGraph, outputOnlyGraph } from "./support/graphs";
import type { Db } from "../server/db";
import { createWorkflow } from "../server/workflows/workflows";
import { createTriggerToken } from "../server/workflows/trigger-tokens";
import { closeRunEventHub } from "../server/streams/run-event-hub";

/**
 * Idempotency-Key on the REST POSTs, over real HTTP with the real worker, Postgres and Redis:
 * a retried request returns the first answer (same run, no second one), even when 20 identical
 * requests race; another body under the same key is a 422; keys are scoped to the credential and
 * the path, expire after 24 h, and must be 1–255 printable characters.
 */

let harness: Harness;
let server: RestServer;
let db: Db;
let workspaceId: string;
let triggerKey: string;
let otherTriggerKey: string;
let controlKey: string;
const system = () => ({ workspaceId, actor: { kind: "system" as const, name: "idempotency test" }, ip: null });

beforeAll(async () => {
  harness = await startHarness();
  db = harness.db;
  server = await startRestServer();
  const owner = await createTestUser("idempotency owner");
  workspaceId = await createWorkspaceWith(db, "Idempotency", [{ user: owner, role: "owner" }]);
  triggerKey = (await createTestApiKey(db, workspaceId, ["trigger"])).token;
  otherTriggerKey = (await createTestApiKey(db, workspaceId, ["trigger"], "second")).token;
  controlKey = (await createTestApiKey(db, workspaceId, ["control"])).token;
}, 60_000);

afterAll(async () => {
  await server?.close();
  await closeRunEventHub();
  await harness?.stop();
});

async function newWorkflow(graph = outputOnlyGraph()): Promise<string> {
  return (await createWorkflow(db, workspaceId, { name: `idempotency ${randomUUID()}`, graph })).id;
}

function trigger(workflowId: string, body: unknown, headers: Record<string, string>, token = triggerKey): Promise<Response> {
  return fetch(`${server.url}/api/v1/workflows/${workflowId}/trigger`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify(body),
  });
}

type Accepted = { runId: string; statusUrl: string };

describe("Idempotency-Key on the trigger", () => {
  it("20 parallel identical requests create exactly one run and all answer its id", async () => {
    const workflowId = await newWorkflow();
    const key = randomUUID();
    const responses = await Promise.all(Array.from({ length: 20 }, () => trigger(workflowId, { input: { topic: "once" } }, { "Idempotency-Key": key })));
    const bodies = await Promise.all(responses.map(async (response) => ({ status: response.status, replayed: response.headers.get("idempotent-replayed"), location: response.headers.get("location"), body: (await response.json()) as Accepted })));
    expect(bodies.map((b) => b.status)).toEqual(Array(20).fill(202));
    const runIds = new Set(bodies.map((b) => b.body.runId));
    expect(runIds.size).toBe(1);
    expect(bodies.filter((b) => b.replayed === "true")).toHaveLength(19);
    // The replayed answer carries the first one's Location too.
    expect(new Set(bodies.map((b) => b.location)).size).toBe(1);
    expect(await db.run.count({ where: { workflowId } })).toBe(1);

    // A retry later: the same answer, still one run.
    const later = await trigger(workflowId, { input: { topic: "once" } }, { "Idempotency-Key": key });
    expect(later.status).toBe(202);
    expect(((await later.json()) as Accepted).runId).toBe([...runIds][0]);
    expect(await db.run.count({ where: { workflowId } })).toBe(1);
  });

  it("the same key with another body is a 422 naming the header; no run", async () => {
    const workflowId = await newWorkflow();
    const key = randomUUID();
    expect((await trigger(workflowId, { input: { n: 1 } }, { "Idempotency-Key": key })).status).toBe(202);
    const reused = await trigger(workflowId, { input: { n: 2 } }, { "Idempotency-Key": key });
    expect(reused.status).toBe(422);
    expect(await reused.json()).toMatchObject({ error: { code: "idempotency_key_reused", path: "header:Idempotency-Key" } });
    expect(await db.run.count({ where: { workflowId } })).toBe(1);
  });

  it("keys are scoped to the credential and the path; without a key every request is a new run", async () => {
    const workflowId = await newWorkflow();
    const otherWorkflowId = await newWorkflow();
    const key = randomUUID();
    const first = (await (await trigger(workflowId, { input: {} }, { "Idempotency-Key": key })).json()) as Accepted;
    const otherCredential = (await (await trigger(workflowId, { input: {} }, { "Idempotency-Key": key }, otherTriggerKey)).json()) as Accepted;
    const otherPath = (await (await trigger(otherWorkflowId, { input: {} }, { "Idempotency-Key": key })).json()) as Accepted;
    expect(new Set([first.runId, otherCredential.runId, otherPath.runId]).size).toBe(3);
    const { token } = await createTriggerToken(db, system(), workflowId);
    const viaToken = (await (await trigger(workflowId, { input: {} }, { "Idempotency-Key": key }, token)).json()) as Accepted;
    expect(viaToken.runId).not.toBe(first.runId);

    await trigger(workflowId, { input: {} }, {});
    await trigger(workflowId, { input: {} }, {});
    expect(await db.run.count({ where: { workflowId } })).toBe(5);
  });

  it("a key older than 24 h is forgotten", async () => {
    const workflowId = await newWorkflow();
    const key = randomUUID();
    const first = (await (await trigger(workflowId, { input: {} }, { "Idempotency-Key": key })).json()) as Accepted;
    await db.idempotencyKey.updateMany({ where: { key }, data: { createdAt: new Date(Date.now() - 25 * 60 * 60 * 1000) } });
    const again = (await (await trigger(workflowId, { input: {} }, { "Idempotency-Key": key })).json()) as Accepted;
    expect(again.runId).not.toBe(first.runId);
    expect(await db.run.count({ where: { workflowId } })).toBe(2);
  });

  it("refuses a malformed key with a 400 naming the header", async () => {
    const workflowId = await newWorkflow();
    for (const key of ["", "x".repeat(256)]) {
      const response = await trigger(workflowId, { input: {} }, { "Idempotency-Key": key });
      expect(response.status, key.slice(0, 10)).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: "invalid_idempotency_key", path: "header:Idempotency-Key" } });
    }
    expect((await trigger(workflowId, { input: {} }, { "Idempotency-Key": "x".repeat(255) })).status).toBe(202);
    expect(await db.run.count({ where: { workflowId } })).toBe(1);
  });

  it("a duplicate of a request still in flight waits for it, then answers 409 with Retry-After", async () => {
    const workflowId = await newWorkflow(approvalGraph("#demo:slow:12000 Summarise {{input.topic}}"));
    const key = randomUUID();
    const sync = (query: string) =>
      fetch(`${server.url}/api/v1/workflows/${workflowId}/trigger${query}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${triggerKey}`, "Idempotency-Key": key },
        body: JSON.stringify({ input: { topic: "slow" } }),
      });
    const first = sync("?wait=15");
    await waitUntil(async () => (await db.run.count({ where: { workflowId } })) === 1, "the first request's run");
    const startedAt = Date.now();
    const duplicate = await sync("?wait=15");
    expect(duplicate.status).toBe(409);
    expect(duplicate.headers.get("retry-after")).toBe("1");
    expect(await duplicate.json()).toMatchObject({ error: { code: "idempotency_request_in_progress", path: "header:Idempotency-Key" } });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(9_000);
    const firstAnswer = await first;
    expect(firstAnswer.status).toBe(202);
    const firstBody = (await firstAnswer.json()) as Accepted & { status: string };
    expect(firstBody.status).toBe("waiting_for_human");
    // Now it is done: the duplicate gets the first answer.
    const replay = await sync("?wait=15");
    expect(await replay.json()).toEqual(firstBody);
    expect(await db.run.count({ where: { workflowId } })).toBe(1);
  }, 30_000);

  it("a refused request stores nothing: the same key retried with the body corrected starts the run, once", async () => {
    const workflowId = await newWorkflow();
    const key = randomUUID();
    const bad = await trigger(workflowId, { input: {}, extra: true }, { "Idempotency-Key": key });
    expect(bad.status).toBe(400);
    const again = await trigger(workflowId, { input: {}, extra: true }, { "Idempotency-Key": key });
    expect(again.status).toBe(400);
    expect(again.headers.get("idempotent-replayed")).toBeNull();
    expect(await db.run.count({ where: { workflowId } })).toBe(0);

    const corrected = await trigger(workflowId, { input: {} }, { "Idempotency-Key": key });
    expect(corrected.status).toBe(202);
    const { runId } = (await corrected.json()) as Accepted;
    const replayed = await trigger(workflowId, { input: {} }, { "Idempotency-Key": key });
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    expect(((await replayed.json()) as Accepted).runId).toBe(runId);
    // Stored now: the old bad body under this key is the mismatch it is.
    expect((await trigger(workflowId, { input: {}, extra: true }, { "Idempotency-Key": key })).status).toBe(422);
    expect(await db.run.count({ where: { workflowId } })).toBe(1);
  });
});

describe("Idempotency-Key on run control, lineage and human tasks", () => {
  it("cancel, rerun and a human-task answer replay their first answer", async () => {
    const workflowId = await newWorkflow(approvalGraph());
    const { runId } = (await (await trigger(workflowId, { input: { topic: "approve me" } }, {})).json()) as Accepted;
    await waitUntil(async () => (await db.humanTask.count({ where: { runId, status: "pending" } })) === 1, "the run waiting for a person", 20_000);
    const task = await db.humanTask.findFirstOrThrow({ where: { runId, status: "pending" } });

    const answer = (key: string, decision: string) =>
      fetch(`${server.url}/api/v1/human-tasks/${task.id}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${controlKey}`, "Idempotency-Key": key },
        body: JSON.stringify({ decision }),
      });
    const key = randomUUID();
    const first = await answer(key, "approve");
    expect(first.status).toBe(200);
    const firstBody = await first.json();
    // Without the key a second answer is refused (already answered); with it, the first answer comes back.
    const retried = await answer(key, "approve");
    expect(retried.status).toBe(200);
    expect(await retried.json()).toEqual(firstBody);
    expect((await answer(key, "reject")).status).toBe(422);
    expect((await answer(randomUUID(), "approve")).status).toBe(409);

    const rerun = (key: string) =>
      fetch(`${server.url}/api/v1/runs/${runId}/rerun`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${triggerKey}`, "Idempotency-Key": key },
        body: JSON.stringify({ version: "same" }),
      });
    const rerunKey = randomUUID();
    const rerunBodies = await Promise.all([rerun(rerunKey), rerun(rerunKey), rerun(rerunKey)].map(async (p) => (await p).json() as Promise<Accepted>));
    expect(new Set(rerunBodies.map((b) => b.runId)).size).toBe(1);
    expect(await db.run.count({ where: { parentRunId: runId } })).toBe(1);

    const childRunId = rerunBodies[0]?.runId ?? "";
    const cancel = (key: string) => fetch(`${server.url}/api/v1/runs/${childRunId}/cancel`, { method: "POST", headers: { authorization: `Bearer ${controlKey}`, "Idempotency-Key": key } });
    const cancelKey = randomUUID();
    const cancelled = await cancel(cancelKey);
    const cancelledBody = await cancelled.json();
    const replayed = await cancel(cancelKey);
    expect(replayed.status).toBe(cancelled.status);
    expect(await replayed.json()).toEqual(cancelledBody);
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
  });
});
