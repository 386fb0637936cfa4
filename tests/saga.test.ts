import { afterAll, beforeAll, expect, it } from "vitest";
import { startHarness, waitForRun, type Harness } from "./support/harness";
import { startBookingServer, closedPort, type BookingServer } from "./support/booking-server";
import { testRunScope, testWorkspace } from "./support/workspace";
import { createWorkflow } from "../server/workflows/workflows";
import { tripSaga } from "../server/engine/test-helpers";
import { publishVersion } from "../server/workflows/versions";
import { startRun } from "../server/runs/start-run";
import { getRunEvents } from "../server/runs/queries";
import type { Db } from "../server/db";
import { WORKFLOW_TEMPLATES } from "../server/workflows/templates";

/**
 * Saga compensation on the real worker and real HTTP: when the charge fails after both
 * bookings, the hotel and then the flight are cancelled (each once, by the id its booking
 * answered), and the run ends `compensated`; when a cancellation fails, it ends
 * `compensation_failed` saying what was left booked.
 */

let harness: Harness;
let db: Db;
let api: BookingServer;

beforeAll(async () => {
  harness = await startHarness({ env: { HTTP_ALLOW_PRIVATE_HOSTS: "127.0.0.1" } });
  db = harness.db;
  api = await startBookingServer();
});

afterAll(async () => {
  await api.close();
  await harness.stop();
});

it("undoes the bookings latest first when the charge fails, through the REST trigger's published version", async () => {
  api.requests.length = 0;
  const workspaceId = await testWorkspace(db);
  const { id } = await createWorkflow(db, workspaceId, { name: "trip saga", graph: tripSaga({ api: api.url, charge: `http://127.0.0.1:${await closedPort()}/charge` }) });
  await publishVersion(db, workspaceId, id);
  const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId: id, input: {}, trigger: "api" });
  const run = await waitForRun(db, runId, ["succeeded", "failed", "compensated", "compensation_failed"], 20_000);
  expect(run.status).toBe("compensated");
  expect(run.error).toContain("charge");
  expect(api.requests.map((request) => `${request.method} ${request.path}`)).toEqual(["POST /flights", "POST /hotels", "DELETE /hotels/H2", "DELETE /flights/F1"]);
  const events = await getRunEvents(db, runId);
  expect(events.find((event) => event.type === "compensation_started")).toMatchObject({ nodeIds: ["cancel_hotel", "cancel_flight"] });
  expect(events.filter((event) => event.type === "node_finished" && event.nodeId.startsWith("cancel_"))).toHaveLength(2);
});

it("ends compensation_failed when a cancellation fails, naming what is still booked", async () => {
  api.requests.length = 0;
  const down = `http://127.0.0.1:${await closedPort()}`;
  const { id } = await createWorkflow(db, await testWorkspace(db), { name: "trip saga broken undo", graph: tripSaga({ api: api.url, charge: `${down}/charge`, cancelHotel: `${down}/hotels` }) });
  const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId: id, input: {}, trigger: "manual" });
  const run = await waitForRun(db, runId, ["succeeded", "failed", "compensated", "compensation_failed"], 20_000);
  expect(run.status).toBe("compensation_failed");
  expect(run.error).toContain('the compensation Tool "Cancel hotel" failed');
  expect(run.error).toContain('not compensated: Tool "Book flight"');
  expect(api.requests.filter((request) => request.method === "DELETE")).toEqual([]);
});

it("the saga template undoes its charge, then its reservation, when the carrier refuses a big order", async () => {
  const template = WORKFLOW_TEMPLATES.find((candidate) => candidate.id === "saga")!;
  const { id } = await createWorkflow(db, await testWorkspace(db), { name: "saga template", graph: template.graph });
  const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId: id, input: { order: "9 standing desks", quantity: 9 }, trigger: "manual" });
  const run = await waitForRun(db, runId, ["succeeded", "failed", "compensated", "compensation_failed"], 20_000);
  expect(run.status).toBe("compensated");
  expect(run.error).toContain("at most 5 items");
  const events = await getRunEvents(db, runId);
  expect(events.find((event) => event.type === "compensation_started")).toMatchObject({ nodeIds: ["refund", "release"] });
  const finished = events.flatMap((event) => (event.type === "node_finished" ? [event.nodeId] : []));
  expect(finished.slice(-2)).toEqual(["refund", "release"]);
});
