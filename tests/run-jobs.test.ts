import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitUntil, type Harness } from "./support/harness";
import { getEnv } from "../server/env";
import { getRedis } from "../server/events";
import { tryAcquireRunLease } from "../server/runs/run-lease";
import { advanceRun } from "../server/runs/advance";
import { startRun } from "../server/runs/start-run";
import { advanceJobId, getRunsQueue } from "../server/queue";
import { createWorkflow } from "../server/workflows/workflows";
import { buildGraph } from "../server/engine/test-helpers";
import { testWorkspace, testRunScope } from "./support/workspace";

/**
 * How runs map to jobs, on the real Redis and Postgres with no worker running: the run lease
 * (exclusive, released, renewed, noticed when lost) and a job's hand-back at its iteration limit.
 */

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ worker: false });
});

afterAll(() => harness.stop());

describe("run lease", () => {
  it("is held by one job at a time and free again once released", async () => {
    const first = await tryAcquireRunLease(getRedis(), "run_lease_a", 1_000, () => undefined);
    expect(first).not.toBeNull();
    expect(await tryAcquireRunLease(getRedis(), "run_lease_a", 1_000, () => undefined)).toBeNull();
    await first?.release();
    const again = await tryAcquireRunLease(getRedis(), "run_lease_a", 1_000, () => undefined);
    expect(again).not.toBeNull();
    await again?.release();
  });

  it("outlives its TTL while renewed, and expires on its own when its holder is gone", async () => {
    const held = await tryAcquireRunLease(getRedis(), "run_lease_b", 300, () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(await tryAcquireRunLease(getRedis(), "run_lease_b", 300, () => undefined)).toBeNull();
    await held?.release();

    // A holder that died: the key was set but nobody renews it.
    await getRedis().set(`${getEnv().QUEUE_PREFIX}:run-lease:run_lease_c`, "dead-worker", "PX", 300);
    expect(await tryAcquireRunLease(getRedis(), "run_lease_c", 300, () => undefined)).toBeNull();
    await waitUntil(async () => (await getRedis().exists(`${getEnv().QUEUE_PREFIX}:run-lease:run_lease_c`)) === 0, "the lease to expire");
    const taken = await tryAcquireRunLease(getRedis(), "run_lease_c", 300, () => undefined);
    expect(taken).not.toBeNull();
    await taken?.release();
  });

  it("tells its holder when another took it, and release leaves the other's lease alone", async () => {
    let lost = false;
    const held = await tryAcquireRunLease(getRedis(), "run_lease_d", 300, () => (lost = true));
    const key = `${getEnv().QUEUE_PREFIX}:run-lease:run_lease_d`;
    await getRedis().set(key, "someone-else", "PX", 5_000);
    await waitUntil(() => lost, "the holder to learn it lost the lease", 2_000);
    await held?.release();
    expect(await getRedis().get(key)).toBe("someone-else");
    await getRedis().del(key);
  });
});

describe("job iteration limit", () => {
  it("a job that reaches its limit with work left hands the run back to the queue", async () => {
    // The agent's first answer asks for a tool: after that answer the run still has work.
    const task = ['Write the plan down.', '#demo:call:write_file {"path":"plan.md","content":"ship it"}'].join("\n");
    const graph = buildGraph([["trigger", "trigger"], ["agent", "agent", { task, allowedTools: ["write_file"] }], ["out", "output"]], [["trigger", "agent"], ["agent", "out"]]);
    const { id: workflowId } = await createWorkflow(harness.db, await testWorkspace(harness.db), { name: "iteration limit", graph });
    const { runId } = await startRun(harness.db, { ...(await testRunScope(harness.db)), workflowId, input: {}, trigger: "manual" });
    // The run went in with its pure steps (trigger done, agent started); its job starts after them.
    const { lastSeq: startSeq } = await harness.db.run.findUniqueOrThrow({ where: { id: runId } });
    expect(startSeq).toBe(4);
    expect(await getRunsQueue().getJob(advanceJobId(runId, startSeq))).toBeDefined();

    // Two iterations: the model call, then the commit of its answer (a tool call, still to be made).
    const outcome = await advanceRun(harness.db, runId, { maxIterations: 2 });
    expect(outcome).toMatchObject({ status: "running", committedEvents: 1 });
    const { lastSeq } = await harness.db.run.findUniqueOrThrow({ where: { id: runId } });
    expect(lastSeq).toBe(startSeq + 1);
    expect(await getRunsQueue().getJob(advanceJobId(runId, lastSeq))).toBeDefined();

    // With room to finish, no continuation is left behind.
    const done = await advanceRun(harness.db, runId);
    expect(done.status).toBe("succeeded");
    const { lastSeq: finalSeq } = await harness.db.run.findUniqueOrThrow({ where: { id: runId } });
    expect(await getRunsQueue().getJob(advanceJobId(runId, finalSeq))).toBeUndefined();
  });
});
