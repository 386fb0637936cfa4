import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitForRun, type Harness } from "./support/harness";
import type { Graph } from "../server/engine/graph";
import type { Db } from "../server/db";
import { startRun } from "../server/runs/start-run";
import { respondToHumanTask } from "../server/runs/respond-human";
import { createWorkflow } from "../server/workflows/workflows";
import { buildGraph } from "../server/engine/test-helpers";
import { replay } from "../server/engine/state";
import { step } from "../server/engine/step";
import { getRunEvents } from "../server/runs/queries";

/**
 * The whole run path on real parts: Postgres, Redis/BullMQ, the demo model over HTTP,
 * the worker loop, the human gate. No mocks. (Env is read lazily, so isolating it in
 * beforeAll is early enough.)
 */

let harness: Harness;
let db: Db;
let demo: Harness["demo"];
const mod = { startRun, respond: respondToHumanTask, createWorkflow, buildGraph, replay, step, getRunEvents };

beforeAll(async () => {
  harness = await startHarness();
  ({ db, demo } = harness);
});

afterAll(() => harness.stop());

const waitForStatus = (runId: string, statuses: string[]) => waitForRun(db, runId, statuses);

function approvalGraph(): Graph {
  return mod.buildGraph(
    [
      ["trigger", "trigger"],
      ["writer", "agent", { task: "Write release notes about {{input.topic}}" }],
      ["review", "human", { message: "Approve the notes?" }],
      ["out", "output"],
    ],
    [
      ["trigger", "writer"],
      ["writer", "review"],
      ["review", "out", "approve"],
    ],
  );
}

describe("run lifecycle", () => {
  it("runs an agent on the demo model, waits for a human, and finishes on approve", async () => {
    const { id: workflowId } = await mod.createWorkflow(db, { name: "lifecycle", graph: approvalGraph() });
    const before = demo.requests();
    const { runId } = await mod.startRun(db, { workflowId, input: { topic: "dark mode" }, trigger: "manual" });

    const waiting = await waitForStatus(runId, ["waiting_for_human"]);
    expect(waiting.status).toBe("waiting_for_human");
    expect(demo.requests() - before).toBe(1);
    const task = await db.humanTask.findFirstOrThrow({ where: { runId, status: "pending" } });
    expect(task.nodeId).toBe("review");
    expect(String(task.context)).toContain("dark mode");

    await mod.respond(db, { taskId: task.id, decision: "approve" });
    await expect(mod.respond(db, { taskId: task.id, decision: "reject" })).rejects.toThrow(/already answered/);

    const done = await waitForStatus(runId, ["succeeded", "failed"]);
    expect(done.status).toBe("succeeded");
    expect(String(done.output)).toContain('Demo answer to: "Write release notes about dark mode"');
    expect(done.tokens).toBeGreaterThan(0);

    // The stored state is exactly the fold of the stored log; seqs are 1..n without gaps.
    const events = await mod.getRunEvents(db, runId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(mod.replay(events, mod.step)).toEqual(done.state);
    expect(events.at(-1)).toMatchObject({ type: "run_finished", status: "succeeded" });
  });

  it("ends rejected when the reviewer rejects", async () => {
    const { id: workflowId } = await mod.createWorkflow(db, { name: "reject", graph: approvalGraph() });
    const { runId } = await mod.startRun(db, { workflowId, input: { topic: "x" }, trigger: "api" });
    await waitForStatus(runId, ["waiting_for_human"]);
    const task = await db.humanTask.findFirstOrThrow({ where: { runId } });
    await mod.respond(db, { taskId: task.id, decision: "reject", comment: "not good" });
    const done = await waitForStatus(runId, ["rejected", "succeeded", "failed"]);
    expect(done.status).toBe("rejected");
  });

  it("refuses to start an invalid workflow and saves nothing", async () => {
    const graph = mod.buildGraph([["a", "agent"]], []);
    const { id: workflowId } = await mod.createWorkflow(db, { name: "invalid", graph });
    await expect(mod.startRun(db, { workflowId, input: {}, trigger: "manual" })).rejects.toThrow(/needs a Trigger/);
    expect(await db.run.count({ where: { workflowId } })).toBe(0);
  });
});

describe("run control", () => {
  it("pauses a waiting run, records the answer without resuming, and resumes to the end", async () => {
    const { pauseRun, resumeRun } = await import("../server/runs/control");
    const { id: workflowId } = await mod.createWorkflow(db, { name: "pause", graph: approvalGraph() });
    const { runId } = await mod.startRun(db, { workflowId, input: { topic: "p" }, trigger: "manual" });
    await waitForStatus(runId, ["waiting_for_human"]);
    await pauseRun(db, runId);
    const task = await db.humanTask.findFirstOrThrow({ where: { runId } });
    await mod.respond(db, { taskId: task.id, decision: "approve" });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await db.run.findUniqueOrThrow({ where: { id: runId } })).status).toBe("paused");
    await resumeRun(db, runId);
    expect((await waitForStatus(runId, ["succeeded", "failed"])).status).toBe("succeeded");
  });

  it("cancels a waiting run and closes its human task", async () => {
    const { cancelRun } = await import("../server/runs/control");
    const { id: workflowId } = await mod.createWorkflow(db, { name: "cancel", graph: approvalGraph() });
    const { runId } = await mod.startRun(db, { workflowId, input: { topic: "c" }, trigger: "manual" });
    await waitForStatus(runId, ["waiting_for_human"]);
    await cancelRun(db, runId);
    const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("cancelled");
    expect((await db.humanTask.findFirstOrThrow({ where: { runId } })).status).toBe("cancelled");
    await expect(cancelRun(db, runId)).rejects.toThrow(/already ended/);
  });
});

describe("parallel branches", () => {
  it("runs branches concurrently and the join waits for both", async () => {
    const graph = mod.buildGraph(
      [
        ["trigger", "trigger"],
        ["fork", "parallel"],
        ["a", "agent", { task: "Branch A #demo:slow:800" }],
        ["b", "agent", { task: "Branch B #demo:slow:800" }],
        ["join", "join"],
        ["out", "output"],
      ],
      [["trigger", "fork"], ["fork", "a"], ["fork", "b"], ["a", "join"], ["b", "join"], ["join", "out"]],
    );
    const { id: workflowId } = await mod.createWorkflow(db, { name: "parallel", graph });
    const started = Date.now();
    const { runId } = await mod.startRun(db, { workflowId, input: {}, trigger: "manual" });
    const done = await waitForStatus(runId, ["succeeded", "failed"]);
    const elapsed = Date.now() - started;
    expect(done.status).toBe("succeeded");
    // Two 800 ms model calls in parallel: well under the 1600 ms they would take in sequence.
    expect(elapsed).toBeLessThan(1_500);
    expect(Object.keys(done.output as Record<string, unknown>).sort()).toEqual(["a", "b"]);
  });
});

describe("dashboard figures", () => {
  it("counts runs by status and model calls by provider", async () => {
    const { runStats } = await import("../server/runs/stats");
    const stats = await runStats(db, { sinceHours: 1 });
    const runs = await db.run.count();
    expect(stats.runs).toBe(runs);
    expect(stats.statusCounts.succeeded).toBeGreaterThan(0);
    expect(stats.statusCounts.cancelled).toBeGreaterThan(0);
    const demoCalls = await db.runStep.count({ where: { type: "llm_response" } });
    expect(stats.byProvider).toEqual([expect.objectContaining({ provider: "demo", calls: demoCalls })]);
    expect(stats.tokens).toBeGreaterThan(0);
  });
});
