import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitUntil, type Harness } from "./support/harness";
import { createTestApiKey } from "./support/identities";
import type { Db } from "../server/db";
import { getEnv } from "../server/env";
import { getRedis } from "../server/events";
import { newId } from "../server/ids";
import { revokeApiKey, verifyApiKey } from "../server/auth/api-keys";
import { buildGraph } from "../server/engine/test-helpers";
import { closeProcessCaches, processCacheConnectionName, processCachesLive } from "../server/ops/process-cache";
import { latestPublished } from "../server/runs/pinned-graph";
import { publishVersion } from "../server/workflows/versions";
import { createTriggerToken, revokeTriggerToken, verifyTriggerToken } from "../server/workflows/trigger-tokens";
import { createWorkflow, deleteWorkflow, getWorkflow, saveDraft } from "../server/workflows/workflows";

/**
 * The per-process caches of the REST trigger's lookups (server/ops/process-cache.ts) on a real
 * Redis and Postgres: a revoke or a publish counts at once — in this process, and in another
 * one that hears the announcement — and nothing is served from a cache while its process may
 * have missed one. "Another process" is played by publishing the announcement on Redis, as
 * that process's `invalidateEverywhere` does, after changing the row directly.
 */

let harness: Harness;
let db: Db;
let workspaceId: string;
const system = () => ({ workspaceId, actor: { kind: "system" as const, name: "test" }, ip: null });

beforeAll(async () => {
  harness = await startHarness({ worker: false });
  ({ db } = harness);
  ({ id: workspaceId } = await db.workspace.create({ data: { id: newId("ws"), name: "process caches" }, select: { id: true } }));
});

afterAll(async () => {
  await closeProcessCaches();
  await harness.stop();
});

/** Verifies until the process serves from its caches (its invalidation subscription is live). */
async function cachedKey(token: string) {
  await waitUntil(async () => (await verifyApiKey(token)) !== null && processCachesLive(), "the caches to be live");
  expect(await verifyApiKey(token)).not.toBeNull();
}

async function cacheConnectionId(): Promise<string | undefined> {
  const list = (await getRedis().call("CLIENT", "LIST")) as string;
  return list
    .split("\n")
    .map((line) => Object.fromEntries(line.split(" ").map((field) => field.split("=") as [string, string])))
    .find((client) => client.name === processCacheConnectionName())?.id;
}

describe("API keys", () => {
  it("refuses a revoked key at once in the process that revoked it", async () => {
    const key = await createTestApiKey(db, workspaceId, ["trigger"]);
    await cachedKey(key.token);
    await revokeApiKey(db, system(), key.id);
    expect(await verifyApiKey(key.token)).toBeNull();
  });

  it("serves a live key from the cache, and drops it when another process announces a revoke", async () => {
    const key = await createTestApiKey(db, workspaceId, ["trigger"]);
    await cachedKey(key.token);
    // Changed behind this process's back: its cache still answers (this is what saves the read)…
    await db.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
    expect(await verifyApiKey(key.token)).not.toBeNull();
    // …until the announcement the other process makes after its commit arrives.
    await getRedis().publish(`${getEnv().QUEUE_PREFIX}:cache-invalidate`, "api-keys another-process");
    await waitUntil(async () => (await verifyApiKey(key.token)) === null, "the revoke to count");
  });

  it("serves nothing from the cache while its subscription is down, when announcements may be lost", async () => {
    const key = await createTestApiKey(db, workspaceId, ["trigger"]);
    await cachedKey(key.token);
    const connection = await cacheConnectionId();
    expect(connection).toBeDefined();
    await getRedis().call("CLIENT", "KILL", "ID", String(connection));
    // Revoked while the connection is down: no announcement can reach this process.
    await db.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
    expect(await verifyApiKey(key.token)).toBeNull();
    // And once subscribed again, the cache serves again.
    const other = await createTestApiKey(db, workspaceId, ["trigger"]);
    await cachedKey(other.token);
    expect(await cacheConnectionId()).not.toBe(connection);
  });

  it("never caches an unknown token", async () => {
    const key = await createTestApiKey(db, workspaceId, ["trigger"]);
    await cachedKey(key.token);
    expect(await verifyApiKey(`${key.token}x`)).toBeNull();
  });
});

describe("trigger tokens", () => {
  async function cachedToken() {
    const { id: workflowId } = await createWorkflow(db, workspaceId, { name: `cache token ${newId("wf")}`, graph: buildGraph([["trigger", "trigger"], ["out", "output"]], [["trigger", "out"]]) });
    const token = await createTriggerToken(db, system(), workflowId);
    await waitUntil(async () => (await verifyTriggerToken(token.token)) !== null && processCachesLive(), "the caches to be live");
    expect((await verifyTriggerToken(token.token))?.workflowId).toBe(workflowId);
    return { ...token, workflowId };
  }

  it("refuses a revoked token at once in the process that revoked it", async () => {
    const token = await cachedToken();
    await revokeTriggerToken(db, system(), token.id);
    expect(await verifyTriggerToken(token.token)).toBeNull();
  });

  it("serves a live token from the cache, and drops it when another process announces a revoke", async () => {
    const token = await cachedToken();
    await db.triggerToken.update({ where: { id: token.id }, data: { revokedAt: new Date() } });
    expect(await verifyTriggerToken(token.token)).not.toBeNull();
    await getRedis().publish(`${getEnv().QUEUE_PREFIX}:cache-invalidate`, "trigger-tokens another-process");
    await waitUntil(async () => (await verifyTriggerToken(token.token)) === null, "the revoke to count");
  });

  it("notes a token's use at most once a minute, also when it is served from the cache", async () => {
    const token = await cachedToken();
    const lastUsed = async () => (await db.triggerToken.findUniqueOrThrow({ where: { id: token.id } })).lastUsedAt?.getTime() ?? null;
    await waitUntil(async () => (await lastUsed()) !== null, "the first use to be noted");
    const first = await lastUsed();
    await verifyTriggerToken(token.token, new Date(Date.now() + 30_000));
    const later = new Date(Date.now() + 61_000);
    await verifyTriggerToken(token.token, later);
    await waitUntil(async () => (await lastUsed()) === later.getTime(), "the use a minute later to be noted");
    expect(first).not.toBe(later.getTime());
  });

  it("forgets the tokens of a deleted workflow", async () => {
    const token = await cachedToken();
    await deleteWorkflow(db, workspaceId, token.workflowId);
    expect(await verifyTriggerToken(token.token)).toBeNull();
  });
});

describe("published versions", () => {
  it("resolves the version published last, in this process and after another's announcement", async () => {
    const first = buildGraph([["trigger", "trigger"], ["out", "output"]], [["trigger", "out"]]);
    const { id: workflowId } = await createWorkflow(db, workspaceId, { name: "cache publish", graph: first });
    await waitUntil(async () => (await latestPublished(workspaceId, workflowId))?.version === null && processCachesLive(), "the caches to be live");
    const v1 = await publishVersion(db, workspaceId, workflowId);
    expect((await latestPublished(workspaceId, workflowId))?.version?.id).toBe(v1.id);

    // A second publish in this process counts at once.
    const second = buildGraph([["trigger", "trigger"], ["mid", "output"]], [["trigger", "mid"]]);
    await saveDraft(db, workspaceId, { id: workflowId, graph: second, baseRevision: (await getWorkflow(db, workspaceId, workflowId)).revision });
    const v2 = await publishVersion(db, workspaceId, workflowId);
    expect(v2.id).not.toBe(v1.id);
    expect((await latestPublished(workspaceId, workflowId))?.version?.id).toBe(v2.id);

    // Published by another process: counts when its announcement arrives.
    await db.workflowVersion.update({ where: { id: v1.id }, data: { publishedAt: new Date(Date.now() + 1_000) } });
    expect((await latestPublished(workspaceId, workflowId))?.version?.id).toBe(v2.id);
    await getRedis().publish(`${getEnv().QUEUE_PREFIX}:cache-invalidate`, "published-versions another-process");
    await waitUntil(async () => (await latestPublished(workspaceId, workflowId))?.version?.id === v1.id, "the other publish to count");

    // A deleted workflow is no longer found.
    await deleteWorkflow(db, workspaceId, workflowId);
    expect(await latestPublished(workspaceId, workflowId)).toBeNull();
  });
});
