import type { ChildProcess } from "node:child_process";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { startHarness, waitForRun, waitUntil, type Harness } from "./support/harness";
import { startWorkerProcess, waitForOutput } from "./support/worker-process";
import { closedPort, startBookingServer } from "./support/booking-server";
import { testRunScope, testWorkspace } from "./support/workspace";
import { createWorkflow } from "../server/workflows/workflows";
import { publishVersion } from "../server/workflows/versions";
import { buildGraph, tripSaga } from "../server/engine/test-helpers";
import { startRun } from "../server/runs/start-run";
import { getRunEvents } from "../server/runs/queries";
import type { Db } from "../server/db";

/**
 * Worker processes killed with SIGKILL in the middle of the seeds' patterns: while a
 * for-each's items are in flight (no item gets a second run, no item's model call is paid
 * twice, the parent records each item's start and end once), and during a saga's compensation
 * (the interrupted cancellation is repeated with the same idempotency key; each compensation
 * step finishes once).
 */

let harness: Harness;
let db: Db;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  harness = await startHarness({ worker: false, env: { HTTP_ALLOW_PRIVATE_HOSTS: "127.0.0.1" } });
  db = harness.db;
});

afterEach(() => {
  for (const worker of workers.splice(0)) worker.kill("SIGKILL");
});

afterAll(() => harness.stop());

it("resumes a for-each after kill -9 mid-item: each item runs once and is gathered once", async () => {
  const items = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"];
  const graph = buildGraph(
    [
      ["trigger", "trigger", { sampleInput: '{"items": ["x"]}' }],
      ["each", "for_each", { items: "input.items", concurrency: 3 }],
      ["work", "agent", { task: "Work on {{item}} #demo:slow:1500" }],
      ["out", "output"],
    ],
    [["trigger", "each"], ["each", "work", "item"], ["work", "each"], ["each", "out", "done"]],
  );
  const { id } = await createWorkflow(db, await testWorkspace(db), { name: "for-each crash", graph });
  const doomed = startWorkerProcess(workers);
  await waitForOutput(doomed, "[worker] ready");
  const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId: id, input: { items }, trigger: "manual" });

  // Kill the worker while items' slow model calls are in flight.
  await waitUntil(async () => (await db.runStep.count({ where: { run: { callerRunId: runId }, type: "node_started", nodeId: "work" } })) >= 2, "items to be at work", 15_000);
  await new Promise((resolve) => setTimeout(resolve, 300));
  doomed.kill("SIGKILL");
  expect((await db.run.findUniqueOrThrow({ where: { id: runId } })).status).toBe("running");

  const rescuer = startWorkerProcess(workers);
  await waitForOutput(rescuer, "[worker] ready");
  expect((await waitForRun(db, runId, ["succeeded", "failed"], 60_000)).status).toBe("succeeded");

  const children = await db.run.findMany({ where: { callerRunId: runId }, orderBy: { callerIndex: "asc" } });
  expect(children.map((child) => [child.callerIndex, child.status])).toEqual(items.map((_, index) => [index, "succeeded"]));
  for (const child of children) {
    const events = await getRunEvents(db, child.id);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.filter((event) => event.type === "llm_response")).toHaveLength(1);
    expect(events.filter((event) => event.type === "run_finished")).toHaveLength(1);
  }
  const parentEvents = await getRunEvents(db, runId);
  for (const type of ["child_started", "child_finished"] as const) {
    const indexes = parentEvents.flatMap((event) => (event.type === type ? [event.index] : []));
    expect(indexes.sort()).toEqual(items.map((_, index) => index));
  }
  const finished = parentEvents.find((event) => event.type === "run_finished");
  const output = finished?.type === "run_finished" ? (finished.output as string[]) : [];
  expect(output).toHaveLength(items.length);
  output.forEach((text, index) => expect(text).toContain(`Work on ${items[index]}`));
}, 90_000);

it("resumes a saga after kill -9 mid-compensation: the cancellation is repeated with its key and each compensation finishes once", async () => {
  const api = await startBookingServer({ slowDeleteMs: 1_500 });
  try {
    const graph = tripSaga({ api: api.url, charge: `http://127.0.0.1:${await closedPort()}/charge` });
    const { id } = await createWorkflow(db, await testWorkspace(db), { name: "saga crash", graph });
    const doomed = startWorkerProcess(workers);
    await waitForOutput(doomed, "[worker] ready");
    const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId: id, input: {}, trigger: "manual" });
    await waitUntil(() => api.requests.some((request) => request.method === "DELETE"), "the first cancellation to be sent", 15_000);
    doomed.kill("SIGKILL");

    const rescuer = startWorkerProcess(workers);
    await waitForOutput(rescuer, "[worker] ready");
    expect((await waitForRun(db, runId, ["succeeded", "failed", "compensated", "compensation_failed"], 30_000)).status).toBe("compensated");

    const deletes = api.requests.filter((request) => request.method === "DELETE");
    const hotel = deletes.filter((request) => request.path.startsWith("/hotels/"));
    // Sent again after the crash, with the same key, so the API can tell it is the same cancellation.
    expect(hotel.length).toBeGreaterThanOrEqual(2);
    expect(new Set(hotel.map((request) => request.key)).size).toBe(1);
    expect(deletes.filter((request) => request.path.startsWith("/flights/"))).toHaveLength(1);
    const events = await getRunEvents(db, runId);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    for (const nodeId of ["cancel_hotel", "cancel_flight"]) {
      expect(events.filter((event) => event.type === "node_finished" && event.nodeId === nodeId)).toHaveLength(1);
      expect(events.filter((event) => event.type === "tool_result" && event.nodeId === nodeId)).toHaveLength(1);
    }
    expect(events.filter((event) => event.type === "compensation_started")).toHaveLength(1);
  } finally {
    await api.close();
  }
}, 90_000);

it("resumes a sub-workflow after kill -9 mid-child-run: one child run, its model call paid once, gathered once", async () => {
  const workspaceId = await testWorkspace(db);
  const child = buildGraph(
    [["trigger", "trigger", { sampleInput: '{"topic": "x"}' }], ["write", "agent", { task: "Write about {{input.topic}} #demo:slow:1500" }], ["out", "output"]],
    [["trigger", "write"], ["write", "out"]],
  );
  const { id: childId } = await createWorkflow(db, workspaceId, { name: "crash child", graph: child });
  await publishVersion(db, workspaceId, childId);
  const parent = buildGraph(
    [["trigger", "trigger", { sampleInput: "{}" }], ["call", "subworkflow", { workflowId: childId, input: '{"topic": "tides"}' }], ["out", "output"]],
    [["trigger", "call"], ["call", "out"]],
  );
  const { id } = await createWorkflow(db, workspaceId, { name: "crash parent", graph: parent });
  const doomed = startWorkerProcess(workers);
  await waitForOutput(doomed, "[worker] ready");
  const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId: id, input: {}, trigger: "manual" });
  await waitUntil(async () => (await db.runStep.count({ where: { run: { callerRunId: runId }, type: "node_started", nodeId: "write" } })) === 1, "the child's agent to be at work", 15_000);
  await new Promise((resolve) => setTimeout(resolve, 300));
  doomed.kill("SIGKILL");

  const rescuer = startWorkerProcess(workers);
  await waitForOutput(rescuer, "[worker] ready");
  const run = await waitForRun(db, runId, ["succeeded", "failed"], 30_000);
  expect(run.status).toBe("succeeded");
  expect(String(run.output)).toContain("Write about tides");
  const children = await db.run.findMany({ where: { callerRunId: runId } });
  expect(children).toHaveLength(1);
  const childEvents = await getRunEvents(db, children[0]!.id);
  expect(childEvents.filter((event) => event.type === "llm_response")).toHaveLength(1);
  const parentEvents = await getRunEvents(db, runId);
  expect(parentEvents.filter((event) => event.type === "child_started")).toHaveLength(1);
  expect(parentEvents.filter((event) => event.type === "child_finished")).toHaveLength(1);
}, 90_000);
