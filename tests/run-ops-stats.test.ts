import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitForRun, type Harness } from "./support/harness";
import { approvalGraph } from "./support/graphs";
import { testRunScope, testWorkspace } from "./support/workspace";
import type { Db } from "../server/db";
import type { RunEvent } from "../server/engine/events";
import { buildGraph } from "../server/engine/test-helpers";
import { newId } from "../server/ids";
import { startWorkerHeartbeat } from "../server/ops/heartbeat";
import { commitEvents, insertRun } from "../server/runs/commit";
import { startRun } from "../server/runs/start-run";
import { runOpsLive, runOpsTrends } from "../server/runs/stats";
import { createWorkflow } from "../server/workflows/workflows";
import { publishVersion } from "../server/workflows/versions";

/**
 * The dashboard's operations figures (server/runs/stats.ts) on real Postgres: runs with known
 * start and end times, statuses and model costs — committed through the real commit path, so
 * their logs replay — give known p50/p95 (percentile_cont), success rates and cost per day.
 */

let harness: Harness;
let db: Db;
/** Noon UTC today: every run below is placed relative to it, so no day boundary splits a test. */
const NOW = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate(), 12));
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

beforeAll(async () => {
  harness = await startHarness();
  db = harness.db;
});

afterAll(() => harness.stop());

const graph = buildGraph([["trigger", "trigger"], ["agent", "agent", { task: "x" }], ["out", "output"]], [["trigger", "agent"], ["agent", "out"]]);

async function publishedWorkflow(workspaceId: string, name: string) {
  const { id } = await createWorkflow(db, workspaceId, { name, graph });
  const version = await publishVersion(db, workspaceId, id);
  return { workflowId: id, versionId: version.id };
}

function modelCall(costUsd: number | null): RunEvent {
  return { type: "llm_response", nodeId: "agent", provider: "demo", model: "agentflow-demo-1", message: { role: "assistant", content: "ok" }, usage: { promptTokens: 10, completionTokens: 5 }, costUsd, latencyMs: 100, sentMessages: 1 };
}

/**
 * A run started at `startedAt`; when `end` is given, one commit at `end.at` makes its model calls
 * and ends it with `end.status` (so it ran `end.at - startedAt`). Without `end` it stays running.
 */
async function placeRun(
  workspaceId: string,
  workflow: { workflowId: string; versionId: string },
  startedAt: Date,
  end?: { at: Date; status: "succeeded" | "failed" | "cancelled"; costs?: (number | null)[] },
): Promise<string> {
  const runId = newId("run");
  const state = await insertRun({
    runId,
    workspaceId,
    ...workflow,
    trigger: "manual",
    startedBy: "ops stats test",
    events: [{ type: "run_started", input: null, seq: 1, at: startedAt.toISOString() }],
  });
  if (end) {
    const events: RunEvent[] = [
      { type: "node_started", nodeId: "agent" },
      ...(end.costs ?? []).map(modelCall),
      end.status === "failed" ? { type: "node_failed", nodeId: "agent", error: "boom" } : { type: "node_finished", nodeId: "agent", output: "ok", handle: null },
      { type: "run_finished", status: end.status, ...(end.status === "failed" ? { error: "boom" } : {}) },
    ];
    await commitEvents(db, runId, state, events, { now: () => end.at });
  }
  return runId;
}

describe("runOpsTrends", () => {
  it("gives p50/p95 duration and success rate per workflow, and cost per UTC day", async () => {
    const workspaceId = await testWorkspace(db);
    const alpha = await publishedWorkflow(workspaceId, "Alpha");
    const beta = await publishedWorkflow(workspaceId, "Beta");
    const costs = await publishedWorkflow(workspaceId, "Costs only");

    // Alpha: five runs of 1, 2, 3, 4 and 10 s, one failed; each pays $0.01 today.
    const alphaRuns: [number, "succeeded" | "failed"][] = [[1, "succeeded"], [2, "succeeded"], [3, "failed"], [4, "succeeded"], [10, "succeeded"]];
    for (const [index, [seconds, status]] of alphaRuns.entries()) {
      const start = at(-2 * HOUR + index * 60_000);
      await placeRun(workspaceId, alpha, start, { at: new Date(start.getTime() + seconds * 1_000), status, costs: [0.01] });
    }
    // Beta: 6 s cancelled and 2 s succeeded; and one still running (not in any figure).
    await placeRun(workspaceId, beta, at(-HOUR), { at: at(-HOUR + 6_000), status: "cancelled" });
    await placeRun(workspaceId, beta, at(-HOUR + 60_000), { at: at(-HOUR + 62_000), status: "succeeded" });
    await placeRun(workspaceId, beta, at(-30 * 60_000));
    // Before the 7-day window, inside the 14-day cost chart: Alpha's run of 100 s paid $1 ten days ago.
    await placeRun(workspaceId, alpha, at(-10 * DAY), { at: at(-10 * DAY + 100_000), status: "succeeded", costs: [1] });
    // Costs on other days: $0.25 three days ago; $0.5 and a call of unknown price yesterday.
    await placeRun(workspaceId, costs, at(-3 * DAY), { at: at(-3 * DAY + 1_000), status: "succeeded", costs: [0.25] });
    await placeRun(workspaceId, costs, at(-DAY), { at: at(-DAY + 1_000), status: "succeeded", costs: [0.5, null] });
    // Outside the chart (15 days ago) and another workspace's: counted nowhere.
    await placeRun(workspaceId, costs, at(-15 * DAY), { at: at(-15 * DAY + 1_000), status: "succeeded", costs: [7] });
    const otherWorkspaceId = newId("ws");
    await db.workspace.create({ data: { id: otherWorkspaceId, name: "other ops workspace" } });
    const foreign = await publishedWorkflow(otherWorkspaceId, "Foreign");
    await placeRun(otherWorkspaceId, foreign, at(-HOUR), { at: at(-HOUR + 5_000), status: "succeeded", costs: [9] });

    const trends = await runOpsTrends(db, workspaceId, { sinceHours: 24 * 7, now: NOW });

    const byName = Object.fromEntries(trends.byWorkflow.map((row) => [row.name, row]));
    expect(Object.keys(byName).sort()).toEqual(["Alpha", "Beta", "Costs only"]);
    expect(byName.Alpha).toMatchObject({ workflowId: alpha.workflowId, finished: 5, succeeded: 4, successRate: 0.8 });
    // percentile_cont: the median of 1,2,3,4,10 is 3; p95 is 4 + 0.8 × (10 − 4) = 8.8.
    expect(byName.Alpha?.p50Seconds).toBeCloseTo(3, 6);
    expect(byName.Alpha?.p95Seconds).toBeCloseTo(8.8, 6);
    expect(byName.Beta).toMatchObject({ finished: 2, succeeded: 1, successRate: 0.5 });
    expect(byName.Beta?.p50Seconds).toBeCloseTo(4, 6);
    expect(byName.Beta?.p95Seconds).toBeCloseTo(5.8, 6);
    expect(byName["Costs only"]).toMatchObject({ finished: 2, succeeded: 2, successRate: 1 });

    expect(trends.costPerDay).toHaveLength(14);
    const day = (offset: number) => at(offset * DAY).toISOString().slice(0, 10);
    expect(trends.costPerDay[0]?.day).toBe(day(-13));
    expect(trends.costPerDay[13]?.day).toBe(day(0));
    const cost = Object.fromEntries(trends.costPerDay.map((row) => [row.day, row]));
    expect(cost[day(0)]?.costUsd).toBeCloseTo(0.05, 9);
    expect(cost[day(0)]).toMatchObject({ calls: 5, unpricedCalls: 0 });
    expect(cost[day(-1)]).toMatchObject({ costUsd: 0.5, calls: 2, unpricedCalls: 1 });
    expect(cost[day(-3)]).toMatchObject({ costUsd: 0.25, calls: 1 });
    expect(cost[day(-10)]).toMatchObject({ costUsd: 1, calls: 1 });
    const otherDays = trends.costPerDay.filter((row) => ![day(0), day(-1), day(-3), day(-10)].includes(row.day));
    expect(otherDays.every((row) => row.costUsd === 0 && row.calls === 0)).toBe(true);
  });
});

describe("runOpsLive", () => {
  it("counts this workspace's queued and running runs, the live workers and the oldest waiting task", async () => {
    const workspaceId = newId("ws");
    await db.workspace.create({ data: { id: workspaceId, name: "live ops workspace" } });
    expect(await runOpsLive(db, workspaceId)).toEqual({ queued: 0, running: 0, workersOnline: 0, workerSlots: 0, oldestPendingTask: null });

    const workflow = await publishedWorkflow(workspaceId, "Live");
    await placeRun(workspaceId, workflow, at(-HOUR));
    await placeRun(workspaceId, workflow, at(-HOUR));
    // Another workspace's running run and waiting task are not this one's.
    const heartbeat = await startWorkerHeartbeat({ concurrency: 7 });
    try {
      const { id: gateId } = await createWorkflow(db, await testWorkspace(db), { name: "Gate elsewhere", graph: approvalGraph() });
      const elsewhere = await startRun(db, { ...(await testRunScope(db)), workflowId: gateId, input: { topic: "x" }, trigger: "manual" });
      await waitForRun(db, elsewhere.runId, ["waiting_for_human"]);

      const { id: ownGateId } = await createWorkflow(db, workspaceId, { name: "Own gate", graph: approvalGraph() });
      const first = await startRun(db, { workspaceId, startedBy: "ops stats test", workflowId: ownGateId, input: { topic: "first" }, trigger: "manual" });
      await waitForRun(db, first.runId, ["waiting_for_human"]);
      const second = await startRun(db, { workspaceId, startedBy: "ops stats test", workflowId: ownGateId, input: { topic: "second" }, trigger: "manual" });
      await waitForRun(db, second.runId, ["waiting_for_human"]);
      const firstTask = await db.humanTask.findFirstOrThrow({ where: { runId: first.runId } });
      const now = new Date(firstTask.createdAt.getTime() + 90_000);

      const live = await runOpsLive(db, workspaceId, { now });
      expect(live).toMatchObject({ queued: 0, running: 2, workersOnline: 1, workerSlots: 7 });
      expect(live.oldestPendingTask).toEqual({
        id: firstTask.id,
        runId: first.runId,
        message: "Publish this?",
        workflowName: "Own gate",
        createdAt: firstTask.createdAt,
        ageSeconds: 90,
      });
    } finally {
      await heartbeat.stop();
    }
  });
});
